import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink, type OutgoingMessage } from '@govstats/kafka';
import { EVENT_TYPES, type RollupLevel } from '@govstats/schemas';
import { createIngestService, type IngestStats } from '../services/ingest/src/index.ts';
import { deadLetterSummary, queryPlaceFigures } from '@govstats/warehouse';
import { envelope } from './support/events.ts';
import { govstatsArgs } from './support/govstats-process.ts';
import { failFirstInsertAfterApplying } from './support/faulty-store.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

/*
 * Hand-built events with totals worked out by hand. Places:
 *   A 411224104201 河南村 and B 411224104202 岭东村 — 朱阳关镇 411224104000, 卢氏县 411224000000
 *   C 411203100202 城村 — 大营镇 411203100000, 陕州区 411203000000      (all in 三门峡市 411200000000)
 *   D 140702105220 东郝村 — 修文镇 140702105000, 榆次区 140702000000, 晋中市 140700000000
 */
const A = '411224104201';
const B = '411224104202';
const C = '411203100202';
const D = '140702105220';

const visit = (
  id: string,
  subject: string,
  time: string,
  grid: string,
  member: string,
  household: string | null,
  kind: string,
  issues: number,
  hazards: number,
  minutes: number,
) =>
  envelope('grid-visit', id, subject, time, {
    grid_id: grid,
    member_id: member,
    household_id: household,
    kind,
    issues_found: issues,
    hazards_found: hazards,
    duration_minutes: minutes,
  });
const dispute = (id: string, subject: string, time: string, caseId: string, step: string, level: string, receivedAt?: string) =>
  envelope('dispute-case', id, subject, time, {
    case_id: caseId,
    category: 'neighbourhood',
    step,
    handling_level: level,
    ...(receivedAt ? { received_at: `${receivedAt}+08:00` } : {}),
  });
const attend = (id: string, subject: string, time: string, session: string, attendee: string, role: string, mode: string, hours: number) =>
  envelope('training-attendance', id, subject, time, {
    session_id: session,
    course: '网格化管理业务培训',
    organising_level: 'township',
    attendee_id: attendee,
    role,
    mode,
    hours,
  });
const sale = (id: string, subject: string, time: string, coop: string, product: string, quantity: number, fen: number, channel: string) =>
  envelope('cooperative-sale', id, subject, time, { cooperative_id: coop, product, quantity, unit: 'kg', amount_fen: fen, channel });

const g1 = visit('g1', A, '2024-03-01T09:00:00', 'G01', 'gm_a00001', 'hh_a00001', 'household_visit', 1, 0, 30);
const g2 = visit('g2', A, '2024-03-01T15:00:00', 'G01', 'gm_a00001', null, 'patrol', 0, 2, 60);
const c1Received = dispute('d1', A, '2024-03-02T09:00:00', 'c1', 'received', 'village');
const VALID = [
  g1,
  g2,
  visit('g3', A, '2024-03-02T10:00:00', 'G02', 'gm_a00002', 'hh_a00002', 'household_visit', 0, 1, 20),
  visit('g4', B, '2024-03-05T11:00:00', 'G01', 'gm_b00001', 'hh_b00001', 'hazard_check', 0, 1, 45),
  visit('g5', C, '2024-03-10T09:30:00', 'G01', 'gm_c00001', 'hh_c00001', 'household_visit', 2, 0, 15),
  visit('g6', C, '2024-03-31T20:00:00', 'G01', 'gm_c00001', 'hh_c00001', 'household_visit', 0, 0, 25),
  // 01:00 on 1 April in China is still 31 March in UTC: it must land in April.
  visit('g7', C, '2024-03-31T17:00:00Z', 'G01', 'gm_c00001', null, 'patrol', 0, 1, 40),
  visit('g8', D, '2024-03-15T08:00:00', 'G03', 'gm_d00001', null, 'patrol', 0, 0, 90),
  c1Received,
  dispute('d2', A, '2024-03-05T09:00:00', 'c1', 'resolved', 'village', '2024-03-02T09:00:00'),
  dispute('d3', B, '2024-03-03T10:00:00', 'c2', 'received', 'village'),
  dispute('d4', B, '2024-03-04T10:00:00', 'c2', 'escalated', 'township', '2024-03-03T10:00:00'),
  dispute('d5', B, '2024-03-13T10:00:00', 'c2', 'resolved', 'township', '2024-03-03T10:00:00'),
  dispute('d6', C, '2024-03-10T08:00:00', 'c3', 'received', 'village'),
  dispute('d7', C, '2024-03-20T08:00:00', 'c3', 'closed_unresolved', 'village', '2024-03-10T08:00:00'),
  dispute('d8', A, '2024-03-28T10:00:00', 'c4', 'received', 'village'),
  attend('t1', A, '2024-03-08T09:00:00', 's1', 'p_0000001', 'party_member', 'on_site', 2),
  attend('t2', A, '2024-03-08T09:00:00', 's1', 'p_0000002', 'village_cadre', 'on_site', 2),
  attend('t3', A, '2024-03-08T09:00:00', 's1', 'p_0000003', 'resident', 'on_site', 2),
  attend('t4', C, '2024-03-12T14:00:00', 's2', 'p_0000004', 'party_member', 'online', 1.5),
  attend('t5', C, '2024-03-12T14:00:00', 's2', 'p_0000001', 'party_member', 'online', 1.5),
  sale('k1', A, '2024-03-06T10:00:00', 'coop_a', '香菇', 100, 160_000, 'e_commerce'),
  sale('k2', A, '2024-03-20T10:00:00', 'coop_a', '香菇', 50.5, 80_800, 'wholesale'),
  sale('k3', C, '2024-03-25T10:00:00', 'coop_c', '葡萄', 200, 160_000, 'wholesale'),
];

