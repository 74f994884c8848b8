import { CompressionTypes, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import { createLogger, retry, type Backoff } from '@govstats/log';
import { connectClient, explainKafkaFailure } from './client.ts';
import { createPartitionGrouper } from './partition-messages.ts';
import { KafkaAccessError } from './security.ts';

const log = createLogger('kafka-sink');

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
/** Bytes per produce request: well under the broker's message.max.bytes for a record batch. */
const MAX_REQUEST_BYTES = 900_000;
/**
 * Between failed sends: 0.5, 1, 2, 4, then 5 s. Jittered: producers that lost the same broker
 * come back apart; a resend is the same buffered chunk whenever it happens.
 */
const SEND_BACKOFF: Backoff = { initialMs: 500, maxMs: 5_000, jitter: 'equal' };

/** Connection loss, leader changes, exhausted client retries and a confused sequence are worth retrying. */
function isRetriable(error: unknown): boolean {
  const { name = '', message = '', retriable = false } = (error ?? {}) as { name?: string; message?: string; retriable?: boolean };
  return (
    retriable ||
    /NumberOfRetriesExceeded|Connection|ECONNREFUSED|ECONNRESET|not the leader|coordinator|out of order sequence/i.test(
      `${name} ${message}`,
    )
  );
}

function size(message: OutgoingMessage): number {
  return Buffer.byteLength(message.value) + (message.key ? Buffer.byteLength(message.key) : 0) + 64;
}

/** Splits messages into requests that each fit the broker's limits. */
function requests(messages: OutgoingMessage[]): OutgoingMessage[][] {
  const out: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length > 0 && bytes + size(message) > MAX_REQUEST_BYTES) {
      out.push(current);
      [current, bytes] = [[], 0];
    }
    current.push(message);
    bytes += size(message);
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function createKafkaSink(kafka: Kafka, options: { maxBlockMs?: number } = {}): Promise<KafkaSink> {
  const newProducer = (): Producer =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 200 },
    });
  // One partition per send: see partition-messages.ts (a 200k-event failover run lost 70
  // acknowledged events to kafkajs's retry of a send spanning several leaders).
  const partitions = createPartitionGrouper(kafka);
  let producer = newProducer();
  await connectClient(kafka, producer);

  /** After a failed send the idempotent producer's sequence numbers can no longer be trusted: start a fresh one. */
  async function replaceProducer(): Promise<void> {
    await producer.disconnect().catch(() => undefined);
    producer = newProducer();
    await connectClient(kafka, producer);
  }

  async function sendRequest(topic: string, partition: number, request: OutgoingMessage[]): Promise<void> {
    const messages = request.map((message) => ({ ...message, partition }));
    // The caller's chunk stays buffered while the broker is away: memory stays bounded by one
    // chunk, and a resend after a lost acknowledgement is absorbed by event-id dedup downstream.
    try {
      await retry(
        async (attempt) => {
          if (attempt > 1) await replaceProducer().catch((reconnect: unknown) => log.warn({ err: reconnect }, 'broker still unreachable'));
          const metadata = await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
          for (const partition of metadata) {
            if (partition.errorCode !== 0)
              throw new Error(`broker refused messages for ${topic}[${partition.partition}]: error code ${partition.errorCode}`);
          }
        },
        {
          backoff: SEND_BACKOFF,
          giveUpAfterMs: options.maxBlockMs ?? MAX_BLOCK_MS,
          retryable: isRetriable,
          onRetry: (error, attempt) =>
            log.warn({ topic, attempt, err: error }, 'send failed; keeping the messages and retrying with a fresh producer'),
        },
      );
    } catch (error) {
      throw new Error(`could not publish ${messages.length} messages to ${topic}: ${(error as Error).message}`, { cause: error });
    }
  }

  return {
    async send(topic, messages) {
      try {
        for (const { partition, messages: placed } of await partitions.group(topic, messages)) {
          for (const request of requests(placed)) await sendRequest(topic, partition, request);
        }
      } catch (error) {
        // A topic this user may not write is a setting to fix, not a broker to wait for.
        const refused = await explainKafkaFailure(kafka, error);
        if (refused) throw new KafkaAccessError(`could not publish to ${topic}: ${refused.message}`, { cause: error });
        throw error;
      }
      return messages.length;
    },
    async close() {
      await partitions.close();
      await producer.disconnect();
    },
  };
}
