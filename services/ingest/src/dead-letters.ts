import type { KafkaSink, SourceBatch, SourceMessage } from '@govstats/kafka';
import { insertRows, type Store } from '@govstats/store';
import type { Decoded } from './decode-message.ts';

export interface Rejected {
  message: SourceMessage;
  decoded: Extract<Decoded, { ok: false }>;
}

/**
 * Refused messages go two places before the batch is committed: the dead-letter topic (original
 * bytes and key, reason in headers, for replay) and the dead_letters table (for counting and
 * `govstats dlq`). Both tolerate repeats: the table is keyed by the original topic/partition/offset.
 */
export async function deadLetter(
  batch: SourceBatch,
  rejected: Rejected[],
  deps: { sink: KafkaSink; store: Store; topic: string; now: number },
): Promise<void> {
  if (rejected.length === 0) return;
  await deps.sink.send(
    deps.topic,
    rejected.map(({ message, decoded }) => ({
      key: message.key ? message.key.toString('utf8') : null,
      value: message.value ?? Buffer.alloc(0),
      headers: {
        'govstats-reason': decoded.reason,
        'govstats-detail': decoded.detail.slice(0, 1000),
        'govstats-original-topic': batch.topic,
        'govstats-original-partition': String(batch.partition),
        'govstats-original-offset': message.offset,
      },
    })),
  );
  const at = new Date(deps.now).toISOString();
  await insertRows(
    deps.store.client,
    'dead_letters',
    rejected.map(({ message, decoded }) => ({
      dead_lettered_at: at,
      kafka_topic: batch.topic,
      kafka_partition: batch.partition,
      kafka_offset: message.offset,
      kafka_key: message.key ? message.key.toString('utf8').slice(0, 256) : '',
      reason: decoded.reason,
      detail: decoded.detail,
      event_id: decoded.eventId,
      event_type: decoded.eventType,
      payload_base64: (message.value ?? Buffer.alloc(0)).toString('base64'),
      payload_bytes: message.value?.length ?? 0,
    })),
    { deduplicationToken: `dlq:${batch.topic}:${batch.partition}:${rejected[0]!.message.offset}:${rejected.length}` },
  );
}
