import { describe, expect, it } from 'vitest';
import type { SourceMessage } from '@govstats/kafka';
import type { RejectionReason } from '@govstats/schemas';
import { decodeMessage, type DecodeContext, type Decoded } from '../src/decode-message.ts';
import {
  GRID_TOPIC,
  RETIRED_VILLAGE,
  SALE_TOPIC,
  TOWNSHIP,
  VILLAGE,
  defaultPlaces,
  eventType,
  gridVisit,
  message,
  sale,
} from './fixtures.ts';

const NOW = Date.parse('2024-06-10T00:00:00Z');

function context(overrides: Partial<DecodeContext> = {}): DecodeContext {
  return {
    topic: GRID_TOPIC,
    partition: 3,
    places: defaultPlaces(),
    topicType: eventType('grid-visit'),
    maxEventBytes: 64 * 1024,
    futureToleranceMs: 5 * 60_000,
    now: NOW,
    ...overrides,
  };
}

function refused(decoded: Decoded): Extract<Decoded, { ok: false }> {
  if (decoded.ok) throw new Error('expected a refusal, the event was accepted');
  return decoded;
}

function accepted(decoded: Decoded): Extract<Decoded, { ok: true }> {
  if (!decoded.ok) throw new Error(`expected the event to be accepted, it was refused: ${decoded.reason}: ${decoded.detail}`);
  return decoded;
}

