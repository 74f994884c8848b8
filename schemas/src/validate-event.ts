import { createHash } from 'node:crypto';
import { z } from 'zod';
import { levelOfCode } from './core/division-code.ts';
import {
  envelope,
  eventTypeName,
  extensionAttributes,
  extensionNameProblems,
  withoutNullAttributes,
  type Envelope,
} from './core/envelope.ts';
import type { EventTypeDefinition } from './core/event-type.ts';
import { cloudEventType, contractVersion, eventTypeByName } from './registry.ts';

/** Why an event was refused; stable codes for dashboards, with a human-readable detail. */
export type RejectionReason =
  | 'unparseable' // not UTF-8 JSON
  | 'invalid_envelope' // not a CloudEvents envelope govstats accepts
  | 'unknown_event_type' // type names no event type govstats knows
  | 'unsupported_version' // known type, unknown contract version
  | 'invalid_data' // data breaks the contract
  | 'wrong_topic' // valid event published on another type's topic
  | 'future_time' // occurred later than the clock allows
  | 'wrong_level' // subject is a place at a level this event type does not accept
  | 'unknown_division' // subject is not a place of the division catalogue (nor a retired code of one)
  | 'store_rejected' // valid, but refused by ClickHouse in a way no retry can fix
  | 'oversized'; // larger than the accepted message size

/** An event validated and mapped onto its raw table's columns. */
export interface ValidEvent {
  eventType: EventTypeDefinition;
  version: number;
  event: Envelope;
  /** Its extension attributes (e.g. `traceparent`), as text. */
  extensions: Record<string, string>;
  columns: Record<string, unknown>;
}

export type ValidationResult =
  | (ValidEvent & { ok: true; /** Events of other types it records (FedEvent), validated the same way. */ fed: ValidEvent[] })
  | {
      ok: false;
      reason: RejectionReason;
      detail: string;
      /** The attributes or data fields at fault (`subject`, `data.duration_minutes`), when a field is. */
      fields?: string[];
      eventId?: string;
      type?: string;
      subject?: string;
    };

const issuePath = (issue: z.core.$ZodIssue, prefix: string) => [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)';

/** Human-readable list of what is wrong, with the path of each problem. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issuePath(issue, prefix)}: ${issue.message}`)
    .join('; ');
}

/** The paths of the fields at fault, each once, for a caller that must point at them. */
export function issueFields(error: z.ZodError, prefix = ''): string[] {
  return [...new Set(error.issues.slice(0, 10).map((issue) => issuePath(issue, prefix)))];
}

/**
 * Checks a parsed JSON value against the envelope and the contract of its type and version, and
 * maps it onto raw-table columns. Pure: no clock, no I/O; time-based checks happen in the caller.
 */
export function validateEvent(value: unknown): ValidationResult {
  const candidate = value as { id?: unknown; type?: unknown; subject?: unknown } | null;
  const eventId = typeof candidate?.id === 'string' ? candidate.id.slice(0, 128) : undefined;
  const typeAttr = typeof candidate?.type === 'string' ? candidate.type.slice(0, 128) : undefined;
  // Kept with a refusal so a city's data-quality figures can count its own refused events.
  const subject = typeof candidate?.subject === 'string' && /^\d{12}$/.test(candidate.subject) ? candidate.subject : undefined;
  const parsedEnvelope = envelope.safeParse(withoutNullAttributes(value));
  if (!parsedEnvelope.success) {
    const { error } = parsedEnvelope;
    return {
      ok: false,
      reason: 'invalid_envelope',
      detail: describeIssues(error),
      fields: issueFields(error),
      eventId,
      type: typeAttr,
      subject,
    };
  }
  const badNames = extensionNameProblems(parsedEnvelope.data);
  if (badNames) return { ok: false, reason: 'invalid_envelope', detail: badNames, eventId, type: typeAttr, subject };
  const event = parsedEnvelope.data as Envelope;
  const named = eventTypeName(event.type)!;
  const eventType = eventTypeByName(named.name);
  if (!eventType) {
    const detail = `no event type named '${named.name}'`;
    return { ok: false, reason: 'unknown_event_type', detail, fields: ['type'], eventId, type: event.type, subject };
  }
  const contract = contractVersion(eventType, named.version);
  if (!contract) {
    const known = eventType.versions.map((v) => `v${v.version}`).join(', ');
    return {
      ok: false,
      reason: 'unsupported_version',
      fields: ['type'],
      detail: `${eventType.name} has no contract v${named.version} (known: ${known})`,
      eventId,
      type: event.type,
      subject,
    };
  }
  const level = levelOfCode(event.subject)!;
  if (!eventType.subjectLevels.includes(level as never)) {
    const accepted = eventType.subjectLevels.join(', ');
    return {
      ok: false,
      reason: 'wrong_level',
      fields: ['subject'],
      detail: `${eventType.name} events belong to a ${accepted}; subject ${event.subject} is a ${level}`,
      eventId,
      type: event.type,
      subject,
    };
  }
  const data = contract.data.safeParse(event.data);
  if (!data.success) {
    const { error } = data;
    const [detail, fields] = [describeIssues(error, 'data'), issueFields(error, 'data')];
    return { ok: false, reason: 'invalid_data', detail, fields, eventId, type: event.type, subject };
  }
  const validated: Envelope = { ...event, data: data.data };
  let columns: Record<string, unknown>;
  const fed: ValidEvent[] = [];
  try {
    columns = contract.toColumns(data.data, validated);
    for (const item of contract.feeds?.(data.data, validated) ?? []) {
      const type = eventTypeByName(item.type);
      const result = validateEvent({
        ...event,
        id: fedEventId(event.id, item.key),
        type: type ? cloudEventType(type) : `govstats.${item.type}.v1`,
        time: item.time ?? event.time,
        data: item.data,
      });
      if (!result.ok) throw new Error(`the ${item.type} event it records as ${item.key} is refused: ${result.reason}: ${result.detail}`);
      fed.push(
        {
          eventType: result.eventType,
          version: result.version,
          event: result.event,
          extensions: result.extensions,
          columns: result.columns,
        },
        ...result.fed,
      );
    }
  } catch (error) {
    return { ok: false, reason: 'invalid_data', detail: (error as Error).message, eventId, type: event.type, subject };
  }
  return { ok: true, eventType, version: named.version, event: validated, extensions: extensionAttributes(event), columns, fed };
}

/** `<event id>:<key>`, the event id shortened to a digest when the two would not fit an id. */
export function fedEventId(eventId: string, key: string): string {
  const id = `${eventId}:${key}`;
  return id.length <= 128 ? id : `${createHash('sha256').update(eventId).digest('hex').slice(0, 40)}:${key}`;
}
