import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_SCHEMA_FILE,
  EVENT_TYPES,
  SCHEMAS_DIR,
  ancestorCode,
  cloudEventType,
  eventTypeFolder,
  fedEventId,
  levelOfCode,
  renderEnvelopeSchema,
  renderJsonSchemas,
  renderReference,
  renderTypeReference,
  validateEvent,
} from '../src/index.ts';

const VILLAGE = '411224104201';

function envelopeFor(typeName: string, data: unknown, overrides: Record<string, unknown> = {}) {
  const type = EVENT_TYPES.find((t) => t.name === typeName)!;
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: 'urn:test',
    type: cloudEventType(type, 1),
    time: '2024-03-02T10:00:00+08:00',
    subject: VILLAGE,
    data,
    ...overrides,
  };
}

/** Each type's first example, for the cases below that change one thing about it. */
const validData: Record<string, Record<string, unknown>> = Object.fromEntries(EVENT_TYPES.map((t) => [t.name, t.examples.valid[0]!]));

describe('contracts', () => {
  it.each(EVENT_TYPES.map((t) => t.name))('accepts a well-formed %s event and maps it onto its raw table', (name) => {
    const result = validateEvent(envelopeFor(name, validData[name]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const columns = new Set(result.eventType.rawTable.columns.map((c) => c.name));
    expect(new Set(Object.keys(result.columns))).toEqual(columns);
  });

  it.each(EVENT_TYPES.flatMap((t) => t.examples.valid.map((data, i) => [t.name, i, data] as const)))(
    'accepts %s example %i',
    (name, _i, data) => {
      const result = validateEvent(envelopeFor(name, data));
      expect(result.ok, JSON.stringify(result)).toBe(true);
    },
  );

  it.each(EVENT_TYPES.flatMap((t) => t.examples.invalid.map((example) => [t.name, example.what, example] as const)))(
    'refuses the %s example: %s',
    (name, _what, example) => {
      const result = validateEvent(envelopeFor(name, example.data));
      expect(result).toMatchObject({ ok: false, reason: 'invalid_data' });
      expect(result.ok ? '' : result.detail).toContain(example.error);
    },
  );

  it('accepts extension attributes as the CloudEvents spec writes them and keeps them as text', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const result = validateEvent(
      envelopeFor('grid-visit', validData['grid-visit'], { traceparent, tracestate: 'congo=t61rcWkgMzE', sampled: true, priority: 3 }),
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.extensions).toEqual({ traceparent, tracestate: 'congo=t61rcWkgMzE', sampled: 'true', priority: '3' });
  });

  it('treats an attribute whose value is null as absent, as the JSON format says', () => {
    const result = validateEvent(
      envelopeFor('grid-visit', validData['grid-visit'], { traceparent: null, dataschema: null, datacontenttype: null }),
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (result.ok) expect(result.extensions).toEqual({});
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset="UTF-8"',
    'application/vnd.gov+json',
    'text/json',
  ])('accepts data of content type %s', (datacontenttype) => {
    const result = validateEvent(envelopeFor('grid-visit', validData['grid-visit'], { datacontenttype }));
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  it.each([
    ['training-attendance', '411200000000', 'a city school'],
    ['training-attendance', '411224000000', 'a county party school'],
    ['dispute-case', '411224104000', 'a township mediation centre'],
    ['cooperative-sale', '411224104000', 'a township federation of cooperatives'],
  ])('accepts a %s event of %s (%s)', (name, subject) => {
    expect(validateEvent(envelopeFor(name, validData[name], { subject })).ok).toBe(true);
  });

  it.each([
    [
      'a province code as subject',
      envelopeFor('grid-visit', validData['grid-visit'], { subject: '410000000000' }),
      'invalid_envelope',
      'subject',
    ],
    [
      'a county as the place of a grid visit',
      envelopeFor('grid-visit', validData['grid-visit'], { subject: '411224000000' }),
      'wrong_level',
      'is a county',
    ],
    [
      'a city as the place of a cooperative sale',
      envelopeFor('cooperative-sale', validData['cooperative-sale'], { subject: '411200000000' }),
      'wrong_level',
      'village, township',
    ],
    [
      'a time without offset',
      envelopeFor('grid-visit', validData['grid-visit'], { time: '2024-03-02 10:00:00' }),
      'invalid_envelope',
      'time',
    ],
    ['an absurd year', envelopeFor('grid-visit', validData['grid-visit'], { time: '1970-01-01T00:00:00Z' }), 'invalid_envelope', 'time'],
    [
      'an unknown type',
      envelopeFor('grid-visit', validData['grid-visit'], { type: 'govstats.patrol-log.v1' }),
      'unknown_event_type',
      'patrol-log',
    ],
    [
      'an unknown version',
      envelopeFor('grid-visit', validData['grid-visit'], { type: 'govstats.grid-visit.v7' }),
      'unsupported_version',
      'v7',
    ],
    [
      'an attribute name CloudEvents does not allow',
      envelopeFor('grid-visit', validData['grid-visit'], { traceParent: 'x' }),
      'invalid_envelope',
      'traceParent: is not a CloudEvents attribute name',
    ],
    [
      'binary data',
      envelopeFor('grid-visit', undefined, { data_base64: 'eyJhIjoxfQ==' }),
      'invalid_envelope',
      'data_base64: binary data is not accepted',
    ],
    ['an extension that is a fraction', envelopeFor('grid-visit', validData['grid-visit'], { weight: 0.5 }), 'invalid_envelope', 'weight'],
    [
      'an extension that is an object',
      envelopeFor('grid-visit', validData['grid-visit'], { trace: { id: 1 } }),
      'invalid_envelope',
      'trace',
    ],
    [
      'more than 32 extensions',
      envelopeFor('grid-visit', validData['grid-visit'], Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`x${i}`, 'v']))),
      'invalid_envelope',
      '33 extension attributes',
    ],
    [
      'data that is not JSON by its content type',
      envelopeFor('grid-visit', validData['grid-visit'], { datacontenttype: 'text/plain' }),
      'invalid_envelope',
      'text/plain is not JSON',
    ],
    [
      'JSON in another encoding than UTF-8',
      envelopeFor('grid-visit', validData['grid-visit'], { datacontenttype: 'application/json; charset=iso-8859-1' }),
      'invalid_envelope',
      'charset iso-8859-1 is not UTF-8',
    ],
    [
      'a data field the contract does not declare, next to an extension',
      envelopeFor(
        'grid-visit',
        { ...validData['grid-visit'], note: 'x' },
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      ),
      'invalid_data',
      'note',
    ],
    [
      'a zero-minute visit',
      envelopeFor('grid-visit', { ...validData['grid-visit'], duration_minutes: 0 }),
      'invalid_data',
      'data.duration_minutes',
    ],
    [
      'a household visit without household',
      envelopeFor('grid-visit', { ...validData['grid-visit'], household_id: null }),
      'invalid_data',
      'household_id',
    ],
    [
      'a resolution without received_at',
      envelopeFor('dispute-case', { ...validData['dispute-case'], received_at: undefined }),
      'invalid_data',
      'received_at',
    ],
    [
      'a case received after it was resolved',
      envelopeFor('dispute-case', { ...validData['dispute-case'], received_at: '2024-03-05T00:00:00+08:00' }),
      'invalid_data',
      'after the event time',
    ],
    [
      'fractional fen',
      envelopeFor('cooperative-sale', { ...validData['cooperative-sale'], amount_fen: 10.5 }),
      'invalid_data',
      'amount_fen',
    ],
    [
      'an unknown sales channel',
      envelopeFor('cooperative-sale', { ...validData['cooperative-sale'], channel: 'barter' }),
      'invalid_data',
      'channel',
    ],
    [
      'hours not in quarter hours',
      envelopeFor('training-attendance', { ...validData['training-attendance'], hours: 1.1 }),
      'invalid_data',
      'quarter',
    ],
    [
      'a name as attendee id',
      envelopeFor('training-attendance', { ...validData['training-attendance'], attendee_id: '张三' }),
      'invalid_data',
      'attendee_id',
    ],
    [
      'markup in a course title',
      envelopeFor('training-attendance', { ...validData['training-attendance'], course: '<script>alert(1)</script>' }),
      'invalid_data',
      'injection',
    ],
    [
      'a SQL statement in a course title',
      envelopeFor('training-attendance', { ...validData['training-attendance'], course: "培训'; DROP TABLE grid_visits; --" }),
      'invalid_data',
      'injection',
    ],
    [
      'a tautology in a product name',
      envelopeFor('cooperative-sale', { ...validData['cooperative-sale'], product: "x' OR '1'='1" }),
      'invalid_data',
      'injection',
    ],
    ['not an object', 'hello', 'invalid_envelope', '(root)'],
  ])('refuses %s', (_label, event, reason, mentions) => {
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe(reason);
    expect(result.detail).toContain(mentions);
  });
});

describe('grid-visit contract v2 next to v1', () => {
  const v2 = {
    grid_id: 'G01',
    member_id: 'gm000001',
    household_id: 'hh000001',
    kind: 'hazard_check',
    started_at: '2024-03-02T09:00:00+08:00',
    ended_at: '2024-03-02T09:45:00+08:00',
    issues: [{ category: 'road' }],
    hazards: [
      { category: 'fire', handled: true },
      { category: 'gas', handled: false },
    ],
  };

  it('keeps the extensions on the events a visit records', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const result = validateEvent(envelopeFor('grid-visit', v2, { type: 'govstats.grid-visit.v2', traceparent }));
    if (!result.ok) throw new Error(result.detail);
    expect(result.fed.map((f) => f.extensions)).toEqual([{ traceparent }, { traceparent }, { traceparent }]);
  });

  it('maps itemised hazards and start/end times onto the v1 columns', () => {
    const result = validateEvent(envelopeFor('grid-visit', v2, { type: 'govstats.grid-visit.v2' }));
    expect(result).toMatchObject({
      ok: true,
      version: 2,
      columns: { hazards_found: 2, issues_found: 1, duration_minutes: 45, household_id: 'hh000001' },
    });
  });

  it('records each itemised hazard as a hazard: found by the grid member, closed on the spot when handled there', () => {
    const result = validateEvent(envelopeFor('grid-visit', v2, { type: 'govstats.grid-visit.v2' }));
    if (!result.ok) throw new Error(result.detail);
    const fed = result.fed.map((f) => [
      f.eventType.name,
      f.event.id,
      f.event.time,
      f.columns.step,
      f.columns.category,
      f.columns.closed_on_spot,
    ]);
    expect(fed).toEqual([
      ['hazard', 'evt-1:hazard-1', '2024-03-02T10:00:00+08:00', 'found', 'fire_safety', 0],
      ['hazard', 'evt-1:hazard-1-closed', '2024-03-02T10:00:00+08:00', 'verified_closed', 'fire_safety', 1],
      ['hazard', 'evt-1:hazard-2', '2024-03-02T10:00:00+08:00', 'found', 'gas', 0],
    ]);
    // One hazard id for both steps of a hazard, another for the next; a v1 visit's counts record none.
    expect(new Set(result.fed.map((f) => f.columns.hazard_id)).size).toBe(2);
    expect(result.fed.every((f) => f.event.source === 'urn:test' && f.event.subject === VILLAGE)).toBe(true);
    const v1 = validateEvent(envelopeFor('grid-visit', { ...validData['grid-visit'], hazards_found: 3 }));
    expect(v1.ok && v1.fed).toEqual([]);
  });

  it('keeps a fed event id within the id limit', () => {
    expect(fedEventId('e'.repeat(100), 'hazard-1')).toBe(`${'e'.repeat(100)}:hazard-1`);
    expect(fedEventId('e'.repeat(128), 'hazard-1')).toMatch(/^[0-9a-f]{40}:hazard-1$/);
  });

  it('refuses v1 data sent as v2, and an end before the start', () => {
    expect(validateEvent(envelopeFor('grid-visit', validData['grid-visit'], { type: 'govstats.grid-visit.v2' }))).toMatchObject({
      ok: false,
      reason: 'invalid_data',
    });
    const backwards = validateEvent(
      envelopeFor('grid-visit', { ...v2, ended_at: '2024-03-02T08:00:00+08:00' }, { type: 'govstats.grid-visit.v2' }),
    );
    expect(backwards).toMatchObject({ ok: false, reason: 'invalid_data' });
    expect(backwards.ok ? '' : backwards.detail).toContain('ended_at');
  });
});

