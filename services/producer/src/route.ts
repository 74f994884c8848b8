import type { Topics } from '@govstats/config';
import { eventTypeByName, eventTypeName } from '@govstats/schemas';

export interface Route {
  topic: string;
  key: string | null;
}

/**
 * Which topic a raw line belongs on, judged only by its `type` and `subject`. Producers do not
 * validate lines they merely forward: the ingest consumers are the gate, and a line that cannot
 * be routed still goes to Kafka (the unrouted topic) so its refusal is recorded, not lost.
 */
export function routeLine(line: string, topics: Topics): Route {
  let parsed: { type?: unknown; subject?: unknown };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    return { topic: topics.unrouted, key: null };
  }
  return routeAttributes(parsed?.type, parsed?.subject, topics);
}

/** The same judgement from the `type` and `subject` attributes, wherever they were read (a binary-mode event's headers). */
export function routeAttributes(type: unknown, subject: unknown, topics: Topics): Route {
  const key = typeof subject === 'string' ? subject.slice(0, 64) : null;
  const named = typeof type === 'string' ? eventTypeName(type) : undefined;
  const eventType = named ? eventTypeByName(named.name) : undefined;
  return { topic: eventType ? topics.forEventType(eventType.name) : topics.unrouted, key };
}
