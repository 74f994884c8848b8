import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, ROLLUP_LEVELS } from '@govstats/schemas';
import { insertRows, openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, migrate, queryPlaceFigures, queryPlaceFiguresFromRaw, queryRollup, reconcile } from '../src/index.ts';
import { periodSegments } from '../src/queries/period-segments.ts';

const gridVisit = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;
const VILLAGES = ['411224104201', '411224104202', '411224001001', '411202001001'];
const KINDS = ['household_visit', 'patrol', 'policy_publicity'];

/** Visits spread over 2023-12 … 2025-01, several per household, so distinct counts differ from counts. */
function visits(count: number, idPrefix: string) {
  const start = Date.parse('2023-12-01T00:00:00Z');
  const span = Date.parse('2025-02-01T00:00:00Z') - start;
  return Array.from({ length: count }, (_, i) => {
    const village = VILLAGES[i % VILLAGES.length]!;
    return {
      event_id: `${idPrefix}${i}`,
      contract_version: 1,
      source: 'test',
      village_code: village,
      event_time: new Date(start + ((i * 104_729 * 60_000) % span)).toISOString(),
      ingested_at: '2025-02-02T00:00:00.000Z',
      kafka_topic: 't',
      kafka_partition: 0,
      kafka_offset: i,
      grid_id: `G${i % 5}`,
      member_id: `${village}-M${i % 11}`,
      household_id: i % 4 === 0 ? '' : `${village}-H${i % 37}`,
      kind: KINDS[i % KINDS.length],
      issues_found: i % 3,
      hazards_found: i % 2,
      duration_minutes: 5 + (i % 50),
    };
  });
}

describe('period segments', () => {
  it('cuts a range into whole years, whole months and the days left over', () => {
    expect(periodSegments('2024-01-01', '2024-12-31')).toEqual({ years: ['2024-01-01'], months: [], days: [] });
    expect(periodSegments('2024-07-01', '2024-09-30')).toEqual({ years: [], months: ['2024-07-01', '2024-08-01', '2024-09-01'], days: [] });
    expect(periodSegments('2023-11-15', '2025-02-10')).toEqual({
      years: ['2024-01-01'],
      months: ['2023-12-01', '2025-01-01'],
      days: [
        ['2023-11-15', '2023-11-30'],
        ['2025-02-01', '2025-02-10'],
      ],
    });
    expect(periodSegments('2024-01-20', '2024-02-10')).toEqual({ years: [], months: [], days: [['2024-01-20', '2024-02-10']] });
    expect(periodSegments('2024-02-01', '2024-02-29')).toEqual({ years: [], months: ['2024-02-01'], days: [] });
    expect(periodSegments('2024-05-02', '2024-05-01')).toEqual({ years: [], months: [], days: [] });
  });

  it('refuses what is not a calendar date', () => {
    expect(() => periodSegments('2024-02-30', '2024-03-01')).toThrow(/not a calendar date/);
    expect(() => periodSegments('2024-1-1', '2024-03-01')).toThrow(/not a calendar date/);
  });
});

