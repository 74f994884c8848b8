import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicsFor } from '@govstats/config';
import { EVENT_TYPES, eventTypeByName } from '@govstats/schemas';
import { envelope, patrol } from '../../../test/support/events.ts';
import { callerRegistry, newCaller, parseCallers } from '../src/http/callers.ts';
import { BATCH_MEDIA_TYPE, STRUCTURED_MEDIA_TYPE, readCloudEvents } from '../src/http/cloudevents-http.ts';
import { judgeEvents, type JudgeContext } from '../src/http/judge-events.ts';
import { renderOpenApi } from '../src/http/openapi.ts';

const VILLAGE = '411224104201';

function visit(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...envelope('grid-visit', 'v-1', VILLAGE, '2024-05-02T09:00:00', { ...patrol(), ...data }),
    source: 'urn:hotline:411224',
    ...overrides,
  };
}

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('the CloudEvents HTTP binding', () => {
  it('reads one event in the structured mode and an array in the batched mode', () => {
    expect(readCloudEvents({ 'content-type': STRUCTURED_MEDIA_TYPE }, body(visit()), 10)).toEqual({
      ok: true,
      mode: 'structured',
      events: [visit()],
    });
    const batch = readCloudEvents({ 'content-type': `${BATCH_MEDIA_TYPE}; charset=utf-8` }, body([visit(), visit({ id: 'v-2' })]), 10);
    expect(batch).toMatchObject({ ok: true, mode: 'batch', events: [{ id: 'v-1' }, { id: 'v-2' }] });
  });

  it('reads the binary mode: ce- headers percent-decoded, Content-Type as datacontenttype, the body as data', () => {
    const read = readCloudEvents(
      {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'v-3',
        'ce-source': 'urn:hotline:%E5%8E%BF',
        'ce-type': 'govstats.grid-visit.v1',
        'ce-time': '2024-05-02T09:00:00+08:00',
        'ce-subject': VILLAGE,
        authorization: 'Bearer x',
      },
      body({ kind: 'patrol' }),
      10,
    );
    expect(read).toEqual({
      ok: true,
      mode: 'binary',
      events: [
        {
          specversion: '1.0',
          id: 'v-3',
          source: 'urn:hotline:县',
          type: 'govstats.grid-visit.v1',
          time: '2024-05-02T09:00:00+08:00',
          subject: VILLAGE,
          datacontenttype: 'application/json',
          data: { kind: 'patrol' },
        },
      ],
    });
  });

  it('refuses what it cannot read, with a status and a reason', () => {
    const refused = (headers: Record<string, string>, payload: Buffer, max = 10) => {
      const read = readCloudEvents(headers, payload, max);
      return read.ok ? read : { status: read.status, reason: read.reason };
    };
    expect(refused({ 'content-type': STRUCTURED_MEDIA_TYPE }, Buffer.from('{"id":'))).toEqual({ status: 400, reason: 'unparseable' });
    expect(refused({ 'content-type': BATCH_MEDIA_TYPE }, body(visit()))).toEqual({ status: 400, reason: 'not_a_batch' });
    expect(refused({ 'content-type': BATCH_MEDIA_TYPE }, body([visit(), visit(), visit()]), 2)).toEqual({
      status: 413,
      reason: 'too_many_events',
    });
    expect(refused({ 'content-type': 'application/json' }, body(visit()))).toEqual({ status: 415, reason: 'unsupported_media_type' });
    expect(refused({ 'content-type': 'application/cloudevents+avro' }, Buffer.from('x'))).toEqual({
      status: 415,
      reason: 'unsupported_media_type',
    });
    expect(refused({ 'content-type': `${STRUCTURED_MEDIA_TYPE}; charset=latin1` }, body(visit()))).toEqual({
      status: 415,
      reason: 'unsupported_media_type',
    });
    expect(refused({ 'ce-specversion': '1.0', 'ce-datacontenttype': 'application/json' }, body({}))).toEqual({
      status: 400,
      reason: 'invalid_envelope',
    });
    expect(refused({ 'ce-specversion': '1.0', 'ce-source': '%E5%8E' }, body({}))).toEqual({ status: 400, reason: 'invalid_envelope' });
  });
});

