import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, ROLLUP_LEVELS, type EventTypeDefinition } from '@govstats/schemas';
import { insertRows, openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, migrate, queryPlaceFigures, queryPlaceFiguresFromRaw, queryRollup, reconcile } from '../src/index.ts';

/*
 * State figures (what is in place at the end of the period) and threshold counts (villages whose
 * total reaches a level), on a small type declared here so the expected figures can be worked out
 * by hand: people posted and ended, and income entries.
 */
const postings: EventTypeDefinition = {
  ...EVENT_TYPES[0]!,
  name: 'test-posting',
  rawTable: {
    name: 'test_posting_events',
    baseline: 6,
    columns: [
      { name: 'posting_id', type: 'String', description: 'posting' },
      { name: 'role', type: 'LowCardinality(String)', description: 'role' },
      { name: 'step', type: 'LowCardinality(String)', description: 'posted, ended or income' },
      { name: 'amount_fen', type: 'Int64', description: 'income' },
    ],
  },
  rollup: {
    table: 'test_posting_rollup',
    dimensions: [
      { name: 'role', expr: 'role', type: 'LowCardinality(String)', description: 'role' },
      // What happened to a posting: people move from posted to ended, so no state splits by it.
      { name: 'step', expr: 'step', type: 'LowCardinality(String)', description: 'step', flowsOnly: true },
    ],
    measures: [
      { kind: 'count', name: 'events', label: '事件', unit: '件', description: 'events' },
      {
        kind: 'state',
        name: 'in_post',
        label: '在岗',
        unit: '名',
        description: 'in post at period end',
        delta: "multiIf(step = 'posted', 1, step = 'ended', -1, 0)",
      },
      {
        kind: 'state',
        name: 'officers_in_post',
        label: '在岗干部',
        unit: '名',
        description: 'officers in post at period end',
        delta: "multiIf(step = 'posted', 1, step = 'ended', -1, 0)",
        where: "role = 'officer'",
      },
      { kind: 'sum', name: 'income_fen', label: '收入', unit: '分', description: 'income', expr: 'amount_fen', type: 'Int64' },
    ],
    thresholds: [
      {
        name: 'villages_income_500',
        label: '收入达500分的村',
        unit: '个',
        description: 'villages ≥ 500',
        measure: 'income_fen',
        atLeast: 500,
      },
      { name: 'villages_active', label: '有活动的村', unit: '个', description: 'villages with events', measure: 'events', atLeast: 1 },
    ],
    derived: [
      {
        name: 'income_per_person',
        label: '人均',
        unit: '分',
        description: 'income ÷ in post',
        expr: 'round(income_fen / nullIf(in_post, 0), 2)',
      },
    ],
    eventsCountedBy: ['events'],
  },
};

const A = '411224104001'; // 朝阳社区 (urban), 朱阳关镇
const B = '411224104200'; // 朱阳关村 (rural), 朱阳关镇
const TOWNSHIP = '411224104000';
const D = '411202001001'; // another county (urban)

let offset = 0;
function row(code: string, time: string, step: string, posting: string, role: string, amount = 0) {
  offset++;
  return {
    event_id: `e${offset}`,
    contract_version: 1,
    source: 'test',
    village_code: code,
    original_code: code,
    area: code.endsWith('000') ? '' : Number(code.slice(9)) < 200 ? 'urban' : 'rural',
    event_time: `${time}T04:00:00.000Z`,
    ingested_at: '2025-03-01T00:00:00.000Z',
    kafka_topic: 't',
    kafka_partition: 0,
    kafka_offset: offset,
    posting_id: posting,
    role,
    step,
    amount_fen: amount,
  };
}