describe('rollup grains on the real ClickHouse engine', () => {
  let store: Store;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-grains-'));
    store = await openStore({ dataDir: dir });
    // The schema as it was before month and year totals: data loaded then must be backfilled.
    const later = ['0003_rollup_per_level_and_totals', '0004_rollup_one_view_per_grain', '0005_places_at_every_level_and_area', 'views'];
    const before = allMigrations(SINGLE_NODE).filter((m) => !later.some((id) => m.id.endsWith(`/${id}`)));
    await migrate(store, before, SINGLE_NODE);
    await insertRows(store.client, 'grid_visits', visits(3_000, 'old-'), { deduplicationToken: 'old' });
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
    await insertRows(store.client, 'grid_visits', visits(2_000, 'new-'), { deduplicationToken: 'new' });
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backfills the totals on upgrade and keeps every grain equal to the raw table', async () => {
    const [backfilled] = await queryRows<{ n: string }>(
      store.client,
      "SELECT sum(visits_state) AS n FROM grid_visit_rollup_year WHERE level = 'city'",
    );
    expect(Number(backfilled!.n)).toBe(5_000);
    expect(await reconcile(store, { from: '2023-12-01', to: '2025-01-31' }, [gridVisit])).toEqual([]);
  });

  it('answers every level and period shape as the raw table does', async () => {
    const ranges = [
      ['2024-01-01', '2024-12-31'], // one year
      ['2024-06-01', '2024-06-30'], // one month
      ['2024-07-01', '2024-09-30'], // a quarter
      ['2023-12-10', '2025-01-20'], // days, months and a year together
      ['2024-03-05', '2024-03-05'], // one day
    ];
    const places = { city: '411200000000', county: '411224000000', township: '411224104000', village: '411224104201' } as const;
    for (const level of ROLLUP_LEVELS) {
      for (const [from, to] of ranges) {
        const filter = { level, code: places[level], from: from!, to: to! };
        const rolled = await queryPlaceFigures(store, gridVisit, filter);
        expect(rolled.visits, `${level} ${from}…${to}`).toBeGreaterThan(0);
        expect(rolled, `${level} ${from}…${to}`).toEqual(await queryPlaceFiguresFromRaw(store, gridVisit, filter));
      }
    }
  });

  it('splits by a dimension from the day grain, and the parts add up to the total', async () => {
    const window = { level: 'county' as const, code: '411224000000', from: '2024-01-01', to: '2024-12-31' };
    const byKind = await queryRollup(store, gridVisit, { ...window, by: ['kind'] });
    expect(byKind.map((r) => r.dimensions.kind)).toEqual([...KINDS].sort());
    const total = await queryPlaceFigures(store, gridVisit, window);
    expect(byKind.reduce((n, r) => n + (r.figures.visits ?? 0), 0)).toBe(total.visits);
  });
});

describe('a large batch through the rollup views', () => {
  let store: Store;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-parts-'));
    store = await openStore({ dataDir: dir });
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one part per month partition into each rollup, not one per aggregation bucket', async () => {
    // A county's month of visits in one batch (300 villages × 60 days × 6 kinds, as a busy partition
    // brings): its aggregation states outgrow what ClickHouse aggregates in one piece, which once
    // split each view's output into 256 buckets, every one a part on disk (3-4× slower ingest).
    const kinds = ['household_visit', 'patrol', 'policy_publicity', 'hazard_check', 'dispute_screening', 'service_delivery'];
    const rows = Array.from({ length: 36_000 }, (_, i) => {
      const village = `411224${100 + Math.floor((i % 300) / 20)}${200 + (i % 20)}`;
      return {
        event_id: `big-${i}`,
        contract_version: 1,
        source: 'test',
        village_code: village,
        original_code: village,
        area: 'rural',
        event_time: new Date(Date.parse('2024-03-01T02:00:00Z') + (Math.floor(i / 300) % 60) * 86_400_000).toISOString(),
        ingested_at: '2024-05-01T00:00:00.000Z',
        kafka_topic: 't',
        kafka_partition: 0,
        kafka_offset: i,
        grid_id: `G${i % 7}`,
        member_id: `${village}-M${i % 23}`,
        household_id: `${village}-H${i % 311}`,
        kind: kinds[i % 6],
        issues_found: i % 2,
        hazards_found: i % 3,
        duration_minutes: 10 + (i % 60),
      };
    });
    await insertRows(store.client, 'grid_visits', rows, { deduplicationToken: 'big', columns: Object.keys(rows[0]!) });
    const counted = await queryRows<{ table: string; parts: string }>(
      store.client,
      "SELECT table, count() AS parts FROM system.parts WHERE active AND database = currentDatabase() AND table LIKE 'grid_visit%' GROUP BY table",
    );
    const parts = Object.fromEntries(counted.map((r) => [r.table, Number(r.parts)]));
    // Each block the raw table receives (the parser may cut a large body into a few) gives each
    // rollup at most one part per partition; merges only ever lower the counts.
    expect(parts.grid_visits).toBeGreaterThanOrEqual(2);
    expect(parts.grid_visits).toBeLessThanOrEqual(16);
    for (const table of ['grid_visit_rollup', 'grid_visit_rollup_month', 'grid_visit_rollup_year'])
      expect(parts[table], table).toBeLessThanOrEqual(parts.grid_visits!);
  });
});
