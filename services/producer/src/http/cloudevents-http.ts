import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import { notJsonText, parseMediaType } from '@govstats/schemas';

/*
 * The CloudEvents HTTP protocol binding (spec: http-protocol-binding.md) and its JSON batch
 * format: a request is
 *   - structured when its Content-Type is `application/cloudevents+json`: the body is one event;
 *   - batched when it is `application/cloudevents-batch+json`: the body is an array of events;
 *   - binary when it has a `ce-specversion` header: attributes in `ce-<name>` headers
 *     (percent-encoded, §3.1.3.2), Content-Type as `datacontenttype`, the body as `data`.
 * This module only reads events out of a request; the envelope and the contract judge them.
 */

export type ContentMode = 'structured' | 'binary' | 'batch';

export const STRUCTURED_MEDIA_TYPE = 'application/cloudevents+json';
export const BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/** Why a request as a whole cannot be read, as an HTTP status and words for the caller. */
export interface RequestProblem {
  status: 400 | 413 | 415;
  /** A stable code for counting: unparseable, not_a_batch, too_many_events, unsupported_media_type, invalid_envelope. */
  reason: string;
  title: string;
  detail: string;
}

export type ReadRequest = { ok: true; mode: ContentMode; events: unknown[] } | ({ ok: false } & RequestProblem);

const ATTRIBUTE_HEADER_PREFIX = 'ce-';
/** Attributes the binary mode carries elsewhere than in a ce- header. */
const NOT_HEADERS: Record<string, string> = {
  'ce-datacontenttype': 'in the binary mode datacontenttype is the Content-Type header',
  'ce-data': 'in the binary mode data is the request body',
};

/** The events a request carries, as the JSON values the envelope is validated against. */
export function readCloudEvents(headers: IncomingHttpHeaders, body: Buffer, maxBatchEvents: number): ReadRequest {
  const contentType = headers['content-type'];
  const essence = contentType === undefined ? undefined : parseMediaType(contentType)?.essence;
  if (essence === STRUCTURED_MEDIA_TYPE || essence === BATCH_MEDIA_TYPE) {
    const charsetProblem = notJsonText(contentType!);
    if (charsetProblem) return problem(415, 'unsupported_media_type', `Content-Type: ${charsetProblem}`);
    const parsed = parseJson(body, 'the body');
    if (!parsed.ok) return parsed;
    if (essence === STRUCTURED_MEDIA_TYPE) return { ok: true, mode: 'structured', events: [parsed.value] };
    if (!Array.isArray(parsed.value)) return problem(400, 'not_a_batch', `a ${BATCH_MEDIA_TYPE} body is a JSON array of events`);
    if (parsed.value.length > maxBatchEvents) {
      return problem(413, 'too_many_events', `${parsed.value.length} events in one request; at most ${maxBatchEvents} are accepted`);
    }
    return { ok: true, mode: 'batch', events: parsed.value };
  }
  if (essence?.startsWith('application/cloudevents')) {
    return problem(
      415,
      'unsupported_media_type',
      `event format ${essence} is not read; send ${STRUCTURED_MEDIA_TYPE} or ${BATCH_MEDIA_TYPE}`,
    );
  }
  if (headers['ce-specversion'] !== undefined) return binary(headers, contentType, body);
  return problem(
    415,
    'unsupported_media_type',
    `send Content-Type ${STRUCTURED_MEDIA_TYPE} (one event), ${BATCH_MEDIA_TYPE} (a JSON array of events), or the binary mode: ce-specversion, ce-id, ce-source, ce-type, ce-time, ce-subject headers and the data as a JSON body`,
  );
}

/** Attributes from `ce-*` headers, `datacontenttype` from Content-Type, `data` from the body. */
function binary(headers: IncomingHttpHeaders, contentType: string | undefined, body: Buffer): ReadRequest {
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(ATTRIBUTE_HEADER_PREFIX) || value === undefined) continue;
    if (Object.hasOwn(NOT_HEADERS, name)) return problem(400, 'invalid_envelope', `header ${name}: ${NOT_HEADERS[name]}`);
    // Node joins a repeated header with ', '; the binding gives each attribute one header.
    const text = Array.isArray(value) ? value.join(', ') : value;
    const decoded = percentDecode(text);
    if (decoded === undefined) return problem(400, 'invalid_envelope', `header ${name} is not percent-encoded UTF-8 text`);
    event[name.slice(ATTRIBUTE_HEADER_PREFIX.length)] = decoded;
  }
  if (contentType !== undefined) event['datacontenttype'] = contentType;
  // A content type that is not JSON is refused by the envelope, naming datacontenttype; parse only JSON.
  if (body.length > 0 && (contentType === undefined || notJsonText(contentType) === undefined)) {
    const data = parseJson(body, 'data (the body)');
    if (!data.ok) return data;
    event['data'] = data.value;
  }
  return { ok: true, mode: 'binary', events: [event] };
}

/** §3.1.3.2: a header value is percent-encoded UTF-8; undefined when it is not. */
function percentDecode(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parseJson(body: Buffer, what: string): { ok: true; value: unknown } | ({ ok: false } & RequestProblem) {
  if (body.length === 0) return problem(400, 'unparseable', `${what} is empty`);
  // isUtf8 checks natively and fast; TextDecoder's fatal mode costs more on every request.
  if (!isUtf8(body)) return problem(400, 'unparseable', `${what} is not UTF-8`);
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    return problem(400, 'unparseable', `${what} is not UTF-8 JSON: ${(error as Error).message}`);
  }
}

const TITLES: Record<string, string> = {
  unparseable: 'Not JSON',
  not_a_batch: 'Not a batch',
  too_many_events: 'Too many events',
  unsupported_media_type: 'Not a CloudEvents content mode',
  invalid_envelope: 'Bad attribute header',
};

function problem(status: RequestProblem['status'], reason: keyof typeof TITLES, detail: string): { ok: false } & RequestProblem {
  return { ok: false, status, reason, title: TITLES[reason]!, detail };
}