it('accepts ordinary quotes and punctuation in labels', () => {
  const result = validateEvent(
    envelopeFor('training-attendance', { ...validData['training-attendance'], course: "学习'二十大'精神；乡村振兴（第2期）- 专题" }),
  );
  expect(result.ok).toBe(true);
});

describe('division codes', () => {
  it('reads the level from the code', () => {
    expect(levelOfCode('410000000000')).toBe('province');
    expect(levelOfCode('411200000000')).toBe('city');
    expect(levelOfCode('411224000000')).toBe('county');
    expect(levelOfCode('411224104000')).toBe('township');
    expect(levelOfCode('411224104201')).toBe('village');
    expect(levelOfCode('411224000201')).toBeUndefined();
    expect(levelOfCode('41122410420')).toBeUndefined();
  });

  it('finds ancestors by prefix', () => {
    expect(ancestorCode('411224104201', 'city')).toBe('411200000000');
    expect(ancestorCode('411224104201', 'township')).toBe('411224104000');
  });
});

describe('generated files (run `npm run schemas` after changing a contract or a declaration)', () => {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return `(missing: ${path})`;
    }
  };

  it('schemas/json holds the envelope schema, as the zod envelope says', () => {
    const dir = join(SCHEMAS_DIR, 'json');
    expect(readdirSync(dir)).toEqual([ENVELOPE_SCHEMA_FILE]);
    expect(read(join(dir, ENVELOPE_SCHEMA_FILE))).toBe(renderEnvelopeSchema());
  });

  it.each(EVENT_TYPES.map((t) => [t.name, t] as const))('the JSON Schemas in the folder of %s match its zod contracts', (_name, type) => {
    const folder = eventTypeFolder(type);
    const generated = renderJsonSchemas(type);
    expect(
      readdirSync(folder)
        .filter((file) => file.endsWith('.schema.json'))
        .sort(),
    ).toEqual([...generated.keys()].sort());
    for (const [file, content] of generated) expect(read(join(folder, file)), file).toBe(content);
  });

  it.each(EVENT_TYPES.map((t) => [t.name, t] as const))('the README.md in the folder of %s is its reference', (_name, type) => {
    expect(read(join(eventTypeFolder(type), 'README.md'))).toBe(renderTypeReference(type));
  });

  it('schemas/event-types.md is the reference of what every type shares, and names none', () => {
    const text = read(join(SCHEMAS_DIR, 'event-types.md'));
    expect(text).toBe(renderReference());
    for (const type of EVENT_TYPES) expect(text, type.name).not.toMatch(new RegExp(`[\`/]${type.name}[\`/.]`));
  });
});
