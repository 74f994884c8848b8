import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Config } from '@govstats/config';
import { createBatchSource, createKafkaSink, type KafkaSink, type SourceBatch } from '@govstats/kafka';
import { createLogger } from '@govstats/log';
import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import type { PlaceIndex } from '@govstats/divisions';
import { insertRows, queryRows, type Store } from '@govstats/store';
import { catalogueVersion, loadPlaceIndex } from '@govstats/warehouse';
import { REPLAY_HEADER, deadLetter, originOf, type Refusal } from './dead-letters.ts';
import { decodeMessage } from './decode-message.ts';
import type { HealthReport } from './health-server.ts';
import { executeLoad, planLoad, type AcceptedEvent, type LoadPlan } from './load-events.ts';
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
}

export interface IngestService {
  metrics: IngestMetrics;
  /** Healthy while the consumer runs and no batch has been failing for longer than a minute. */
  health(): HealthReport;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Consumes until every subscribed partition is caught up, then stops. */
  drain(): Promise<IngestStats>;
  stats(): IngestStats;
}

/** A batch decoded and planned once, reused as is by every retry of that batch. */
interface PreparedBatch {
  last: string;
  accepted: AcceptedEvent[];
  rejected: Refusal[];
  plan: LoadPlan;
  now: number;
  startedAt: number;
  /** Milliseconds spent decoding and validating, and looking the events up in the ledger. */
  decodeMs: number;
  planMs: number;
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
  const prepared = new Map<string, PreparedBatch>();
  const topics = ingestTopics(config);
  let sink: KafkaSink | undefined;
  let places: PlaceIndex | undefined;
  let placesVersion = '';
  let refreshDivisions: NodeJS.Timeout | undefined;
  let refreshLag: NodeJS.Timeout | undefined;
  let running = false;
  /** Since when the current batch has been failing; undefined while batches succeed. */
  let failingSince: number | undefined;
  const metrics = new IngestMetrics();

  async function prepare(batch: SourceBatch): Promise<PreparedBatch> {
    const now = clock();
    const accepted: AcceptedEvent[] = [];
    const rejected: Refusal[] = [];
    const context = {
      topic: batch.topic,
      partition: batch.partition,
      topicType: topics.get(batch.topic),
      places: places!,
      maxEventBytes: config.ingest.maxEventBytes,
      futureToleranceMs: config.ingest.futureToleranceMs,
      now,
    };
    for (const message of batch.messages) {
      const decoded = decodeMessage(message, context);
      if (decoded.ok) accepted.push({ ...decoded, message });
      else rejected.push({ ...decoded, message });
    }
    const decodedAt = clock();
    const plan = await planLoad(store, accepted);
    return { last: batch.messages[batch.messages.length - 1]!.offset, accepted, rejected, plan, now, startedAt: now, decodeMs: decodedAt - now, planMs: clock() - decodedAt };
  }

  /**
   * The offset range recorded for a batch starting at `first` that may not have finished: a
   * crash between recording and committing leaves it behind, and the replay must cover exactly
   * that range so its inserts carry the same tokens.
   */
  async function intendedEnd(batch: SourceBatch, first: string): Promise<string | undefined> {
    const [row] = await queryRows<{ last_offset: string }>(
      store.client,
      `SELECT last_offset FROM ingest_intents FINAL
WHERE consumer_group = {group:String} AND kafka_topic = {topic:String} AND kafka_partition = {partition:UInt32} AND first_offset = {first:UInt64}`,
      { group: config.ingest.groupId, topic: batch.topic, partition: batch.partition, first },
    );
    return row?.last_offset;
  }

  async function handle(fetched: SourceBatch): Promise<{ handledThrough: string | null }> {
    const handleStarted = clock();
    const first = fetched.messages[0]!.offset;
    const fetchedLast = fetched.messages[fetched.messages.length - 1]!.offset;
    const key = `${fetched.topic}:${fetched.partition}:${first}`;
    // A batch already prepared in this process is an in-process retry: its range is known.
    const intended = prepared.has(key) ? undefined : await intendedEnd(fetched, first);
    if (intended !== undefined && BigInt(intended) > BigInt(fetchedLast)) return { handledThrough: null }; // wait for the whole range
    const batch = intended === undefined ? fetched : { ...fetched, messages: fetched.messages.filter((m) => BigInt(m.offset) <= BigInt(intended)) };
    const last = batch.messages[batch.messages.length - 1]!.offset;
    let work = prepared.get(key);
    if (!work || work.last !== last) {
      work = await prepare(batch);
      prepared.set(key, work);
      if (intended === undefined) {
        await insertRows(
          store.client,
          'ingest_intents',
          [{ consumer_group: config.ingest.groupId, kafka_topic: batch.topic, kafka_partition: batch.partition, first_offset: first, last_offset: last }],
          { deduplicationToken: `intent:${config.ingest.groupId}:${key}-${last}` },
        );
      }
    }
    const loadStarted = clock();
    const deadLetters = { sink: sink!, store, topic: config.topics.deadLetter, now: work.now };
    await deadLetter(batch, work.rejected, deadLetters);
    const { loaded, rejected: storeRejected } = await executeLoad(store, work.plan, new Date(work.now).toISOString());
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
    prepared.delete(key);
    failingSince = undefined;
    recordBatch(batch, work, [...work.rejected, ...refusedByStore], loaded, clock());
    log.debug(
      {
        batch: key, last, loaded, duplicates: work.plan.duplicates, deadLettered, replayed: intended !== undefined,
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
      const failingFor = failingSince === undefined ? 0 : clock() - failingSince;
      return { healthy: running && failingFor < 60_000, detail: { running, failingForSeconds: Math.round(failingFor / 1000), ...stats } };
    },
    async start() {
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
        source.lag().then((lag) => metrics.lag.set({ group: config.ingest.groupId }, lag), () => undefined);
      }, 10_000).unref();
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
