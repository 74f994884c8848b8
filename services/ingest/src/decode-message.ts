import { validateEvent, type EventTypeDefinition, type RejectionReason, type ValidEvent } from '@govstats/schemas';
import type { SourceMessage } from '@govstats/kafka';
import { readCloudEvent } from './cloudevents-binding.ts';
import type { Refusal } from './dead-letters.ts';
import { traceFields, type TraceFields } from './trace-context.ts';

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

/** An event as a raw-table row. */
export interface DecodedRow {
  eventType: EventTypeDefinition;
  eventId: string;
  occurredAt: number;
  row: Record<string, unknown>;
  /** Its W3C trace context, when it carried one. */
  trace?: TraceFields;
}

export type Decoded =
  | (DecodedRow & { ok: true; /** Rows of the events of other types it records, loaded with it. */ fed: DecodedRow[] })
  | ({ ok: false } & Omit<Refusal, 'message'>);

/** A batch decodes every message with the same clock reading: format it once, not per event. */
let formattedNow = { at: Number.NaN, iso: '' };
function isoTime(now: number): string {
  if (formattedNow.at !== now) formattedNow = { at: now, iso: new Date(now).toISOString() };
  return formattedNow.iso;
}

/** A refusal, with what could be read of the event for the dead-letter row. */
function refusal(reason: RejectionReason, detail: string, eventId = '', eventType = '', subject = '', trace?: TraceFields): Decoded {
  return { ok: false, reason, detail, eventId, eventType, subject, ...(trace && { trace }) };
}

/** A valid event (its own, or one it records) as a row of its raw table, counted under `place`. */
function rowOf(
  valid: ValidEvent,
  occurredAt: number,
  place: { code: string; area: string },
  message: SourceMessage,
  context: DecodeContext,
): DecodedRow {
  const trace = traceFields(valid.extensions);
  return {
    ...(trace && { trace }),
    eventType: valid.eventType,
    eventId: valid.event.id,
    occurredAt,
    row: {
      event_id: valid.event.id,
      contract_version: valid.version,
      source: valid.event.source,
      village_code: place.code,
      original_code: valid.event.subject,
      area: place.area,
      event_time: new Date(occurredAt).toISOString(),
      ingested_at: isoTime(context.now),
      kafka_topic: context.topic,
      kafka_partition: context.partition,
      kafka_offset: message.offset,
      extensions: valid.extensions,
      ...valid.columns,
    },
  };
}

/**
 * Bytes from Kafka to a raw-table row, or to the reason it must be dead-lettered.
 * This is where every incoming event is checked; nothing here throws on bad input.
 * The helpers live at module level: this runs for every event, and two closures made per call
 * (each also named by the TypeScript loader) cost about a microsecond per event.
 */
export function decodeMessage(message: SourceMessage, context: DecodeContext): Decoded {
  const bytes = message.value?.length ?? 0;
  if (bytes > context.maxEventBytes) {
    return refusal('oversized', `${bytes} bytes, more than the ${context.maxEventBytes} accepted for one event`);
  }
  const read = readCloudEvent(message);
  if (!read.ok) return refusal(read.reason, read.detail);
  const trace = traceFields(read.value);
  const result = validateEvent(read.value);
  if (!result.ok) return refusal(result.reason, result.detail, result.eventId, result.type, result.subject, trace);
  const { event, eventType } = result;
  if (context.topicType && context.topicType !== eventType) {
    return refusal(
      'wrong_topic',
      `${event.type} published on ${context.topic}, which carries ${context.topicType.name}`,
      event.id,
      event.type,
      event.subject,
      trace,
    );
  }
  const place = context.places.resolve(event.subject);
  if (!place) {
    return refusal(
      'unknown_division',
      `subject ${event.subject} is neither a place of the division catalogue nor a retired code of one`,
      event.id,
      event.type,
      event.subject,
      trace,
    );
  }
  const occurredAt = Date.parse(event.time);
  if (occurredAt > context.now + context.futureToleranceMs) {
    return refusal('future_time', `time ${event.time} is in the future`, event.id, event.type, event.subject, trace);
  }
  const fed = result.fed.map((valid) => rowOf(valid, Date.parse(valid.event.time), place, message, context));
  return { ok: true, ...rowOf(result, occurredAt, place, message, context), fed };
}
