import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, IHeaders, Kafka } from 'kafkajs';

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
   * the rest is fetched again.
   */
  handle(batch: SourceBatch): Promise<{ handledThrough: string | null } | void>;
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
}

const MAX_BACKOFF_MS = 30_000;

export function createBatchSource(kafka: Kafka, options: BatchSourceOptions): BatchSource {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: options.maxBytesPerPartition * 4,
    maxWaitTimeInMs: 250,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    retry: { retries: 20, initialRetryTime: 300 },
  });
  let inFlight = 0;
  let stopping = false;
  // One admin connection for lag checks, which drain makes twice a second.
  let admin: ReturnType<Kafka['admin']> | undefined;

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency ?? 2,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (batch.messages.length === 0) return;
          const sourceBatch: SourceBatch = {
            topic: batch.topic,
            partition: batch.partition,
            messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key, value: m.value, headers: m.headers ?? {} })),
          };
          inFlight++;
          try {
            let handled: { handledThrough: string | null } | void;
            for (let attempt = 1; ; attempt++) {
              // Abandoned batches are not committed: the group redelivers them, dedup absorbs repeats.
              if (stopping || !isRunning() || isStale()) return;
              try {
                handled = await options.handle(sourceBatch);
                break;
              } catch (error) {
                const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
                options.onRetry?.(error, attempt, delay, sourceBatch);
                await sleepWithHeartbeat(delay, heartbeat);
              }
            }
            const last = handled ? handled.handledThrough : batch.lastOffset();
            if (last !== batch.lastOffset()) {
              // Only a prefix was handled: fetch again from the first offset not handled.
              const next = last === null ? batch.firstOffset()! : (BigInt(last) + 1n).toString();
              consumer.seek({ topic: batch.topic, partition: batch.partition, offset: next });
              if (last === null) {
                await sleepWithHeartbeat(500, heartbeat);
                return;
              }
            }
            resolveOffset(last!);
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last!) + 1n).toString() }]);
            await heartbeat();
          } finally {
            inFlight--;
          }
        },
      });
    },
    async stop() {
      stopping = true;
      await consumer.disconnect();
      await admin?.disconnect();
      admin = undefined;
    },
    async lag() {
      if (!admin) {
        admin = kafka.admin();
        await admin.connect();
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
  };
}

/** Waits while keeping the group membership alive, so a long backoff does not trigger a rebalance. */
async function sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(Math.min(2_000, until - Date.now()));
    await heartbeat().catch(() => undefined);
  }
}
