import type { Topics } from '@govstats/config';
import type { OutgoingMessage } from '@govstats/kafka';
import { eventTypeByName, eventTypeName, validateEvent, type EventTypeDefinition, type RejectionReason } from '@govstats/schemas';
import { STRUCTURED_CONTENT_TYPE } from '../publish-file.ts';
import type { Caller } from './callers.ts';

/** Why one event of a request is refused: ingest's reasons, and the service's own. */
export type EventRefusalReason = RejectionReason | 'forbidden' | 'wrong_route';

export interface EventRefusal {
  /** Its place in the request (0 for a single event). */
  index: number;
  id?: string;
  reason: EventRefusalReason;
  /** The attributes or data fields at fault, e.g. `subject`, `data.duration_minutes`. */
  fields: string[];
  detail: string;
}

/** A judged event, ready for its topic. */
export interface RoutedEvent {
  topic: string;
  /** Its event type's name, for the metrics. */
  type: string;
  message: OutgoingMessage;
}

export interface Judgement {
  accepted: RoutedEvent[];
  refused: EventRefusal[];
}

export interface JudgeContext {
  caller: Caller;
  topics: Topics;
  /** The type a per-type route accepts; undefined on the route for any type. */
  routeType?: EventTypeDefinition;
  now: number;
  futureToleranceMs: number;
  maxEventBytes: number;
}

const STRUCTURED_HEADERS = { 'content-type': STRUCTURED_CONTENT_TYPE };

/** The type label of an event for the metrics: a known type's name, else `unknown` (bounded labels). */
export function typeLabel(event: unknown): string {
  const type = (event as { type?: unknown } | null)?.type;
  const named = typeof type === 'string' ? eventTypeName(type) : undefined;
  return named && eventTypeByName(named.name) ? named.name : 'unknown';
}

/**
 * The checks ingest makes of every event, made here while the caller waits (the envelope, the
 * contract of its type and version, the level of its subject, its time), and the caller's right
 * to speak for its source and place. Whether the subject is in the division catalogue is left to
 * ingest, which holds the catalogue's editions and corrections.
 */
export function judgeEvents(events: unknown[], context: JudgeContext): Judgement {
  const accepted: RoutedEvent[] = [];
  const refused: EventRefusal[] = [];
  events.forEach((event, index) => {
    // Serialized once: for the size check and as the Kafka value (a binary-mode event has no body to reuse).
    const value = JSON.stringify(event);
    const id = (event as { id?: unknown } | null)?.id;
    const refuse = (reason: EventRefusalReason, fields: string[], detail: string) =>
      refused.push({ index, ...(typeof id === 'string' && { id: id.slice(0, 128) }), reason, fields, detail });
    const bytes = Buffer.byteLength(value);
    if (bytes > context.maxEventBytes) {
      return refuse('oversized', [], `${bytes} bytes, more than the ${context.maxEventBytes} accepted for one event`);
    }
    const result = validateEvent(event);
    if (!result.ok) return refuse(result.reason, result.fields ?? [], result.detail);
    if (context.routeType && result.eventType !== context.routeType) {
      return refuse('wrong_route', ['type'], `${result.event.type} posted to the route of ${context.routeType.name}`);
    }
    if (Date.parse(result.event.time) > context.now + context.futureToleranceMs) {
      return refuse('future_time', ['time'], `time ${result.event.time} is in the future`);
    }
    const forbidden = context.caller.forbids(result.event.source, result.event.subject);
    if (forbidden) return refuse('forbidden', [forbidden.field], forbidden.detail);
    accepted.push({
      topic: context.topics.forEventType(result.eventType.name),
      type: result.eventType.name,
      message: { key: result.event.subject, value, headers: STRUCTURED_HEADERS },
    });
  });
  return { accepted, refused };
}
