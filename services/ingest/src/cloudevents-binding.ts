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
/** Attributes the binary mode carries elsewhere than in a ce_ header. */
const NOT_HEADERS: Record<string, string> = {
  ce_datacontenttype: 'in the binary mode datacontenttype is the content-type header',
  ce_data: 'in the binary mode data is the message value',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The event a message carries, as the JSON value the envelope is validated against. */
export function readCloudEvent(message: SourceMessage): ReadEvent {
  const contentType = headerText(message, 'content-type');
  if (!contentType.ok) return contentType;
  const reading = contentType.text === undefined ? undefined : readContentType(contentType.text);
  if (reading?.cloudEvents) {
    if (reading.notStructuredJson) return refuse('unparseable', reading.notStructuredJson);
    return structured(message);
  }
  if (message.headers[SPEC_VERSION_HEADER] !== undefined) return binary(message, contentType.text, reading?.notJson);
  return structured(message);
}

/** Which content mode a message is in, from its `content-type` and whether it has a `ce_specversion` header. */
export function contentMode(contentType: string | undefined, hasSpecVersion: boolean): 'structured' | 'binary' | 'plain' {
  if (contentType !== undefined && readContentType(contentType).cloudEvents) return 'structured';
  return hasSpecVersion ? 'binary' : 'plain';
}

/** What a `content-type` header value means here. */
interface ContentTypeReading {
  /** It names a CloudEvents event format: the structured mode. */
  cloudEvents: boolean;
  /** Why a structured message of this type cannot be read (another event format, another charset). */
  notStructuredJson?: string;
  /** Why binary-mode data of this type is not JSON text. */
  notJson?: string;
}

/**
 * Producers send the same few content types on every message: each distinct value is read once
 * (a few, so the memory is bounded; a flood of distinct values only clears it now and then).
 */
const readings = new Map<string, ContentTypeReading>();
const MAX_READINGS = 64;

function readContentType(text: string): ContentTypeReading {
  let reading = readings.get(text);
  if (reading) return reading;
  const essence = parseMediaType(text)?.essence;
  const notJson = notJsonText(text);
  if (!essence?.startsWith('application/cloudevents')) reading = { cloudEvents: false, ...(notJson && { notJson }) };
  else if (essence !== STRUCTURED_JSON)
    reading = { cloudEvents: true, notStructuredJson: `event format ${essence} is not read; govstats reads ${STRUCTURED_JSON}` };
  else reading = { cloudEvents: true, ...(notJson && { notStructuredJson: `content-type: ${notJson}` }) };
  if (readings.size >= MAX_READINGS) readings.clear();
  readings.set(text, reading);
  return reading;
}

/** The value is the whole event as JSON. */
function structured(message: SourceMessage): ReadEvent {
  const bytes = message.value;
  if (bytes === null || bytes.length === 0) return refuse('unparseable', 'empty message (no value)');
  return parseJson(bytes, 'not UTF-8 JSON');
}

/** Attributes from `ce_*` headers, `datacontenttype` from `content-type`, `data` from the value. */
function binary(message: SourceMessage, contentType: string | undefined, notJson: string | undefined): ReadEvent {
  const event: Record<string, unknown> = {};
  for (const name of Object.keys(message.headers)) {
    if (!name.startsWith(ATTRIBUTE_HEADER_PREFIX)) continue;
    if (Object.hasOwn(NOT_HEADERS, name)) return refuse('invalid_envelope', `header ${name}: ${NOT_HEADERS[name]}`);
    const header = headerText(message, name);
    if (!header.ok) return header;
    event[name.slice(ATTRIBUTE_HEADER_PREFIX.length)] = header.text;
  }
  if (contentType !== undefined) event['datacontenttype'] = contentType;
  const bytes = message.value;
  if (bytes !== null && bytes.length > 0) {
    // A content type that is not JSON is refused by the envelope, with the reason; parse only JSON.
    if (notJson) return { ok: true, value: event };
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
