import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Config } from '@govstats/config';
import { createBatchSource, createKafkaSink, type KafkaSink, type SourceBatch, type WriteLease } from '@govstats/kafka';
import { createLogger } from '@govstats/log';
import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import type { PlaceIndex } from '@govstats/divisions';
import { assertServerVersion, insertRows, type Store } from '@govstats/store';
import { SINGLE_NODE, bookkeepingSettings, catalogueVersion, loadPlaceIndex, rawInsertSettings, type DdlOptions, type Migration } from '@govstats/warehouse';
import { createBatchPlanner, type PreparedBatch } from './batch-planner.ts';
import { REPLAY_HEADER, deadLetter, originOf, type Refusal } from './dead-letters.ts';
import type { HealthReport } from './health-server.ts';
import { executeLoad, type AcceptedEvent, type LoadSettings } from './load-events.ts';
import { createSchemaGate } from './schema-gate.ts';
import { IngestMetrics } from './metrics.ts';

export interface IngestStats {
  batches: number;
  messages: number;
  loaded: number;
  duplicates: number;
  deadLettered: number;
  loadedByType: Record<string, number>;
  retries: number;
  startedAt: number;
  /** When the consumer was started (connect, join, fetch): the start of a throughput measurement. */
  consumingSince?: number;
  /** When the last batch was loaded and committed: its events were visible in the rollups by then. */
  lastBatchAt?: number;
}

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

async function loadPlaces(store: Store): Promise<PlaceIndex> {
  const places = await loadPlaceIndex(store);
  if (places.places === 0) throw new Error('the divisions table is empty: run `govstats migrate` to load the division catalogue');
  log.info({ places: places.places, retiredCodes: places.retiredCodes }, 'division catalogue loaded');
  return places;
}

/** Topics ingest reads: one per event type, plus lines producers could not route. */
export function ingestTopics(config: Config): Map<string, EventTypeDefinition | undefined> {
  const topics = new Map<string, EventTypeDefinition | undefined>(EVENT_TYPES.map((t) => [config.topics.forEventType(t.name), t]));
  topics.set(config.topics.unrouted, undefined);
  return topics;
}

