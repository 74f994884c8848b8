import { z } from 'zod';
import { placeCode } from './division-code.ts';
import { notJsonText } from './media-type.ts';

/**
 * The CloudEvents 1.0 envelope every govstats event travels in (as JSON: the structured content
 * mode; ingest turns the binary mode's headers into the same attributes first).
 * `type` names the event type and contract version (`govstats.<type>.v<N>`), `subject` is the
 * place it belongs to (a village or community, or a township, county or city for activity above
 * the village), `time` is when it happened (not when it was sent).
 */
export const EVENT_TYPE_PATTERN = /^govstats\.([a-z][a-z0-9-]{1,40})\.v([1-9][0-9]{0,2})$/;

const EARLIEST_EVENT_TIME = Date.parse('2000-01-01T00:00:00Z');
/** No event is dated before this China day: a state figure sums every change from it on. */
export const EARLIEST_EVENT_DAY = '2000-01-01';
const LATEST_EVENT_TIME = Date.parse('2100-01-01T00:00:00Z');

export const eventTime = z.iso.datetime({ offset: true, precision: undefined }).refine((t) => {
  const ms = Date.parse(t);
  return ms >= EARLIEST_EVENT_TIME && ms < LATEST_EVENT_TIME;
}, 'must be between 2000-01-01 and 2100-01-01');

/** The context attributes govstats reads; anything else is an extension attribute. */
export const envelopeAttributes = z.object({
  specversion: z.literal('1.0'),
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
  source: z.string().min(1).max(256),
  type: z.string().regex(EVENT_TYPE_PATTERN, 'must look like govstats.<event-type>.v<version>'),
  time: eventTime,
  subject: placeCode,
  datacontenttype: z
    .string()
    .max(256)
    .superRefine((value, ctx) => {
      const problem = notJsonText(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  dataschema: z.string().max(256).optional(),
  data: z.unknown(),
});

/** CloudEvents: attribute names are lower-case ASCII letters and digits (the spec asks for at most 20; longer ones are kept too). */
export const ATTRIBUTE_NAME = /^[a-z0-9]{1,64}$/;
const MAX_EXTENSIONS = 32;
/** W3C Trace Context limits `tracestate` to 512 characters; nothing an extension carries needs more than this. */
const MAX_EXTENSION_CHARS = 2048;

/** An extension value in the JSON format: a String, an Integer (32-bit) or a Boolean. */
const extensionValue = z.union([
  z.string().max(MAX_EXTENSION_CHARS),
  z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1),
  z.boolean(),
]);

const KNOWN_ATTRIBUTES = new Set(Object.keys(envelopeAttributes.shape));

/**
 * The envelope as the spec writes it: the attributes above, plus extension attributes (such as
 * `traceparent` from Distributed Tracing), kept with the event. `data` is checked by the contract.
 * What a catch-all cannot state about extension names, extensionNameProblems checks.
 */
export const envelope = envelopeAttributes.catchall(extensionValue);

/**
 * What is wrong with the names of an envelope's extension attributes, as `name: problem` parts
 * joined by '; ', or undefined. A plain loop rather than a zod refinement, which costs a third of
 * an event's validation on every event.
 */
export function extensionNameProblems(event: object): string | undefined {
  const problems: string[] = [];
  let extensions = 0;
  for (const name in event) {
    if (KNOWN_ATTRIBUTES.has(name)) continue;
    extensions++;
    if (name === 'data_base64') problems.push(`${name}: binary data is not accepted: event data must be JSON, in data`);
    else if (!ATTRIBUTE_NAME.test(name)) problems.push(`${name}: is not a CloudEvents attribute name (lower-case letters and digits only)`);
  }
  if (extensions > MAX_EXTENSIONS) problems.push(`${extensions} extension attributes; at most ${MAX_EXTENSIONS} are accepted`);
  return problems.length > 0 ? problems.slice(0, 10).join('; ') : undefined;
}

/**
 * The JSON format of CloudEvents treats an attribute whose value is null as absent: the envelope
 * without them (the same object when there is none, as nearly always). `data` is the contract's.
 */
export function withoutNullAttributes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const attributes = value as Record<string, unknown>;
  // A loop, not Object.entries: this runs for every event and nearly always finds nothing.
  let hasNull = false;
  for (const name in attributes) {
    if (attributes[name] === null && name !== 'data') {
      hasNull = true;
      break;
    }
  }
  if (!hasNull) return value;
  return Object.fromEntries(Object.entries(attributes).filter(([name, v]) => v !== null || name === 'data'));
}

/** What an event without extension attributes keeps: one shared, frozen empty map. */
const NO_EXTENSIONS: Readonly<Record<string, string>> = Object.freeze({});

/** The extension attributes of a valid envelope, as text (how the raw tables keep them). */
export function extensionAttributes(event: object): Readonly<Record<string, string>> {
  let extensions: Record<string, string> | undefined;
  const attributes = event as Record<string, unknown>;
  for (const name in attributes) {
    if (!KNOWN_ATTRIBUTES.has(name)) (extensions ??= {})[name] = String(attributes[name]);
  }
  return extensions ?? NO_EXTENSIONS;
}

/** The attributes govstats reads; extension attributes travel along unseen (extensionAttributes reads them). */
export type Envelope<Data = unknown> = Omit<z.infer<typeof envelopeAttributes>, 'data'> & { data: Data };

export function eventTypeName(type: string): { name: string; version: number } | undefined {
  const match = EVENT_TYPE_PATTERN.exec(type);
  if (!match) return undefined;
  return { name: match[1]!, version: Number(match[2]) };
}

export function dataSchemaUri(name: string, version: number): string {
  return `urn:govstats:schema:${name}:v${version}`;
}