type Figures = Record<string, number | null>;
/** Expected March figures, worked out by hand from the events above. */
const MARCH: { level: RollupLevel; code: string; grid: Figures; dispute: Figures; training: Figures; sales: Figures }[] = [
  {
    level: 'village',
    code: A,
    grid: {
      visits: 3,
      household_visits: 2,
      households_visited: 2,
      grid_members_active: 2,
      grids_active: 2,
      issues_found: 1,
      hazards_found: 3,
      minutes_spent: 110,
    },
    dispute: {
      received: 2,
      escalated: 0,
      resolved: 1,
      resolved_in_village: 1,
      closed_unresolved: 0,
      median_days_to_resolve: 3,
      resolution_rate: 0.5,
      village_resolution_share: 1,
    },
    training: { attendances: 3, online_attendances: 0, attendees: 3, sessions: 1, hours: 6 },
    sales: { sales: 2, revenue_fen: 240_800, quantity: 150.5, cooperatives_selling: 1, revenue_yuan: 2408 },
  },
  {
    level: 'village',
    code: B,
    grid: {
      visits: 1,
      household_visits: 0,
      households_visited: 1,
      grid_members_active: 1,
      grids_active: 1,
      issues_found: 0,
      hazards_found: 1,
      minutes_spent: 45,
    },
    dispute: {
      received: 1,
      escalated: 1,
      resolved: 1,
      resolved_in_village: 0,
      closed_unresolved: 0,
      median_days_to_resolve: 10,
      resolution_rate: 1,
      village_resolution_share: 0,
    },
    training: { attendances: 0, attendees: 0, sessions: 0, hours: 0 },
    sales: { sales: 0, revenue_fen: 0, cooperatives_selling: 0 },
  },
  {
    level: 'township',
    code: '411224104000',
    grid: {
      visits: 4,
      household_visits: 2,
      households_visited: 3,
      grid_members_active: 3,
      grids_active: 3,
      issues_found: 1,
      hazards_found: 4,
      minutes_spent: 155,
    },
    dispute: {
      received: 3,
      escalated: 1,
      resolved: 2,
      resolved_in_village: 1,
      closed_unresolved: 0,
      median_days_to_resolve: 6.5,
      resolution_rate: 0.6667,
      village_resolution_share: 0.5,
      avg_days_to_resolve: 6.5,
    },
    training: { attendances: 3, attendees: 3, sessions: 1, hours: 6 },
    sales: { sales: 2, revenue_fen: 240_800, cooperatives_selling: 1 },
  },
  {
    level: 'county',
    code: '411224000000',
    grid: { visits: 4, households_visited: 3, grid_members_active: 3, hazards_found: 4, minutes_spent: 155 },
    dispute: { received: 3, resolved: 2, median_days_to_resolve: 6.5 },
    training: { attendances: 3, attendees: 3 },
    sales: { revenue_fen: 240_800 },
  },
  {
    level: 'township',
    code: '411203100000',
    grid: {
      visits: 2,
      household_visits: 2,
      households_visited: 1,
      grid_members_active: 1,
      grids_active: 1,
      issues_found: 2,
      hazards_found: 0,
      minutes_spent: 40,
    },
    dispute: {
      received: 1,
      resolved: 0,
      closed_unresolved: 1,
      median_days_to_resolve: null,
      resolution_rate: 0,
      village_resolution_share: null,
    },
    training: { attendances: 2, online_attendances: 2, attendees: 2, sessions: 1, hours: 3 },
    sales: { sales: 1, revenue_fen: 160_000, quantity: 200, cooperatives_selling: 1 },
  },
  {
    level: 'city',
    code: '411200000000',
    grid: {
      visits: 6,
      household_visits: 4,
      households_visited: 4,
      grid_members_active: 4,
      grids_active: 4,
      issues_found: 3,
      hazards_found: 4,
      minutes_spent: 195,
      avg_minutes_per_visit: 32.5,
    },
    dispute: {
      received: 4,
      escalated: 1,
      resolved: 2,
      resolved_in_village: 1,
      closed_unresolved: 1,
      resolve_seconds: 13 * 86_400,
      median_days_to_resolve: 6.5,
      resolution_rate: 0.5,
      village_resolution_share: 0.5,
    },
    training: { attendances: 5, online_attendances: 2, attendees: 4, sessions: 2, hours: 9, attendances_per_session: 2.5 },
    sales: { sales: 3, revenue_fen: 400_800, quantity: 350.5, cooperatives_selling: 2, revenue_yuan: 4008 },
  },
  {
    level: 'city',
    code: '140700000000',
    grid: { visits: 1, household_visits: 0, households_visited: 0, grid_members_active: 1, grids_active: 1, minutes_spent: 90 },
    dispute: { received: 0, resolved: 0 },
    training: { attendances: 0 },
    sales: { sales: 0 },
  },
];

