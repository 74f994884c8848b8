import { validateEvent, type EventTypeDefinition, type RejectionReason } from '@govstats/schemas';
import type { SourceMessage } from '@govstats/kafka';

/** Where an event with a given subject counts: the catalogue's answer, or the one recorded with a batch's intent. */
export interface PlaceLookup {
  resolve(subject: string): { code: string; area: string } | undefined;
}

export interface DecodeContext {
  topic: string;
  partition: number;
  /** Current places of the division catalogue and retired codes' successors, as the batch's plan saw them. */
  places: PlaceLookup;
  /** The event type this topic carries; undefined for the unrouted topic. */
  topicType: EventTypeDefinition | undefined;
  maxEventBytes: number;
  futureToleranceMs: number;
  now: number;
}

export type Decoded =
  | { ok: true; eventType: EventTypeDefinition; eventId: string; occurredAt: number; row: Record<string, unknown> }
  | { ok: false; reason: RejectionReason; detail: string; eventId: string; eventType: string; subject: string };

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
  const refuse = (reason: RejectionReason, detail: string, eventId = '', eventType = '', subject = ''): Decoded => ({
    ok: false,
    reason,
    detail,
    eventId,
    eventType,
    subject,
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
  if (!result.ok) return refuse(result.reason, result.detail, result.eventId, result.type, result.subject);
  const { event, eventType } = result;
  if (context.topicType && context.topicType !== eventType) {
    return refuse(
      'wrong_topic',
      `${event.type} published on ${context.topic}, which carries ${context.topicType.name}`,
      event.id,
      event.type,
      event.subject,
    );
  }
  const place = context.places.resolve(event.subject);
  if (!place) {
    return refuse(
      'unknown_division',
      `subject ${event.subject} is neither a place of the division catalogue nor a retired code of one`,
      event.id,
      event.type,
      event.subject,
    );
  }
  const occurredAt = Date.parse(event.time);
  if (occurredAt > context.now + context.futureToleranceMs) {
    return refuse('future_time', `time ${event.time} is in the future`, event.id, event.type, event.subject);
  }
  return {
    ok: true,
    eventType,
    eventId: event.id,
    occurredAt,
    row: {
      event_id: event.id,
      contract_version: result.version,
      source: event.source,
      village_code: place.code,
      original_code: event.subject,
      area: place.area,
      event_time: new Date(occurredAt).toISOString(),
      ingested_at: isoTime(context.now),
      kafka_topic: context.topic,
      kafka_partition: context.partition,
      kafka_offset: message.offset,
      ...result.columns,
    },
  };
}
