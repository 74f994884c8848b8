import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { createLogger, retry, sleep, type Backoff } from '@govstats/log';
import { connectClient, explainKafkaFailure } from './client.ts';
import { createWriteLease, isCoordinatorUnreachable, isMembershipLost, type WriteLease } from './write-lease.ts';

const log = createLogger('kafka-source');

export interface SourceMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface SourceBatch {
  topic: string;
  partition: number;
  messages: SourceMessage[];
}

export interface BatchSourceOptions {
  groupId: string;
  topics: string[];
  maxBytesPerPartition: number;
  /** Partitions handled at the same time; inserts of one overlap the decoding of another. */
  concurrency?: number;
  /**
   * Handles one batch. Its offsets are committed only after this resolves; if it throws, the
   * same batch is retried with backoff (the partition does not move on), never skipped.
   * It may handle only a prefix: it then returns the last offset it handled (null for none), and
   * the rest is fetched again — from `fetchFrom` when given (the handler kept the messages it was
   * shown and wants the ones after them), else from the first offset not handled.
   * Writes it makes must carry `lease.deadline()` (renewed with `lease.renew()` before each).
   */
  handle(batch: SourceBatch, lease: WriteLease): Promise<{ handledThrough: string | null; fetchFrom?: string } | undefined>;
  onRetry?(error: unknown, attempt: number, delayMs: number, batch: SourceBatch): void;
}

/** The consuming side of the Kafka seam: a consumer group, batch at a time, commit after handling. */
export interface BatchSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Messages on the subscribed topics not yet committed by the group. */
  lag(): Promise<number>;
  /** True while a batch is being handled. */
  busy(): boolean;
  /** When a batch was last committed (or the source started): what a livelock check measures. */
  lastProgressAt(): number;
}

/**
 * Between attempts at one batch: 0.5, 1, 2 … 30 s. Jittered: members whose batches failed on
 * the same store outage do not all come back at once; every attempt is the same (its intent).
 */
const BATCH_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, jitter: 'equal' };
/** Partitions handled at the same time, unless the caller says. */
const DEFAULT_CONCURRENCY = 2;
/** The coordinator removes a member that has not sent a heartbeat for this long. */
export const SESSION_TIMEOUT_MS = 30_000;
const HEARTBEAT_INTERVAL_MS = 3_000;
/** Two thirds of the session: the rest is margin for clock skew between ingest hosts and ClickHouse. */
export const WRITE_LEASE_MS = 20_000;