describe('decoding one Kafka message', () => {
  it('turns a valid event into its raw-table row, stamped with the batch clock and its Kafka position', () => {
    const decoded = accepted(decodeMessage(message(42, gridVisit('gv-1')), context()));
    expect(decoded.eventType.name).toBe('grid-visit');
    expect(decoded.eventId).toBe('gv-1');
    expect(decoded.occurredAt).toBe(Date.parse('2024-06-03T02:00:00Z'));
    expect(decoded.row).toMatchObject({
      event_id: 'gv-1',
      contract_version: 1,
      source: 'urn:govstats:test',
      village_code: VILLAGE,
      original_code: VILLAGE,
      area: 'rural',
      event_time: '2024-06-03T02:00:00.000Z',
      ingested_at: new Date(NOW).toISOString(),
      kafka_topic: GRID_TOPIC,
      kafka_partition: 3,
      kafka_offset: '42',
      kind: 'patrol',
    });
  });

  it('counts a retired code under its current place and keeps the code as sent', () => {
    const { row } = accepted(decodeMessage(message(1, gridVisit('gv-2', { subject: RETIRED_VILLAGE })), context()));
    expect(row.village_code).toBe(VILLAGE);
    expect(row.original_code).toBe(RETIRED_VILLAGE);
  });

  it('accepts any known type on the unrouted topic', () => {
    const decoded = accepted(decodeMessage(message(1, sale('s-1')), context({ topic: 'govstats.unrouted', topicType: undefined })));
    expect(decoded.eventType.name).toBe('cooperative-sale');
  });

  const refusals: Array<[string, RejectionReason, unknown, Partial<DecodeContext>?]> = [
    ['a message without a value', 'unparseable', null],
    ['an empty message', 'unparseable', Buffer.alloc(0)],
    ['bytes that are not UTF-8', 'unparseable', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['text that is not JSON', 'unparseable', '{ not json'],
    ['a message over the size limit, before it is parsed', 'oversized', `${'x'.repeat(200)}`, { maxEventBytes: 100 }],
    ['an envelope without a subject', 'invalid_envelope', gridVisit('gv-3', { subject: undefined })],
    ['a type govstats does not know', 'unknown_event_type', gridVisit('gv-4', { type: 'govstats.no-such-thing.v1' })],
    ['a contract version it does not know', 'unsupported_version', gridVisit('gv-5', { type: 'govstats.grid-visit.v99' })],
    ['data that breaks the contract', 'invalid_data', gridVisit('gv-6', { data: { grid_id: 'G01' } })],
    ['a place of a level the type does not accept', 'wrong_level', gridVisit('gv-7', { subject: TOWNSHIP })],
    ['another type on this type\u2019s topic', 'wrong_topic', sale('s-2')],
    ['a place neither in the catalogue nor retired into it', 'unknown_division', gridVisit('gv-8', { subject: '411224104202' })],
    ['a time beyond now plus the tolerance', 'future_time', gridVisit('gv-9', { time: '2024-06-10T08:06:00+08:00' })],
  ];
  it.each(refusals)('refuses %s as %s', (_what, reason, value, overrides) => {
    expect(refused(decodeMessage(message(7, value), context(overrides))).reason).toBe(reason);
  });

  it('accepts a time ahead of the clock within the tolerance', () => {
    accepted(decodeMessage(message(1, gridVisit('gv-10', { time: '2024-06-10T08:04:59+08:00' })), context()));
  });

  it('names the event, its type and subject in a refusal of a valid envelope', () => {
    const decoded = refused(decodeMessage(message(1, gridVisit('gv-11', { subject: '411224104202' })), context()));
    expect(decoded).toMatchObject({ eventId: 'gv-11', eventType: 'govstats.grid-visit.v1', subject: '411224104202' });
    expect(decoded.detail).toContain('411224104202');
  });

  it('judges a sale on its own topic', () => {
    accepted(decodeMessage(message(1, sale('s-3')), context({ topic: SALE_TOPIC, topicType: eventType('cooperative-sale') })));
  });
});

describe('the CloudEvents Kafka binding', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  /** The same event in the binary content mode: attributes in ce_* headers, data as the value. */
  function binary(event: Record<string, unknown>, extraHeaders: SourceMessage['headers'] = {}): SourceMessage {
    const { data, datacontenttype, ...attributes } = event;
    const headers: SourceMessage['headers'] = Object.fromEntries(
      Object.entries(attributes)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => [`ce_${name}`, Buffer.from(String(value))]),
    );
    if (datacontenttype !== undefined) headers['content-type'] = String(datacontenttype);
    return message(7, data, { ...headers, ...extraHeaders });
  }

  it('loads an event in the binary content mode as the same row as in the structured mode', () => {
    const structured = accepted(decodeMessage(message(7, gridVisit('gv-b1')), context()));
    const fromHeaders = accepted(decodeMessage(binary({ ...gridVisit('gv-b1'), datacontenttype: 'application/json' }), context()));
    expect(fromHeaders.row).toEqual(structured.row);
    expect(fromHeaders.row['extensions']).toEqual({});
  });

  it('keeps extension attributes of either mode in the row, and the trace context with the event', () => {
    const viaHeaders = accepted(decodeMessage(binary({ ...gridVisit('gv-b2'), traceparent, tenant: 'sanmenxia' }), context()));
    expect(viaHeaders.row['extensions']).toEqual({ traceparent, tenant: 'sanmenxia' });
    expect(viaHeaders.trace).toEqual({ traceparent, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });
    const structured = message(8, gridVisit('gv-b3', { traceparent }), { 'content-type': 'application/cloudevents+json; charset=UTF-8' });
    expect(accepted(decodeMessage(structured, context())).row['extensions']).toEqual({ traceparent });
  });

  it('reads data of a JSON content type with parameters', () => {
    accepted(decodeMessage(binary({ ...gridVisit('gv-b4'), datacontenttype: 'application/json; charset=utf-8' }), context()));
    accepted(decodeMessage(message(1, gridVisit('gv-b5', { datacontenttype: 'application/json; charset=utf-8' })), context()));
  });

  it.each([
    ['another event format', message(1, gridVisit('gv-c1'), { 'content-type': 'application/cloudevents+avro' }), 'unparseable', 'avro'],
    [
      'structured JSON in another encoding',
      message(1, gridVisit('gv-c2'), { 'content-type': 'application/cloudevents+json; charset=utf-16' }),
      'unparseable',
      'utf-16',
    ],
    [
      'binary data that is not JSON',
      binary({ ...gridVisit('gv-c3'), data: 'plain words', datacontenttype: 'text/plain' }),
      'invalid_envelope',
      'text/plain',
    ],
    [
      'a binary value that is not JSON',
      binary({ ...gridVisit('gv-c4'), data: Buffer.from('{"grid_id":') }),
      'unparseable',
      'data (the message value)',
    ],
    [
      'an attribute header sent twice',
      binary(gridVisit('gv-c5'), { ce_subject: [Buffer.from('411224104201'), Buffer.from('411224104202')] }),
      'invalid_envelope',
      'ce_subject appears 2 times',
    ],
    [
      'datacontenttype in a header of its own',
      binary(gridVisit('gv-c7'), { ce_datacontenttype: Buffer.from('application/json') }),
      'invalid_envelope',
      'ce_datacontenttype',
    ],
    ['a binary event without its id', binary(gridVisit('gv-c6', { id: undefined })), 'invalid_envelope', 'id'],
  ])('refuses %s', (_what, msg, reason, mentions) => {
    const decoded = refused(decodeMessage(msg, context()));
    expect(decoded.reason).toBe(reason);
    expect(decoded.detail).toContain(mentions);
  });

  it('names the trace context of an event it refuses, and ignores a malformed one', () => {
    const refusedEvent = refused(decodeMessage(message(1, gridVisit('gv-t1', { traceparent, data: { grid_id: 'G01' } })), context()));
    expect(refusedEvent.trace?.trace_id).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const malformed = refused(decodeMessage(message(1, gridVisit('gv-t2', { traceparent: 'not-a-trace', data: {} })), context()));
    expect(malformed.trace).toBeUndefined();
  });
});