describe('callers and what they may speak for', () => {
  const hotline = newCaller({ name: 'hotline-411224', sources: ['urn:hotline:411224'], divisions: ['411224'] });
  const app = newCaller({ name: 'grid-app', sources: ['urn:grid-app:*'], divisions: ['4112', '4113'] });
  const callers = callerRegistry([hotline.entry, app.entry]);

  it('knows a caller by its key, and only by its key', () => {
    expect(callers.identify(`Bearer ${hotline.key}`)?.name).toBe('hotline-411224');
    expect(callers.identify(`bearer ${app.key}`)?.name).toBe('grid-app');
    expect(callers.identify(`Bearer ${hotline.key}x`)).toBeUndefined();
    expect(callers.identify(hotline.key)).toBeUndefined();
    expect(callers.identify(undefined)).toBeUndefined();
    // The file keeps the digest only.
    expect(hotline.yaml).not.toContain(hotline.key);
  });

  it('binds a caller to its sources and to the places under its division codes', () => {
    const caller = callers.identify(`Bearer ${hotline.key}`)!;
    expect(caller.forbids('urn:hotline:411224', VILLAGE)).toBeUndefined();
    expect(caller.forbids('urn:hotline:411202', VILLAGE)).toMatchObject({ field: 'source' });
    expect(caller.forbids('urn:hotline:411224', '411202001001')).toMatchObject({ field: 'subject' });
    const grid = callers.identify(`Bearer ${app.key}`)!;
    expect(grid.forbids('urn:grid-app:v2', '411302001001')).toBeUndefined();
    expect(grid.forbids('urn:grid-app', VILLAGE)).toMatchObject({ field: 'source' });
  });

  it('refuses a callers file that is wrong, saying where', () => {
    expect(() => parseCallers('callers: []', 'callers.yaml')).toThrow(/callers\.yaml: callers/);
    const entry = { name: 'x', key_sha256: 'a'.repeat(64), sources: ['s'], divisions: ['41122'] };
    expect(() => parseCallers(JSON.stringify({ callers: [entry] }), 'f')).toThrow(/divisions\.0: a division-code prefix/);
    const twice = {
      callers: [
        { ...entry, divisions: ['41'] },
        { ...entry, divisions: ['41'], key_sha256: 'b'.repeat(64) },
      ],
    };
    expect(() => parseCallers(JSON.stringify(twice), 'f')).toThrow(/listed twice/);
    expect(() => parseCallers(JSON.stringify({ callers: [{ ...entry, divisions: ['41'], key: 'plain' }] }), 'f')).toThrow(/key/);
    const both = { ...entry, divisions: ['41'], key_file: '/run/secrets/k' };
    expect(() => parseCallers(JSON.stringify({ callers: [both] }), 'f')).toThrow(/key_sha256 or key_file/);
  });

  it('takes a key from a file of its own (a Docker secret), hashed as it is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'govstats-callers-'));
    const key = 'a'.repeat(48);
    writeFileSync(join(dir, 'key'), `${key}\n`);
    writeFileSync(join(dir, 'short'), 'abc\n');
    const entry = { name: 'kiosk', sources: ['urn:kiosk'], divisions: ['4112'] };
    const registry = parseCallers(JSON.stringify({ callers: [{ ...entry, key_file: join(dir, 'key') }] }), 'f');
    expect(registry.identify(`Bearer ${key}`)?.name).toBe('kiosk');
    expect(() => parseCallers(JSON.stringify({ callers: [{ ...entry, key_file: join(dir, 'short') }] }), 'f')).toThrow(/shorter than 32/);
    expect(() => parseCallers(JSON.stringify({ callers: [{ ...entry, key_file: join(dir, 'none') }] }), 'f')).toThrow(
      /cannot read key_file/,
    );
  });
});

