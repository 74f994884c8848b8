import type { Kafka } from 'kafkajs';
import type { Config } from '@govstats/config';
import { createBatchSource, createKafkaSink, type KafkaSink, type SourceBatch, type WriteLease } from '@govstats/kafka';
import { createLogger, pollUntil } from '@govstats/log';
import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { assertServerVersion, type Store } from '@govstats/store';
import { SINGLE_NODE, bookkeepingSettings, rawInsertSettings, type DdlOptions, type Migration } from '@govstats/warehouse';
import { createBatchProtocol } from './batch-protocol.ts';
import { createLagProbe, totalLag } from './consumer-lag.ts';
import { createDivisionCatalogue } from './division-catalogue.ts';
import type { HealthReport } from './health-server.ts';
import { assessHealth } from './ingest-health.ts';
import { createIngestRecorder, type IngestStats } from './ingest-stats.ts';
import type { LoadSettings } from './load-events.ts';
import type { IngestMetrics } from './metrics.ts';
import { createSchemaGate } from './schema-gate.ts';

export interface IngestServiceOptions {
  config: Config;
  kafka: Kafka;
  store: Store;
  clock?: () => number;
  onBatch?: (stats: IngestStats) => void;
  /** The schema this ingest was built for: batches wait while any of it is not applied. */
  expectedMigrations?: Migration[];
}

export interface IngestService {
  metrics: IngestMetrics;
  /**
   * Healthy while the consumer runs, no batch has been failing for longer than a minute and
   * messages waiting do not go unhandled for longer than `config.ingest.stallMs`; the detail says
   * which of these failed.
   */
  health(): HealthReport;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Consumes until every subscribed partition is caught up, then stops. */
  drain(): Promise<IngestStats>;
  stats(): IngestStats;
}

const log = createLogger('ingest');

/** How often a running member looks for a new edition or corrections of the division catalogue. */
const CATALOGUE_REFRESH_MS = 60_000;

/** Topics ingest reads: one per event type, plus lines producers could not route. */
export function ingestTopics(config: Config): Map<string, EventTypeDefinition | undefined> {
  const topics = new Map<string, EventTypeDefinition | undefined>(EVENT_TYPES.map((t) => [config.topics.forEventType(t.name), t]));
  topics.set(config.topics.unrouted, undefined);
  return topics;
}

/**
 * One ingest member: wires the batch protocol (batch-protocol.ts) to a Kafka consumer group,
 * counts what it does (ingest-stats.ts), and owns the lifecycle, the timers and health.
 */
export function createIngestService(options: IngestServiceOptions): IngestService {
  const { config, kafka, store } = options;
  const clock = options.clock ?? Date.now;
  const topics = ingestTopics(config);
  const ddl: DdlOptions = { ...SINGLE_NODE, cluster: config.clickhouse.cluster, replicated: config.clickhouse.replicated };
  const writes: LoadSettings = { bookkeeping: bookkeepingSettings(ddl), raw: rawInsertSettings(ddl) };
  const recorder = createIngestRecorder(topics, clock);
  const gate = createSchemaGate(store, options.expectedMigrations, clock);
  const catalogue = createDivisionCatalogue(store);
  const lagProbe = createLagProbe(kafka, config.ingest.groupId, [...topics.keys()]);
  let sink: KafkaSink | undefined;
  const protocol = createBatchProtocol({ config, store, topics, writes, clock, gate, places: catalogue.current, sink: () => sink! });
  let refreshDivisions: NodeJS.Timeout | undefined;
  let refreshLag: NodeJS.Timeout | undefined;
  let running = false;
  /** Since when the current batch has been failing; undefined while batches succeed. */
  let failingSince: number | undefined;
  /** Messages waiting as of the last lag check, and since when some have been waiting. */
  let lag = 0;
  let waitingSince = clock();

  async function handle(fetched: SourceBatch, lease: WriteLease): Promise<{ handledThrough: string | null; fetchFrom?: string }> {
    const outcome = await protocol.handle(fetched, lease);
    if ('fetchFrom' in outcome) return { handledThrough: null, fetchFrom: outcome.fetchFrom };
    failingSince = undefined;
    recorder.batchCommitted(outcome.loaded);
    options.onBatch?.(recorder.stats());
    return { handledThrough: outcome.loaded.last };
  }

  /** The group's lag now: kept for health and drain, and published per partition. */
  async function measureLag(): Promise<number> {
    const partitions = await lagProbe.measure();
    const waiting = totalLag(partitions);
    if (lag === 0 && waiting > 0) waitingSince = clock();
    lag = waiting;
    recorder.lagMeasured(config.ingest.groupId, partitions);
    return waiting;
  }

  const source = createBatchSource(kafka, {
    groupId: config.ingest.groupId,
    topics: [...topics.keys()],
    maxBytesPerPartition: config.ingest.maxBytesPerPartition,
    handle,
    onRetry(error, attempt, delayMs, batch) {
      failingSince ??= clock();
      recorder.batchRetried(batch.topic);
      log.warn(
        { err: error, attempt, delayMs, topic: batch.topic, partition: batch.partition },
        'batch not loaded; retrying the same batch (offsets stay uncommitted until it succeeds)',
      );
    },
  });

  return {
    metrics: recorder.metrics,
    health: () =>
      assessHealth({
        now: clock(),
        running,
        failingSince,
        lag,
        waitingSince,
        lastProgressAt: source.lastProgressAt(),
        stallMs: config.ingest.stallMs,
        schemaWait: gate.waitingFor(),
        stats: recorder.stats(),
      }),
    async start() {
      await assertServerVersion(store);
      // Never migrate here: wait for `govstats migrate` when the schema is behind.
      await gate.ready();
      await catalogue.load();
      refreshDivisions = setInterval(() => {
        catalogue.refresh().catch((error: unknown) => log.warn({ err: error }, 'could not refresh the division catalogue'));
      }, CATALOGUE_REFRESH_MS).unref();
      sink = await createKafkaSink(kafka);
      recorder.consumingStarted();
      await source.start();
      running = true;
      refreshLag = setInterval(() => void measureLag().catch(() => undefined), config.ingest.lagCheckMs).unref();
      log.info({ groupId: config.ingest.groupId, store: store.mode }, 'ingest consuming');
    },
    async stop() {
      clearInterval(refreshDivisions);
      clearInterval(refreshLag);
      running = false;
      await source.stop();
      await lagProbe.close();
      await sink?.close();
      log.info(recorder.stats(), 'ingest stopped');
    },
    async drain() {
      await this.start();
      // Idle = nothing in flight and no lag, twice in a row (a fetch may be between the two).
      let idleChecks = 0;
      const idle = async () => {
        idleChecks = !source.busy() && (await measureLag()) === 0 ? idleChecks + 1 : 0;
        return idleChecks >= 2;
      };
      await pollUntil(idle, { timeoutMs: Number.POSITIVE_INFINITY, intervalMs: 500 });
      await this.stop();
      return recorder.stats();
    },
    stats: () => recorder.stats(),
  };
}
