import { createHash } from 'node:crypto';
import type { KafkaSink, OutgoingMessage, SourceBatch, SourceMessage } from '@govstats/kafka';
import { createLogger } from '@govstats/log';
import type { RejectionReason } from '@govstats/schemas';
import { insertRows, type Store } from '@govstats/store';
import { bindingHeaders, bindingHeadersText } from './cloudevents-binding.ts';
import type { TraceFields } from './trace-context.ts';

const log = createLogger('dead-letters');

/** A message that cannot be loaded, and why. */
export interface Refusal {
  message: SourceMessage;
  reason: RejectionReason;
  detail: string;
  eventId: string;
  eventType: string;
  /** The event's subject when it had a 12-digit one, else ''. */
  subject: string;
  /** Its W3C trace context, when it carried one. */
  trace?: TraceFields;
}

/** Header `govstats dlq replay` puts on a replayed copy: `topic/partition/offset` of the message first refused. */
export const REPLAY_HEADER = 'govstats-replay-of';

export interface Origin {
  topic: string;
  partition: number;
  offset: string;
}

/** The message first refused: the one a replayed copy names in its header, else the message itself. */
export function originOf(message: SourceMessage, batch: Pick<SourceBatch, 'topic' | 'partition'>): Origin {
  const header = message.headers[REPLAY_HEADER];
  const match = header ? /^(.+)\/(\d+)\/(\d+)$/.exec(Buffer.isBuffer(header) ? header.toString('utf8') : String(header)) : null;
  return match
    ? { topic: match[1]!, partition: Number(match[2]), offset: match[3]! }
    : { topic: batch.topic, partition: batch.partition, offset: message.offset };
}

/** KafkaJS's wording when the broker refuses a record over its size limit (message.max.bytes). */
function isTooLarge(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')} ${(error as { type?: string })?.type ?? ''}`;
  return /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|larger than the max message size/i.test(text);
}

/**
 * Refused messages go two places before the batch is committed: the dead-letter topic (original
 * bytes and key, reason in headers, for replay) and the dead_letters table (for counting,
 * `govstats dlq` and its replay). Both tolerate repeats: the table is keyed by the refused
 * message's topic/partition/offset.
 */
export async function deadLetter(
  batch: SourceBatch,
  refusals: Refusal[],
  deps: { sink: KafkaSink; store: Store; topic: string; now: number },
): Promise<void> {
  if (refusals.length === 0) return;
  const copies = refusals.map((refusal) => dlqCopy(batch, refusal));
  try {
    await deps.sink.send(deps.topic, copies);
  } catch (error) {
    if (!isTooLarge(error)) throw error;
    await sendEachWithinLimit(deps, copies);
  }
  const at = new Date(deps.now).toISOString();
  const offsets = refusals.map((r) => r.message.offset).join(',');
  await insertRows(
    deps.store.client,
    'dead_letters',
    refusals.map(({ message, reason, detail, eventId, eventType, subject }) => {
      const origin = originOf(message, batch);
      return {
        dead_lettered_at: at,
        kafka_topic: batch.topic,
        kafka_partition: batch.partition,
        kafka_offset: message.offset,
        kafka_key: message.key ? message.key.toString('utf8').slice(0, 256) : '',
        reason,
        detail,
        event_id: eventId,
        event_type: eventType,
        payload_base64: (message.value ?? Buffer.alloc(0)).toString('base64'),
        payload_bytes: message.value?.length ?? 0,
        binding_headers: bindingHeadersText(message),
        subject,
        origin_topic: origin.topic,
        origin_partition: origin.partition,
        origin_offset: origin.offset,
      };
    }),
    { deduplicationToken: `dlq:${batch.topic}:${batch.partition}:${createHash('sha256').update(offsets).digest('hex')}` },
  );
  logRefusals(batch, refusals);
}

/** Refusals logged one per line, with their trace context, up to this many per batch (a flood gets a count). */
const LOGGED_REFUSALS_PER_BATCH = 100;

function logRefusals(batch: SourceBatch, refusals: Refusal[]): void {
  for (const { message, reason, eventId, eventType, trace } of refusals.slice(0, LOGGED_REFUSALS_PER_BATCH)) {
    log.info(
      { topic: batch.topic, partition: batch.partition, offset: message.offset, reason, eventId, eventType, ...trace },
      'event dead-lettered',
    );
  }
  const unlogged = refusals.length - LOGGED_REFUSALS_PER_BATCH;
  if (unlogged > 0) log.info({ topic: batch.topic, partition: batch.partition, unlogged }, 'more events dead-lettered in this batch');
}

function dlqCopy(batch: SourceBatch, { message, reason, detail, subject }: Refusal): OutgoingMessage {
  const origin = originOf(message, batch);
  return {
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value ?? Buffer.alloc(0),
    headers: {
      ...bindingHeaders(message),
      'govstats-reason': reason,
      'govstats-detail': detail.slice(0, 1000),
      'govstats-subject': subject,
      'govstats-original-topic': batch.topic,
      'govstats-original-partition': String(batch.partition),
      'govstats-original-offset': message.offset,
      [REPLAY_HEADER]: `${origin.topic}/${origin.partition}/${origin.offset}`,
    },
  };
}

/**
 * A copy the broker refuses as too large would otherwise fail the batch on every attempt and
 * stall the partition: it goes without its bytes, which the dead_letters table keeps in full.
 */
async function sendEachWithinLimit(deps: { sink: KafkaSink; topic: string }, copies: OutgoingMessage[]): Promise<void> {
  for (const copy of copies) {
    try {
      await deps.sink.send(deps.topic, [copy]);
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      const bytes = Buffer.byteLength(copy.value);
      log.warn({ bytes }, 'dead-letter copy over the broker size limit; sent without its payload (dead_letters keeps it)');
      await deps.sink.send(deps.topic, [
        {
          ...copy,
          value: Buffer.alloc(0),
          headers: { ...copy.headers, 'govstats-payload-omitted': `${bytes} bytes; full payload in the dead_letters table` },
        },
      ]);
    }
  }
}
