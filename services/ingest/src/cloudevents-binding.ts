import type { SourceMessage } from '@govstats/kafka';
import { notJsonText, parseMediaType, type RejectionReason } from '@govstats/schemas';

/*
 * The CloudEvents Kafka protocol binding (spec: kafka-protocol-binding.md): a message is in the
 * structured content mode when its `content-type` header names a CloudEvents format
 * (`application/cloudevents+json`), in the binary mode when it has a `ce_specversion` header
 * (attributes in `ce_<name>` headers, `content-type` as `datacontenttype`, the value as `data`).
 * A message with neither is read as structured JSON, as govstats producers wrote before they
 * set `content-type`, and as tools such as kcat send.
 */

export type ReadEvent = { ok: true; value: unknown } | { ok: false; reason: RejectionReason; detail: string };

const STRUCTURED_JSON = 'application/cloudevents+json';
const ATTRIBUTE_HEADER_PREFIX = 'ce_';
const SPEC_VERSION_HEADER = `${ATTRIBUTE_HEADER_PREFIX}specversion`;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The event a message carries, as the JSON value the envelope is validated against. */
export function readCloudEvent(message: SourceMessage): ReadEvent {
  const contentType = headerText(message, 'content-type');
  if (!contentType.ok) return contentType;
  const mode = contentMode(contentType.text, message.headers[SPEC_VERSION_HEADER] !== undefined);
  if (mode === 'binary') return binary(message, contentType.text);
  if (mode === 'structured') {
    const essence = parseMediaType(contentType.text!)!.essence;
    if (essence !== STRUCTURED_JSON) return refuse('unparseable', `event format ${essence} is not read; govstats reads ${STRUCTURED_JSON}`);
    return structured(message, notJsonText(contentType.text!));
  }
  return structured(message, undefined);
}

/** Which content mode a message is in, from its `content-type` and whether it has a `ce_specversion` header. */
export function contentMode(contentType: string | undefined, hasSpecVersion: boolean): 'structured' | 'binary' | 'plain' {
  const media = contentType === undefined ? undefined : parseMediaType(contentType);
  if (media?.essence.startsWith('application/cloudevents')) return 'structured';
  return hasSpecVersion ? 'binary' : 'plain';
}

/** The value is the whole event as JSON. */
function structured(message: SourceMessage, encodingProblem: string | undefined): ReadEvent {
  const bytes = message.value;
  if (bytes === null || bytes.length === 0) return refuse('unparseable', 'empty message (no value)');
  if (encodingProblem) return refuse('unparseable', `content-type: ${encodingProblem}`);
  return parseJson(bytes, 'not UTF-8 JSON');
}

/** Attributes from `ce_*` headers, `datacontenttype` from `content-type`, `data` from the value. */
function binary(message: SourceMessage, contentType: string | undefined): ReadEvent {
  const event: Record<string, unknown> = {};
  for (const name of Object.keys(message.headers)) {
    if (!name.startsWith(ATTRIBUTE_HEADER_PREFIX)) continue;
    const header = headerText(message, name);
    if (!header.ok) return header;
    event[name.slice(ATTRIBUTE_HEADER_PREFIX.length)] = header.text;
  }
  if (contentType !== undefined) event['datacontenttype'] = contentType;
  const bytes = message.value;
  if (bytes !== null && bytes.length > 0) {
    // A content type that is not JSON is refused by the envelope, with the reason; parse only JSON.
    if (contentType !== undefined && notJsonText(contentType)) return { ok: true, value: event };
    const data = parseJson(bytes, 'data (the message value) is not UTF-8 JSON');
    if (!data.ok) return data;
    event['data'] = data.value;
  }
  return { ok: true, value: event };
}

function parseJson(bytes: Buffer, what: string): ReadEvent {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(bytes)) };
  } catch (error) {
    return refuse('unparseable', `${what}: ${(error as Error).message}`);
  }
}

/** A header as UTF-8 text; a header sent twice is refused, since the binding gives each attribute one value. */
function headerText(message: SourceMessage, name: string): { ok: true; text: string | undefined } | Extract<ReadEvent, { ok: false }> {
  const value = message.headers[name];
  if (value === undefined) return { ok: true, text: undefined };
  if (Array.isArray(value)) return refuse('invalid_envelope', `header ${name} appears ${value.length} times`);
  try {
    return { ok: true, text: typeof value === 'string' ? value : utf8.decode(value) };
  } catch {
    return refuse('invalid_envelope', `header ${name} is not UTF-8 text`);
  }
}

function refuse(reason: RejectionReason, detail: string): Extract<ReadEvent, { ok: false }> {
  return { ok: false, reason, detail };
}

/**
 * The headers this binding reads (`content-type`, `ce_*`): a dead letter keeps them beside the
 * payload, which alone is not the whole event in the binary mode.
 */
export function bindingHeaders(message: SourceMessage): SourceMessage['headers'] {
  const headers: SourceMessage['headers'] = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && (name === 'content-type' || name.startsWith(ATTRIBUTE_HEADER_PREFIX))) headers[name] = value;
  }
  return headers;
}

/** The same as text, one value each (a repeated header keeps its first): how the dead_letters table stores them. */
export function bindingHeadersText(message: SourceMessage): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(bindingHeaders(message))) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}