describe('judging events', () => {
  const hotline = newCaller({ name: 'hotline-411224', sources: ['urn:hotline:411224'], divisions: ['411224'] });
  const context: JudgeContext = {
    caller: callerRegistry([hotline.entry]).identify(`Bearer ${hotline.key}`)!,
    topics: topicsFor('t'),
    now: Date.parse('2024-06-01T00:00:00Z'),
    futureToleranceMs: 600_000,
    maxEventBytes: 4096,
  };

  it('routes a valid event to its type topic, keyed by its place, as the structured Kafka mode', () => {
    const { accepted, refused } = judgeEvents([visit()], context);
    expect(refused).toEqual([]);
    expect(accepted).toEqual([
      {
        topic: 't.grid-visit',
        type: 'grid-visit',
        message: { key: VILLAGE, value: JSON.stringify(visit()), headers: { 'content-type': STRUCTURED_MEDIA_TYPE } },
      },
    ]);
  });

  it('names the event and the field of each refusal', () => {
    const { accepted, refused } = judgeEvents(
      [
        visit({ id: 'ok' }),
        visit({ id: 'bad-data' }, { duration_minutes: -1 }),
        visit({ id: 'bad-subject', subject: '4112' }),
        visit({ id: 'future', time: '2024-06-02T00:00:00Z' }),
        visit({ id: 'elsewhere', subject: '411202001001' }),
        visit({ id: 'other-source', source: 'urn:app' }),
        visit({ id: 'huge' }, { grid_id: 'G'.repeat(5000) }),
        visit({ id: 'v9', type: 'govstats.grid-visit.v9' }),
      ],
      context,
    );
    expect(accepted.map((e) => e.message.key)).toEqual([VILLAGE]);
    expect(refused.map(({ index, id, reason, fields }) => ({ index, id, reason, fields }))).toEqual([
      { index: 1, id: 'bad-data', reason: 'invalid_data', fields: ['data.duration_minutes'] },
      { index: 2, id: 'bad-subject', reason: 'invalid_envelope', fields: ['subject'] },
      { index: 3, id: 'future', reason: 'future_time', fields: ['time'] },
      { index: 4, id: 'elsewhere', reason: 'forbidden', fields: ['subject'] },
      { index: 5, id: 'other-source', reason: 'forbidden', fields: ['source'] },
      { index: 6, id: 'huge', reason: 'oversized', fields: [] },
      { index: 7, id: 'v9', reason: 'unsupported_version', fields: ['type'] },
    ]);
  });

  it('takes only its own type on a per-type route', () => {
    const { refused } = judgeEvents([visit()], { ...context, routeType: eventTypeByName('hazard') });
    expect(refused).toMatchObject([{ reason: 'wrong_route', fields: ['type'] }]);
  });
});

describe('the OpenAPI description', () => {
  const document = renderOpenApi('1.2.3') as {
    openapi: string;
    paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: { oneOf?: { $ref: string }[] } }> } } }>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };

  it('has a route per event type, each with the schema of every contract version, generated from the registry', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const type of EVENT_TYPES) {
      const schema = document.paths[`/events/${type.name}`]?.post?.requestBody.content[STRUCTURED_MEDIA_TYPE]?.schema;
      expect(schema?.oneOf?.map((s) => s.$ref)).toEqual(type.versions.map((v) => `#/components/schemas/${type.name}.v${v.version}`));
      for (const ref of schema!.oneOf!) expect(document.components.schemas[ref.$ref.split('/').pop()!]?.properties).toHaveProperty('data');
    }
    const any = document.paths['/events']?.post?.requestBody.content[STRUCTURED_MEDIA_TYPE]?.schema.oneOf ?? [];
    expect(any.length).toBe(EVENT_TYPES.reduce((n, t) => n + t.versions.length, 0));
  });
});