const ROWS = [
  row(A, '2023-06-10', 'posted', 'p1', 'officer'),
  row(A, '2023-06-11', 'posted', 'p2', 'clerk'),
  row(B, '2023-06-12', 'posted', 'p3', 'officer'),
  row(TOWNSHIP, '2023-07-01', 'posted', 'p5', 'officer'),
  row(A, '2024-02-03', 'ended', 'p1', 'officer'),
  row(B, '2024-02-04', 'posted', 'p4', 'clerk'),
  row(A, '2024-03-05', 'income', 'i1', 'clerk', 300),
  row(A, '2024-11-05', 'income', 'i2', 'clerk', 300),
  row(B, '2024-05-05', 'income', 'i3', 'officer', 600),
  row(D, '2024-05-05', 'income', 'i4', 'officer', 100),
  row(D, '2024-05-06', 'income', 'i5', 'officer', -50),
  row(B, '2025-01-20', 'ended', 'p3', 'officer'),
];

describe('state figures and threshold counts on the real ClickHouse engine', () => {
  let store: Store;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-state-'));
    store = await openStore({ dataDir: dir });
    await migrate(store, allMigrations(SINGLE_NODE, [postings]), SINGLE_NODE);
    await insertRows(store.client, postings.rawTable.name, ROWS, { deduplicationToken: 'rows' });
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const figures = (level: (typeof ROLLUP_LEVELS)[number], code: string, from: string, to: string, area?: 'urban' | 'rural') =>
    queryPlaceFigures(store, postings, { level, code, from, to, area });

  it('states what is in place at the end of the period, counting every change before it', async () => {
    // 2024: p1 ended, p4 posted → A has p2, B has p3 and p4, the township its own p5.
    expect(await figures('township', TOWNSHIP, '2024-01-01', '2024-12-31')).toMatchObject({ in_post: 4, officers_in_post: 2, events: 5 });
    expect(await figures('village', A, '2024-01-01', '2024-12-31')).toMatchObject({ in_post: 1, officers_in_post: 0 });
    expect(await figures('county', '411224000000', '2025-01-01', '2025-01-31')).toMatchObject({ in_post: 3, officers_in_post: 1 });
    // A month with no event anywhere still has everyone in post.
    expect(await figures('city', '411200000000', '2024-07-01', '2024-07-31')).toMatchObject({ events: 0, in_post: 4, villages_active: 0 });
    expect(await figures('village', B, '2023-01-01', '2023-05-31')).toMatchObject({ in_post: 0 });
    // Activity above the village counts at its own level and above, never in a village's urban/rural split.
    expect(await figures('township', TOWNSHIP, '2024-01-01', '2024-12-31', 'urban')).toMatchObject({ in_post: 1, income_fen: 600 });
    expect(await figures('village', A, '2024-01-01', '2024-12-31')).toMatchObject({ income_per_person: 600 });
  });

  it('counts the villages whose own total over the period reaches the threshold', async () => {
    // A: 300 + 300, B: 600 in 2024, D: 100 − 50; A alone reaches 500 only over the whole year.
    expect(await figures('city', '411200000000', '2024-01-01', '2024-12-31')).toMatchObject({ villages_income_500: 2, villages_active: 3 });
    expect(await figures('city', '411200000000', '2024-01-01', '2024-06-30')).toMatchObject({ villages_income_500: 1, villages_active: 3 });
    expect(await figures('township', TOWNSHIP, '2024-01-01', '2024-12-31', 'rural')).toMatchObject({ villages_income_500: 1 });
    expect(await figures('village', D, '2024-01-01', '2024-12-31')).toMatchObject({ villages_income_500: 0, villages_active: 1 });
  });

  it('gives every level, period shape and area what the raw table gives', async () => {
    const ranges = [
      ['2024-01-01', '2024-12-31'],
      ['2024-02-01', '2024-02-29'],
      ['2023-06-11', '2024-05-05'],
      ['2025-01-20', '2025-01-20'],
      ['2022-01-01', '2022-12-31'],
    ] as const;
    const places = { city: '411200000000', county: '411224000000', township: TOWNSHIP, village: B } as const;
    for (const level of ROLLUP_LEVELS) {
      for (const [from, to] of ranges) {
        for (const area of [undefined, 'urban', 'rural'] as const) {
          const filter = { level, code: places[level], from, to, area };
          const what = `${level} ${from}…${to} ${area ?? ''}`;
          expect(await queryPlaceFigures(store, postings, filter), what).toEqual(await queryPlaceFiguresFromRaw(store, postings, filter));
        }
      }
    }
  });

  it('lists every place with something in place, split by a dimension', async () => {
    const villages = await queryRollup(store, postings, { level: 'village', within: TOWNSHIP, from: '2024-08-01', to: '2024-08-31' });
    expect(villages.map((r) => [r.code, r.figures.in_post, r.figures.events])).toEqual([
      [A, 1, 0],
      [B, 2, 0],
    ]);
    const byRole = await queryRollup(store, postings, {
      level: 'city',
      code: '411200000000',
      from: '2024-01-01',
      to: '2024-12-31',
      by: ['role'],
    });
    expect(byRole.map((r) => [r.dimensions.role, r.figures.in_post, r.figures.villages_income_500])).toEqual([
      ['clerk', 2, 1],
      ['officer', 2, 1],
    ]);
    const byStep = await queryRollup(store, postings, {
      level: 'city',
      code: '411200000000',
      from: '2024-01-01',
      to: '2024-12-31',
      by: ['step'],
    });
    expect(byStep.map((r) => [r.dimensions.step, r.figures.events, r.figures.in_post])).toEqual([
      ['ended', 1, null],
      ['income', 5, null],
      ['posted', 1, null],
    ]);
  });

  it('shows in the readable views what was in place at the end of each listed period', async () => {
    const years = await queryRows<{ year: string; in_post: string; income_per_person: number | null }>(
      store.client,
      "SELECT year, in_post, income_per_person FROM test_posting_year_totals WHERE level = 'city' ORDER BY year",
    );
    expect(years.map((r) => [r.year, Number(r.in_post), r.income_per_person])).toEqual([
      ['2023-01-01', 4, 0],
      ['2024-01-01', 4, 312.5], // (300 + 300 + 600 + 100 − 50) ÷ 4,
      ['2025-01-01', 3, 0],
    ]);
    // Rows by day are split by step too, which no state can be.
    const days = await queryRows<{ day: string; in_post: string | null; events: string }>(
      store.client,
      `SELECT day, in_post, events FROM test_posting_daily WHERE level = 'village' AND code = '${B}' ORDER BY day`,
    );
    expect(days.map((r) => [r.day, r.in_post, Number(r.events)])).toEqual([
      ['2023-06-12', null, 1],
      ['2024-02-04', null, 1],
      ['2024-05-05', null, 1],
      ['2025-01-20', null, 1],
    ]);
  });

  it('reconciles with the raw table, and finds a phantom change in every grain and in the figures', async () => {
    const window = { from: '2023-01-01', to: '2025-12-31' };
    expect(await reconcile(store, window, [postings])).toEqual([]);
    // A person in post that no event put there, as a lost 'ended' event would leave behind.
    for (const grain of ['', '_month', '_year']) {
      const period = grain === '' ? 'day' : 'period';
      await store.client.command({
        query: `INSERT INTO test_posting_rollup${grain} (level, code, ${period}, ${grain === '' ? 'role, ' : ''}area, in_post_state)
                VALUES ('village', '${B}', '2024-01-01', ${grain === '' ? "'clerk', " : ''}'rural', 1)`,
      });
    }
    const found = await reconcile(store, window, [postings]);
    expect(found.filter((d) => d.measure === 'in_post' && d.code === B).map((d) => [d.grain, d.fromRaw, d.inRollup])).toEqual([
      ['day', null, 1],
      ['month', null, 1],
      ['year', 1, 2], // B's 2024 had a real change too: p4 posted
      ['figure', 1, 2],
    ]);
  });
});