export function createIngestService(options: IngestServiceOptions): IngestService {
  const { config, kafka, store } = options;
  const clock = options.clock ?? Date.now;
  const stats: IngestStats = { batches: 0, messages: 0, loaded: 0, duplicates: 0, deadLettered: 0, loadedByType: {}, retries: 0, startedAt: clock() };
  const topics = ingestTopics(config);
  const ddl: DdlOptions = { ...SINGLE_NODE, cluster: config.clickhouse.cluster, replicated: config.clickhouse.replicated };
  const writes: LoadSettings = { bookkeeping: bookkeepingSettings(ddl), raw: rawInsertSettings(ddl) };
  const gate = createSchemaGate(store, options.expectedMigrations, clock);
  const planner = createBatchPlanner({ config, store, topics, writes, clock, places: () => places! });
  let sink: KafkaSink | undefined;
  let places: PlaceIndex | undefined;
  let placesVersion = '';
  let refreshDivisions: NodeJS.Timeout | undefined;
  let refreshLag: NodeJS.Timeout | undefined;
  let running = false;
  /** Since when the current batch has been failing; undefined while batches succeed. */
  let failingSince: number | undefined;
  /** Messages waiting as of the last lag check, and since when some have been waiting. */
  let lag = 0;
  let waitingSince = clock();
  const metrics = new IngestMetrics();

  async function handle(fetched: SourceBatch, lease: WriteLease): Promise<{ handledThrough: string | null; fetchFrom?: string }> {
    const handleStarted = clock();
    await gate.ready();
    await lease.renew();
    const prepared = await planner.plan(fetched, lease);
    if ('fetchFrom' in prepared) return { handledThrough: null, fetchFrom: prepared.fetchFrom };
    const work = prepared;
    const { batch } = work;
    const first = batch.messages[0]!.offset;
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const key = `${batch.topic}:${batch.partition}:${first}`;
    const loadStarted = clock();
    const deadLetters = { sink: sink!, store, topic: config.topics.deadLetter, now: work.facts.now };
    await deadLetter(batch, work.rejected, deadLetters);
    const { loaded, rejected: storeRejected } = await executeLoad(store, work.plan, new Date(work.facts.now).toISOString(), lease, writes);
    // Valid events the store refuses for good (a constraint, a value no column can hold) would
    // fail the batch on every attempt: they take the dead-letter path and the partition moves on.
    const refusedByStore: Refusal[] = storeRejected.map(({ event, error }) => ({
      message: event.message,
      reason: 'store_rejected',
      detail: `${error.type ?? 'store error'}: ${error.message}`.slice(0, 2000),
      eventId: event.eventId,
      eventType: `govstats.${event.eventType.name}.v${String(event.row.contract_version)}`,
      subject: String(event.row.original_code),
    }));
    await deadLetter(batch, refusedByStore, deadLetters);
    await recordResolutions(batch, work, storeRejected.map((r) => r.event));
    const loadMs = clock() - loadStarted;
    const deadLettered = work.rejected.length + refusedByStore.length;
    await insertRows(
      store.client,
      'ingest_batches',
      [{
        batch_id: `${key}-${last}`,
        consumer_group: config.ingest.groupId,
        kafka_topic: batch.topic,
        kafka_partition: batch.partition,
        first_offset: first,
        last_offset: last,
        messages: batch.messages.length,
        loaded,
        duplicates: work.plan.duplicates,
        dead_lettered: deadLettered,
        started_at: new Date(work.startedAt).toISOString(),
        finished_at: new Date(clock()).toISOString(),
      }],
      { deduplicationToken: `batch:${config.ingest.groupId}:${key}-${last}` },
    );
    failingSince = undefined;
    recordBatch(batch, work, [...work.rejected, ...refusedByStore], loaded, clock());
    log.debug(
      {
        batch: key, last, loaded, duplicates: work.plan.duplicates, deadLettered, replayed: work.replayed,
        ms: { total: clock() - handleStarted, decode: work.decodeMs, ledgerLookup: work.planMs, load: loadMs },
      },
      'batch loaded',
    );
    options.onBatch?.({ ...stats });
    return { handledThrough: last };
  }

  /**
   * Replayed dead letters that were accepted this time (loaded, or found loaded already) are
   * resolved: `govstats dlq` stops listing them and `dlq replay` does not send them again.
   */
  async function recordResolutions(batch: SourceBatch, work: PreparedBatch, refused: AcceptedEvent[]): Promise<void> {
    const replays = work.accepted.filter((e) => e.message.headers[REPLAY_HEADER] !== undefined);
    if (replays.length === 0) return;
    const stillRefused = new Set(refused.map((e) => e.message.offset));
    const resolved = replays.filter((e) => !stillRefused.has(e.message.offset));
    const inserted = new Set(work.plan.inserts.flatMap((i) => i.events.map((e) => e.eventId)));
    await insertRows(
      store.client,
      'dead_letter_resolutions',
      resolved.map((event) => {
        const origin = originOf(event.message, batch);
        return {
          origin_topic: origin.topic,
          origin_partition: origin.partition,
          origin_offset: origin.offset,
          outcome: inserted.has(event.eventId) ? 'loaded' : 'duplicate',
          event_id: event.eventId,
          kafka_topic: batch.topic,
          kafka_partition: batch.partition,
          kafka_offset: event.message.offset,
        };
      }),
    );
  }

  /** Counts a committed batch in the stats the CLI reports and the metrics Prometheus scrapes. */
  function recordBatch({ topic, messages }: SourceBatch, work: PreparedBatch, refused: Refusal[], loaded: number, now: number): void {
    stats.batches++;
    stats.lastBatchAt = now;
    stats.messages += messages.length;
    stats.duplicates += work.plan.duplicates;
    stats.deadLettered += refused.length;
    stats.loaded += loaded;
    const topicType = topics.get(topic)?.name ?? 'unrouted';
    const storeRefused = new Set(refused.map((r) => r.message.offset));
    for (const insert of work.plan.inserts) {
      const n = insert.events.filter((e) => !storeRefused.has(e.message.offset)).length;
      stats.loadedByType[insert.eventType.name] = (stats.loadedByType[insert.eventType.name] ?? 0) + n;
      metrics.events.add({ type: insert.eventType.name, outcome: 'loaded' }, n);
    }
    if (work.plan.duplicates > 0) metrics.events.add({ type: topicType, outcome: 'duplicate' }, work.plan.duplicates);
    for (const refusal of refused) {
      metrics.events.add({ type: /^govstats\.([a-z-]+)\./.exec(refusal.eventType)?.[1] ?? topicType, outcome: 'dead_lettered' }, 1);
    }
    metrics.batches.add({ topic }, 1);
    metrics.batchSeconds.observe((now - work.startedAt) / 1000);
    metrics.lastBatch.set({}, now / 1000);
  }

  const source = createBatchSource(kafka, {
    groupId: config.ingest.groupId,
    topics: [...topics.keys()],
    maxBytesPerPartition: config.ingest.maxBytesPerPartition,
    handle,
    onRetry(error, attempt, delayMs, batch) {
      stats.retries++;
      failingSince ??= clock();
      metrics.retries.add({ topic: batch.topic }, 1);
      log.warn(
        { err: error, attempt, delayMs, topic: batch.topic, partition: batch.partition },
        'batch not loaded; retrying the same batch (offsets stay uncommitted until it succeeds)',
      );
    },
  });

  return {
    metrics,
    health() {
      const now = clock();
      const failingFor = failingSince === undefined ? 0 : now - failingSince;
      const stalledFor = lag > 0 ? now - Math.max(source.lastProgressAt(), waitingSince) : 0;
      const reasons = [
        ...(running ? [] : ['the consumer is not running']),
        ...(failingFor >= 60_000 ? [`a batch has been failing for ${Math.round(failingFor / 1000)} s (see the log for its error)`] : []),
        ...(stalledFor >= config.ingest.stallMs
          ? [`no batch committed for ${Math.round(stalledFor / 1000)} s while ${lag} messages wait${gate.waitingFor() ? `: ${gate.waitingFor()}` : ''}`]
          : []),
      ];
      return {
        healthy: reasons.length === 0,
        detail: { reasons, running, failingForSeconds: Math.round(failingFor / 1000), stalledForSeconds: Math.round(stalledFor / 1000), lag, ...stats },
      };
    },
    async start() {
      await assertServerVersion(store);
      // Never migrate here: wait for `govstats migrate` when the schema is behind.
      await gate.ready();
      placesVersion = await catalogueVersion(store);
      places = await loadPlaces(store);
      // Editions and corrections are loaded while ingest runs: pick them up without a restart,
      // reading the catalogue again only when a load changed it.
      refreshDivisions = setInterval(() => {
        void (async () => {
          const version = await catalogueVersion(store);
          if (version === placesVersion) return;
          places = await loadPlaces(store);
          placesVersion = version;
        })().catch((error: unknown) => log.warn({ err: error }, 'could not refresh the division catalogue'));
      }, 60_000).unref();
      sink = await createKafkaSink(kafka);
      stats.consumingSince = clock();
      await source.start();
      running = true;
      refreshLag = setInterval(() => {
        source.lag().then((waiting) => {
          if (lag === 0 && waiting > 0) waitingSince = clock();
          lag = waiting;
          metrics.lag.set({ group: config.ingest.groupId }, waiting);
        }, () => undefined);
      }, config.ingest.lagCheckMs).unref();
      log.info({ groupId: config.ingest.groupId, store: store.mode }, 'ingest consuming');
    },
    async stop() {
      clearInterval(refreshDivisions);
      clearInterval(refreshLag);
      running = false;
      await source.stop();
      await sink?.close();
      log.info({ ...stats }, 'ingest stopped');
    },
    async drain() {
      await this.start();
      // Idle = nothing in flight and no lag, twice in a row (a fetch may be between the two).
      for (let idleChecks = 0; idleChecks < 2; ) {
        await sleep(500);
        idleChecks = !source.busy() && (await source.lag()) === 0 ? idleChecks + 1 : 0;
      }
      await this.stop();
      return { ...stats };
    },
    stats: () => ({ ...stats }),
  };
}
