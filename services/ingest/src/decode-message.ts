import { validateEvent, type EventTypeDefinition, type RejectionReason } from '@govstats/schemas';
import type { SourceMessage } from '@govstats/kafka';

export interface DecodeContext {
  topic: string;
  partition: number;
  /** Village and community codes of the division dimension. */
  knownVillages: ReadonlySet<string>;
  /** The event type this topic carries; undefined for the unrouted topic. */
  topicType: EventTypeDefinition | undefined;
  maxEventBytes: number;
  futureToleranceMs: number;
  now: number;
}

export type Decoded =
  | { ok: true; eventType: EventTypeDefinition; eventId: string; row: Record<string, unknown> }
  | { ok: false; reason: RejectionReason; detail: string; eventId: string; eventType: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A batch decodes every message with the same clock reading: format it once, not per event. */
let formattedNow = { at: Number.NaN, iso: '' };
function isoTime(now: number): string {
  if (formattedNow.at !== now) formattedNow = { at: now, iso: new Date(now).toISOString() };
  return formattedNow.iso;
}

/**
 * Bytes from Kafka to a raw-table row, or to the reason it must be dead-lettered.
 * This is where every incoming event is checked; nothing here throws on bad input.
 */
export function decodeMessage(message: SourceMessage, context: DecodeContext): Decoded {
  const refuse = (reason: RejectionReason, detail: string, eventId = '', eventType = ''): Decoded => ({
    ok: false,
    reason,
    detail,
    eventId,
    eventType,
  });
  const bytes = message.value;
  if (bytes === null || bytes.length === 0) return refuse('unparseable', 'empty message (no value)');
  if (bytes.length > context.maxEventBytes) {
    return refuse('oversized', `${bytes.length} bytes, more than the ${context.maxEventBytes} accepted for one event`);
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return refuse('unparseable', `not UTF-8 JSON: ${(error as Error).message}`);
  }
  const result = validateEvent(value);
  if (!result.ok) return refuse(result.reason, result.detail, result.eventId, result.type);
  const { event, eventType } = result;
  if (context.topicType && context.topicType !== eventType) {
    return refuse('wrong_topic', `${event.type} published on ${context.topic}, which carries ${context.topicType.name}`, event.id, event.type);
  }
  if (!context.knownVillages.has(event.subject)) {
    return refuse('unknown_division', `subject ${event.subject} is not a village or community in the division dimension`, event.id, event.type);
  }
  const occurredAt = Date.parse(event.time);
  if (occurredAt > context.now + context.futureToleranceMs) {
    return refuse('future_time', `time ${event.time} is in the future`, event.id, event.type);
  }
  return {
    ok: true,
    eventType,
    eventId: event.id,
    row: {
      event_id: event.id,
      contract_version: result.version,
      source: event.source,
      village_code: event.subject,
      event_time: new Date(occurredAt).toISOString(),
      ingested_at: isoTime(context.now),
      kafka_topic: context.topic,
      kafka_partition: context.partition,
      kafka_offset: message.offset,
      ...result.columns,
    },
  };
}
