import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '@govstats/schemas';
import { insertRows, openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, migrate, queryPlaceFigures, reconcile } from '../src/index.ts';

const gridVisit = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;

function row(id: string, minutes: number) {
  return {
    event_id: id,
    contract_version: 1,
    source: 'test',
    village_code: '411224104201',
    event_time: '2024-05-01T02:00:00.000Z',
    ingested_at: '2024-05-01T03:00:00.000Z',
    kafka_topic: 't',
    kafka_partition: 0,
    kafka_offset: 0,
    grid_id: 'G01',
    member_id: 'gm000001',
    household_id: '',
    kind: 'patrol',
    issues_found: 0,
    hazards_found: 0,
    duration_minutes: minutes,
  };
}

/** The retry pitfall from the design brief, checked on the real engine rather than assumed. */
describe('a retried insert on the real ClickHouse engine', () => {
  let store: Store;
  let dir: string;
  const visits = async (level: 'city' | 'village', code: string) =>
    (await queryPlaceFigures(store, gridVisit, { level, code, from: '2024-05-01', to: '2024-05-01' })).visits;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-dedup-'));
    store = await openStore({ dataDir: dir });
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with the same token counts once in the raw table and in the rollups of every level', async () => {
    const batch = [row('r1', 10), row('r2', 20)];
    await insertRows(store.client, 'grid_visits', batch, { deduplicationToken: 'batch-1' });
    await insertRows(store.client, 'grid_visits', batch, { deduplicationToken: 'batch-1' });
    const [raw] = await queryRows<{ n: string }>(store.client, "SELECT count() AS n FROM grid_visits WHERE event_id IN ('r1', 'r2')");
    expect(Number(raw!.n)).toBe(2);
    expect(await visits('village', '411224104201')).toBe(2);
    expect(await visits('city', '411200000000')).toBe(2);
  });

  it('with another token is a new block and counts again (what the ledger lookup exists for)', async () => {
    await insertRows(store.client, 'grid_visits', [row('r1', 10)], { deduplicationToken: 'batch-2' });
    expect(await visits('city', '411200000000')).toBe(3);
  });

  it('does not leave the token behind for later inserts on the shared embedded session', async () => {
    await insertRows(store.client, 'grid_visits', [row('r3', 5)]);
    await insertRows(store.client, 'grid_visits', [row('r4', 6)]);
    expect(await visits('city', '411200000000')).toBe(5);
  });

  it('is caught by reconcile: r1 counted twice shows as a difference at every level and grain', async () => {
    const differences = await reconcile(store, { from: '2024-05-01', to: '2024-05-01' }, [gridVisit]);
    const visits = differences.filter((d) => d.measure === 'visits');
    const expected = (grain: string, day: string) =>
      ['411200000000', '411224000000', '411224104000', '411224104201'].map((code, i) => [
        grain,
        ['city', 'county', 'township', 'village'][i],
        code,
        day,
        4,
        5,
      ]);
    expect(visits.map((d) => [d.grain, d.level, d.code, d.day, d.fromRaw, d.inRollup])).toEqual([
      ...expected('day', '2024-05-01'),
      ...expected('month', '2024-05-01'),
      ...expected('year', '2024-01-01'),
    ]);
    expect(differences.find((d) => d.measure === 'minutes_spent' && d.level === 'city')).toMatchObject({ fromRaw: 41, inRollup: 51 });
  });

  it('reports nothing for a year loaded cleanly, retried insert included', async () => {
    const next = [
      { ...row('r6', 7), event_time: '2023-05-02T02:00:00.000Z' },
      { ...row('r7', 8), event_time: '2023-12-31T03:00:00.000Z' },
    ];
    await insertRows(store.client, 'grid_visits', next, { deduplicationToken: 'batch-3' });
    await insertRows(store.client, 'grid_visits', next, { deduplicationToken: 'batch-3' });
    const figures = (from: string, to: string) => queryPlaceFigures(store, gridVisit, { level: 'city', code: '411200000000', from, to });
    expect((await figures('2023-05-02', '2023-05-02')).visits).toBe(1);
    expect((await figures('2023-05-01', '2023-05-31')).visits).toBe(1); // the month grain
    expect((await figures('2023-01-01', '2023-12-31')).visits).toBe(2); // the year grain
    expect(await reconcile(store, { from: '2023-05-02', to: '2023-05-02' })).toEqual([]);
  });
});
