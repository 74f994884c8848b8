import { queryRows, type Store } from '@govstats/store';

export interface DeadLetter {
  deadLetteredAt: string;
  topic: string;
  partition: number;
  offset: number;
  key: string;
  reason: string;
  detail: string;
  eventId: string;
  eventType: string;
  payloadBytes: number;
  /** The original bytes, base64: exactly what the producer sent. */
  payloadBase64: string;
}

export interface DeadLetterSummaryRow {
  reason: string;
  topic: string;
  count: number;
}

/** Dead-lettered messages, newest first. FINAL: a message dead-lettered twice on retry is listed once. */
export async function listDeadLetters(store: Store, options: { limit?: number; reason?: string } = {}): Promise<DeadLetter[]> {
  const rows = await queryRows<Record<string, string | number>>(
    store.client,
    `SELECT dead_lettered_at, kafka_topic, kafka_partition, kafka_offset, kafka_key, reason, detail,
       event_id, event_type, payload_bytes, payload_base64
FROM dead_letters FINAL
WHERE {reason:String} = '' OR reason = {reason:String}
ORDER BY dead_lettered_at DESC, kafka_topic, kafka_partition, kafka_offset
LIMIT {limit:UInt32}`,
    { reason: options.reason ?? '', limit: options.limit ?? 1000 },
  );
  return rows.map((r) => ({
    deadLetteredAt: String(r.dead_lettered_at),
    topic: String(r.kafka_topic),
    partition: Number(r.kafka_partition),
    offset: Number(r.kafka_offset),
    key: String(r.kafka_key),
    reason: String(r.reason),
    detail: String(r.detail),
    eventId: String(r.event_id),
    eventType: String(r.event_type),
    payloadBytes: Number(r.payload_bytes),
    payloadBase64: String(r.payload_base64),
  }));
}

export async function deadLetterSummary(store: Store): Promise<DeadLetterSummaryRow[]> {
  const rows = await queryRows<{ reason: string; kafka_topic: string; n: string }>(
    store.client,
    'SELECT reason, kafka_topic, count() AS n FROM dead_letters FINAL GROUP BY reason, kafka_topic ORDER BY n DESC, reason',
  );
  return rows.map((r) => ({ reason: r.reason, topic: r.kafka_topic, count: Number(r.n) }));
}
