import { setTimeout as sleep } from 'node:timers/promises';
import { CompressionTypes, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import { createLogger } from '@govstats/log';

const log = createLogger('kafka-sink');

/** Connection loss, leader changes and exhausted client retries are worth waiting out. */
function isRetriable(error: unknown): boolean {
  const { name = '', message = '', retriable = false } = (error ?? {}) as { name?: string; message?: string; retriable?: boolean };
  return retriable || /NumberOfRetriesExceeded|Connection|ECONNREFUSED|ECONNRESET|not the leader|coordinator/i.test(`${name} ${message}`);
}

export interface OutgoingMessage {
  key: string | null;
  value: Buffer | string;
  headers?: IHeaders;
}

/**
 * The producing side of the Kafka seam. Idempotent producer, acks from all in-sync replicas:
 * a message the broker acknowledged is on every replica and a retried send is not duplicated.
 */
export interface KafkaSink {
  /** Sends and waits for the broker's acknowledgement; resolves with the number acknowledged. */
  send(topic: string, messages: OutgoingMessage[]): Promise<number>;
  close(): Promise<void>;
}

/** How long a send keeps retrying while the broker is unreachable before it reports failure. */
const MAX_BLOCK_MS = 120_000;

export async function createKafkaSink(kafka: Kafka, options: { maxBlockMs?: number } = {}): Promise<KafkaSink> {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 200 },
  });
  await producer.connect();
  return {
    async send(topic, messages) {
      if (messages.length === 0) return 0;
      // The caller's chunk stays buffered while the broker is away: memory stays bounded by one
      // chunk, and a resend after a lost acknowledgement is absorbed by event-id dedup downstream.
      const deadline = Date.now() + (options.maxBlockMs ?? MAX_BLOCK_MS);
      for (let attempt = 1; ; attempt++) {
        try {
          const metadata = await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
          for (const partition of metadata) {
            if (partition.errorCode !== 0) throw new Error(`broker refused messages for ${topic}[${partition.partition}]: error code ${partition.errorCode}`);
          }
          return messages.length;
        } catch (error) {
          if (!isRetriable(error) || Date.now() > deadline) {
            throw new Error(`could not publish ${messages.length} messages to ${topic}: ${(error as Error).message}. Is the broker up (govstats infra status)?`, { cause: error });
          }
          log.warn({ topic, attempt, err: error }, 'broker unreachable; keeping the chunk and retrying');
          await sleep(Math.min(5_000, 250 * 2 ** attempt));
        }
      }
    },
    close: () => producer.disconnect(),
  };
}