export function createBatchSource(kafka: Kafka, options: BatchSourceOptions): BatchSource {
  const newConsumer = (): Consumer =>
    kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition,
      // A fetch holds one partition's worth per batch handled at once. Four partitions' worth held
      // ~170 MB more at peak (1,148 vs 979 MB RSS on the bench stream) for as many batches: the
      // extra ones only waited in memory.
      maxBytes: options.maxBytesPerPartition * (options.concurrency ?? DEFAULT_CONCURRENCY),
      maxWaitTimeInMs: 250,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      retry: { retries: 20, initialRetryTime: 300 },
    });
  let consumer = newConsumer();
  let inFlight = 0;
  let stopping = false;
  let lastProgressAt = Date.now();
  // One admin connection for lag checks, which drain makes twice a second.
  let admin: ReturnType<Kafka['admin']> | undefined;

  /**
   * kafkajs restarts a consumer after a retriable crash, but not after one it deems final (a
   * coordinator that moved while a broker failed over ends as a non-retriable error): the process
   * would live on with no consumer. Start a fresh one instead; intents make its batches identical.
   */
  function restartAfterFinalCrash(crashed: Consumer): void {
    crashed.on(crashed.events.CRASH, ({ payload }) => {
      if (payload.restart || stopping) return;
      void (async () => {
        // A missing ACL is for an operator to grant: say which, and ask again at a pace that does not flood the log.
        const refused = await explainKafkaFailure(kafka, payload.error);
        log.error(
          { err: payload.error },
          refused
            ? `${refused.message}; trying again with a fresh consumer in 30 s`
            : 'the Kafka consumer crashed and kafkajs gives up on it; starting a fresh consumer',
        );
        await sleep(refused ? 30_000 : 1_000);
        if (stopping) return;
        consumer = newConsumer();
        await run();
      })().catch((error: unknown) =>
        log.error({ err: error }, 'could not start a fresh Kafka consumer; the health check reports the stall'),
      );
    });
  }

  async function run(): Promise<void> {
    restartAfterFinalCrash(consumer);
    await connectClient(kafka, consumer);
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency ?? DEFAULT_CONCURRENCY,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (batch.messages.length === 0) return;
        const sourceBatch: SourceBatch = {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key, value: m.value, headers: m.headers ?? {} })),
        };
        inFlight++;
        const lease = createWriteLease(heartbeat, { leaseMs: WRITE_LEASE_MS, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
        try {
          let handled: { handledThrough: string | null; fetchFrom?: string } | undefined;
          try {
            handled = await retry(
              async () => {
                // Abandoned batches are not committed: the group redelivers them, and their intent
                // makes the next owner's attempt identical to this one.
                if (stopping || !isRunning() || isStale()) throw new BatchAbandoned();
                return options.handle(sourceBatch, lease);
              },
              {
                backoff: BATCH_BACKOFF,
                retryable: (error) => !letGo(error),
                onRetry: (error, attempt, delay) => options.onRetry?.(error, attempt, delay, sourceBatch),
                sleep: async (delay) => {
                  if (!(await sleepWithHeartbeat(delay, heartbeat))) throw new BatchAbandoned();
                },
              },
            );
          } catch (error) {
            if (letGo(error)) return;
            throw error;
          }
          const last = handled ? handled.handledThrough : batch.lastOffset();
          if (last !== batch.lastOffset()) {
            const next = handled?.fetchFrom ?? (last === null ? batch.firstOffset()! : (BigInt(last) + 1n).toString());
            consumer.seek({ topic: batch.topic, partition: batch.partition, offset: next });
            if (last === null) {
              if (handled?.fetchFrom === undefined) await sleepWithHeartbeat(500, heartbeat);
              return;
            }
          }
          resolveOffset(last!);
          try {
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last!) + 1n).toString() }]);
          } catch (error) {
            // Loaded but not committed: the batch comes again and its intent replays it as a no-op.
            if (isMembershipLost(error) || isCoordinatorUnreachable(error)) return;
            throw error;
          }
          lastProgressAt = Date.now();
          await heartbeat();
        } finally {
          inFlight--;
        }
      },
    });
  }

  return {
    start: run,
    async stop() {
      stopping = true;
      await consumer.disconnect();
      await admin?.disconnect();
      admin = undefined;
    },
    async lag() {
      if (!admin) {
        admin = kafka.admin();
        await connectClient(kafka, admin);
      }
      let total = 0;
      const committed = await admin.fetchOffsets({ groupId: options.groupId, topics: options.topics });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const from = done === '-1' ? BigInt(end.low) : BigInt(done);
          total += Number(BigInt(end.high) - from);
        }
      }
      return total;
    },
    busy: () => inFlight > 0,
    lastProgressAt: () => lastProgressAt,
  };
}

/** Another member owns the batch now, or this one is stopping: leave it uncommitted. */
class BatchAbandoned extends Error {}

/**
 * A batch to let go rather than retry: abandoned, or the membership is lost or the coordinator
 * unreachable (kafkajs rejoins and finds it; the intent makes the next attempt identical).
 */
function letGo(error: unknown): boolean {
  return error instanceof BatchAbandoned || isMembershipLost(error) || isCoordinatorUnreachable(error);
}

/**
 * Waits while keeping the group membership alive, so a long backoff does not trigger a rebalance.
 * Returns false when the member has lost its partitions meanwhile: the batch must be let go.
 */
async function sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(Math.min(2_000, until - Date.now()));
    try {
      await heartbeat();
    } catch (error) {
      if (isMembershipLost(error)) return false;
    }
  }
  return true;
}
