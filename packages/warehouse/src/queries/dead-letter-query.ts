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
  /** Messages refused for this reason at their latest attempt. */
  count: number;
  /** Of those, how many a later replay loaded (or found loaded already). */
  resolved: number;
}

/** A refused message as it stands now: its latest refusal, unless a replay has since loaded it. */
export interface OpenDeadLetter {
  origin: { topic: string; partition: number; offset: string };
  key: string;
  reason: string;
  detail: string;
  eventId: string;
  attempts: number;
  lastRefusedAt: string;
  payloadBase64: string;
  /** Its CloudEvents headers (content-type, ce_*): a binary-mode event's attributes. */
  bindingHeaders: Record<string, string>;
}

/**
 * Each refused original once, with its latest attempt's reason; replays refused again are attempts
 * of it. Its place is the first 12-digit subject among its attempts, else its Kafka key when that is
 * one (producers key by division code), else '' (unparseable bytes without a key belong nowhere).
 */
export const DEAD_LETTERS_BY_ORIGIN = `SELECT origin_topic, origin_partition, origin_offset,
    argMax(reason, dead_lettered_at) AS reason, argMax(detail, dead_lettered_at) AS detail, argMax(kafka_key, dead_lettered_at) AS kafka_key,
    argMax(event_id, dead_lettered_at) AS event_id, argMax(payload_base64, dead_lettered_at) AS payload_base64,
    argMax(binding_headers, dead_lettered_at) AS binding_headers,
    count() AS attempts, min(dead_lettered_at) AS first_refused_at, max(dead_lettered_at) AS last_refused_at,
    argMinIf(refused_place, dead_lettered_at, refused_place != '') AS place,
    (origin_topic, origin_partition, origin_offset) IN (SELECT origin_topic, origin_partition, origin_offset FROM dead_letter_resolutions) AS resolved
  FROM (
    SELECT *, multiIf(match(subject, '^[0-9]{12}$'), subject, match(kafka_key, '^[0-9]{12}$'), kafka_key, '') AS refused_place
    FROM dead_letters FINAL
  )
  GROUP BY origin_topic, origin_partition, origin_offset`;

/**
 * Dead letters not resolved yet, oldest first: what `govstats dlq replay` sends through ingest
 * again. `reason` filters on the latest refusal, `since` (ISO time) on when that was.
 */
export async function openDeadLetters(
  store: Store,
  options: { reason?: string; since?: string; limit?: number } = {},
): Promise<OpenDeadLetter[]> {
  const rows = await queryRows<Record<string, string | number> & { binding_headers: Record<string, string> }>(
    store.client,
    `SELECT * FROM (${DEAD_LETTERS_BY_ORIGIN})
WHERE NOT resolved AND ({reason:String} = '' OR reason = {reason:String}) AND last_refused_at >= parseDateTime64BestEffort({since:String}, 3, 'UTC')
ORDER BY last_refused_at, origin_topic, origin_partition, origin_offset
LIMIT {limit:UInt32}`,
    { reason: options.reason ?? '', since: options.since ?? '1970-01-01T00:00:00Z', limit: options.limit ?? 1_000_000 },
  );
  return rows.map((r) => ({
    origin: { topic: String(r.origin_topic), partition: Number(r.origin_partition), offset: String(r.origin_offset) },
    key: String(r.kafka_key),
    reason: String(r.reason),
    detail: String(r.detail),
    eventId: String(r.event_id),
    attempts: Number(r.attempts),
    lastRefusedAt: String(r.last_refused_at),
    payloadBase64: String(r.payload_base64),
    bindingHeaders: r.binding_headers,
  }));
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

/** Refused messages by reason and topic, each original once (its latest reason), and how many replays resolved. */
export async function deadLetterSummary(store: Store): Promise<DeadLetterSummaryRow[]> {
  const rows = await queryRows<{ reason: string; origin_topic: string; n: string; resolved: string }>(
    store.client,
    `SELECT reason, origin_topic, count() AS n, countIf(resolved) AS resolved FROM (${DEAD_LETTERS_BY_ORIGIN}) GROUP BY reason, origin_topic ORDER BY n DESC, reason`,
  );
  return rows.map((r) => ({ reason: r.reason, topic: r.origin_topic, count: Number(r.n), resolved: Number(r.resolved) }));
}