const TYPE_OF = { grid: 'grid-visit', dispute: 'dispute-case', training: 'training-attendance', sales: 'cooperative-sale' } as const;

async function figures(pipeline: TestPipeline, level: RollupLevel, code: string, from = '2024-03-01', to = '2024-03-31') {
  const result: Record<string, Figures> = {};
  for (const [key, name] of Object.entries(TYPE_OF)) {
    result[key] = await queryPlaceFigures(
      pipeline.store,
      EVENT_TYPES.find((t) => t.name === name)!,
      { level, code, from, to },
    );
  }
  return result;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

describe('pipeline end to end: real Kafka broker, real ClickHouse engine', () => {
  let pipeline: TestPipeline;
  let sink: KafkaSink;
  let firstRun: IngestStats;
  let faultsInjected = 0;
  const topic = (type: string) => pipeline.config.topics.forEventType(type);

  async function publish(messages: { topic: string; key: string | null; value: Buffer }[]) {
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { key: m.key, value: m.value }]);
    for (const [name, batch] of byTopic) await sink.send(name, batch);
  }

  beforeAll(async () => {
    pipeline = await openTestPipeline('e2e');
    sink = await createKafkaSink(pipeline.kafka);
    const typeOf = (e: Record<string, unknown>) => String(e.type).split('.')[1]!;
    const valid = VALID.map((e) => ({ topic: topic(typeOf(e)), key: String(e.subject), value: json(e) }));
    const hostile = [
      { topic: topic('grid-visit'), key: A, value: Buffer.from([0xff, 0xfe, 0x00, 0x7b]) },
      { topic: topic('grid-visit'), key: A, value: json({ ...g1, id: 'bad-subject', subject: '410000000000' }) },
      // A county is a place events can belong to, but not grid visits: grids sit below villages.
      { topic: topic('grid-visit'), key: A, value: json({ ...g1, id: 'county-visit', subject: '411224000000' }) },
      { topic: pipeline.config.topics.unrouted, key: A, value: json({ ...g1, id: 'bad-type', type: 'govstats.patrol-log.v1' }) },
      {
        topic: topic('grid-visit'),
        key: A,
        value: json(visit('bad-minutes', A, '2024-03-01T09:00:00', 'G01', 'gm_a00001', null, 'patrol', 0, 0, 0)),
      },
      { topic: topic('grid-visit'), key: A, value: json({ ...g1, id: 'bad-version', type: 'govstats.grid-visit.v9' }) },
      { topic: topic('training-attendance'), key: A, value: json({ ...VALID[16], id: 'too-big', padding: 'x'.repeat(300_000) }) },
      {
        topic: topic('grid-visit'),
        key: A,
        value: json(visit('from-future', A, '2099-01-01T09:00:00', 'G01', 'gm_a00001', null, 'patrol', 0, 0, 10)),
      },
      { topic: topic('grid-visit'), key: A, value: json({ ...c1Received, id: 'wrong-topic' }) },
      // Well-formed village code that no division table knows.
      { topic: topic('grid-visit'), key: '411224104999', value: json({ ...g1, id: 'unknown-village', subject: '411224104999' }) },
      // Statement-like text in a free-text field.
      {
        topic: topic('training-attendance'),
        key: A,
        value: json(
          envelope('training-attendance', 'sql-course', A, '2024-03-08T09:00:00', {
            session_id: 's1',
            course: "培训'; DROP TABLE grid_visits; --",
            organising_level: 'township',
            attendee_id: 'p_0000009',
            role: 'resident',
            mode: 'on_site',
            hours: 1,
          }),
        ),
      },
    ];
    // g1 is sent twice: the same event delivered twice must count once.
    await publish([...valid, ...hostile, { topic: topic('grid-visit'), key: A, value: json(g1) }]);

    const faulty = failFirstInsertAfterApplying(pipeline.store, 'grid_visits');
    firstRun = await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: faulty }).drain();
    faultsInjected = faulty.failures;
  });

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
  });

  it('loads every valid event once, skips the duplicate and dead-letters the eleven hostile messages', () => {
    expect(faultsInjected).toBe(1);
    expect(firstRun.retries).toBeGreaterThanOrEqual(1);
    expect(firstRun.messages).toBe(VALID.length + 11 + 1);
    expect(firstRun.loaded).toBe(VALID.length);
    expect(firstRun.duplicates).toBe(1);
    expect(firstRun.deadLettered).toBe(11);
    expect(firstRun.loadedByType).toEqual({ 'grid-visit': 8, 'dispute-case': 8, 'training-attendance': 5, 'cooperative-sale': 3 });
  });

  it.each(MARCH.map((m) => [m.level, m.code, m] as const))(
    '%s %s: March rollups equal the hand-worked totals',
    async (level, code, expected) => {
      const actual = await figures(pipeline, level, code);
      for (const key of Object.keys(TYPE_OF) as (keyof typeof TYPE_OF)[]) {
        expect(actual[key], `${key} at ${level} ${code}`).toMatchObject(expected[key]);
      }
    },
  );

  it('buckets by the day in China: an event at 01:00 on 1 April (UTC still March) counts in April', async () => {
    const april = await figures(pipeline, 'village', C, '2024-04-01', '2024-04-30');
    expect(april.grid).toMatchObject({ visits: 1, hazards_found: 1, minutes_spent: 40 });
  });

  it('records every refusal with its reason', async () => {
    const summary = await deadLetterSummary(pipeline.store);
    const byReason: Record<string, number> = {};
    for (const row of summary) byReason[row.reason] = (byReason[row.reason] ?? 0) + row.count;
    expect(byReason).toEqual({
      unparseable: 1,
      invalid_envelope: 1,
      unknown_event_type: 1,
      invalid_data: 2,
      unsupported_version: 1,
      oversized: 1,
      future_time: 1,
      wrong_topic: 1,
      unknown_division: 1,
      wrong_level: 1,
    });
  });

  it('counts a redelivered event once even in a later batch, and loads what is new', async () => {
    await publish([
      { topic: topic('grid-visit'), key: A, value: json(g2) },
      { topic: topic('dispute-case'), key: A, value: json(c1Received) },
      {
        topic: topic('grid-visit'),
        key: D,
        value: json(visit('g9', D, '2024-03-16T08:00:00', 'G03', 'gm_d00002', null, 'patrol', 0, 0, 30)),
      },
    ]);
    const second = await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
    expect(second).toMatchObject({ messages: 3, loaded: 1, duplicates: 2, deadLettered: 0 });
    expect((await figures(pipeline, 'city', '411200000000')).grid).toMatchObject({ visits: 6, minutes_spent: 195 });
    expect((await figures(pipeline, 'village', A)).dispute).toMatchObject({ received: 2 });
    expect((await figures(pipeline, 'city', '140700000000')).grid).toMatchObject({ visits: 2, grid_members_active: 2, minutes_spent: 120 });
  });

  it('ingests contract v2 of grid visits next to v1 into the same rollups, and their itemised hazards as hazards', async () => {
    const v2 = envelope(
      'grid-visit',
      'g10-v2',
      D,
      '2024-03-20T10:00:00',
      {
        grid_id: 'G03',
        member_id: 'gm_d00003',
        household_id: 'hh_d00001',
        kind: 'hazard_check',
        started_at: '2024-03-20T10:00:00+08:00',
        ended_at: '2024-03-20T10:50:00+08:00',
        issues: [],
        hazards: [
          { category: 'gas', handled: true },
          { category: 'electrical', handled: false },
        ],
      },
      2,
    );
    await publish([{ topic: topic('grid-visit'), key: D, value: json(v2) }]);
    const third = await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
    expect(third).toMatchObject({ messages: 1, loaded: 1, deadLettered: 0 });
    expect((await figures(pipeline, 'city', '140700000000')).grid).toMatchObject({
      visits: 3,
      grid_members_active: 3,
      households_visited: 1,
      hazards_found: 2,
      minutes_spent: 170,
    });
    // The gas hazard was handled on the visit: found and closed on the spot; the electrical one is still open.
    const hazards = () =>
      queryPlaceFigures(
        pipeline.store,
        EVENT_TYPES.find((t) => t.name === 'hazard')!,
        {
          level: 'village',
          code: D,
          from: '2024-03-01',
          to: '2024-03-31',
        },
      );
    expect(await hazards()).toMatchObject({ found: 2, closed: 1, on_spot_closures: 1, open_at_end: 1 });
    // Sent again, the visit and the hazards it records are all counted once.
    await publish([{ topic: topic('grid-visit'), key: D, value: json(v2) }]);
    const again = await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
    expect(again).toMatchObject({ messages: 1, loaded: 0, duplicates: 1, deadLettered: 0 });
    expect(await hazards()).toMatchObject({ found: 2, closed: 1, on_spot_closures: 1, open_at_end: 1 });
    expect((await figures(pipeline, 'city', '140700000000')).grid).toMatchObject({ visits: 3, hazards_found: 2 });
  });

  it('govstats rollup and dlq give the same figures from another process while this one holds the store', async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, govstatsArgs(...args), {
        cwd: join(import.meta.dirname, '..'),
        env: { ...pipeline.childEnv, LOG_LEVEL: 'warn' },
      });
    const rollup = JSON.parse(
      (await cli('rollup', '--level', 'township', '--code', '411224104000', '--from', '2024-03-01', '--to', '2024-03-31', '--json')).stdout,
    );
    expect(rollup).toMatchObject({ level: 'township', code: '411224104000', place: '朱阳关镇' });
    const here = await figures(pipeline, 'township', '411224104000');
    expect(rollup.figures['grid-visit']).toEqual(here.grid);
    expect(rollup.figures['dispute-case']).toEqual(here.dispute);
    expect(rollup.figures['dispute-case'].median_days_to_resolve).toBe(6.5);
    const dlq = JSON.parse((await cli('dlq', '--json')).stdout);
    expect(dlq.total).toBe(11);
    expect(dlq.deadLetters.find((d: { eventId: string }) => d.eventId === 'sql-course').detail).toContain('injection');
    expect(dlq.deadLetters.find((d: { eventId: string }) => d.eventId === 'bad-minutes').detail).toContain('duration_minutes');
  });
});
