import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '@govstats/schemas';
import { insertRows, openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, listedKeysSql, migrate } from '../src/index.ts';

/** What the migrations before event_keys left: the ledger in event_ledger. */
const isNew = (id: string) => id === '0012_event_keys' || id.endsWith('/0008_ledger_in_event_keys');
const [first, second] = EVENT_TYPES;
const SOURCE = "urn:test:county's-hotline";
const PRIOR = 5_000;

const priorRows = (type: string, from: number) =>
  Array.from({ length: PRIOR }, (_, i) => ({
    event_id: `prior-${from + i}`,
    source: SOURCE,
    event_type: type,
    ingested_at: '2026-01-01 00:00:00.000',
  }));

/** The ledger ingest reads, on the real engine: an upgraded store keeps every id it had loaded, and a lookup reads only its keys. */
describe('event_keys', () => {
  let store: Store;
  let dir: string;
  const listed = async (source: string, ids: string[]) =>
    (await queryRows<{ event_id: string; source: string }>(store.client, listedKeysSql(source, ids))).map((r) => r.event_id).sort();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-event-keys-'));
    store = await openStore({ dataDir: dir });
    await migrate(
      store,
      allMigrations(SINGLE_NODE).filter((m) => !isNew(m.id)),
      SINGLE_NODE,
    );
    const columns = ['event_id', 'source', 'event_type', 'ingested_at'];
    await insertRows(store.client, 'event_ledger', priorRows(first!.name, 0), { columns });
    await insertRows(store.client, 'event_ledger', priorRows(second!.name, PRIOR), { columns });
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
  }, 300_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds, after the upgrade, every id the old ledger listed, of every type', async () => {
    const [row] = await queryRows<{ n: string; types: string }>(
      store.client,
      'SELECT count() AS n, uniqExact(event_type) AS types FROM event_keys',
    );
    expect([Number(row!.n), Number(row!.types)]).toEqual([2 * PRIOR, 2]);
    expect(await listed(SOURCE, ['prior-0', `prior-${2 * PRIOR - 1}`, 'never-loaded'])).toEqual(['prior-0', `prior-${2 * PRIOR - 1}`]);
  });

  it('tells sources apart: the same id from another source is another event', async () => {
    expect(await listed('urn:test:another-system', ['prior-0', 'prior-1'])).toEqual([]);
  });

  it('finds an id the moment ingest wrote it, and a re-written key stays one row', async () => {
    const row = { event_id: 'new-1', source: SOURCE, event_type: first!.name, ingested_at: '2026-02-01 00:00:00.000' };
    const columns = ['event_id', 'source', 'event_type', 'ingested_at'];
    await insertRows(store.client, 'event_keys', [row], { columns });
    await insertRows(store.client, 'event_keys', [row], { columns });
    expect(await listed(SOURCE, ['new-1'])).toEqual(['new-1']);
    const [count] = await queryRows<{ n: string }>(store.client, `SELECT count() AS n FROM event_keys WHERE event_id = 'new-1'`);
    expect(Number(count!.n)).toBe(1);
  });

  it('reads only the keys a lookup names, not the whole table (the cost must not grow with history)', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `prior-${i * 7}`);
    const result = await store.client.query({ query: listedKeysSql(SOURCE, ids), format: 'JSON' });
    const body = (await result.json()) as { data: unknown[]; statistics: { rows_read: number } };
    expect(body.data).toHaveLength(ids.length);
    // The subquery's one row of keys plus a point read per key; a scan would read all 10,001.
    expect(body.statistics.rows_read).toBeLessThanOrEqual(2 * ids.length);
  });

  it('refuses an id that could break out of the literal or split it', () => {
    expect(() => listedKeysSql(SOURCE, ["x','y"])).toThrow(/unsafe event id/);
    expect(() => listedKeysSql(SOURCE, ['a,b'])).toThrow(/unsafe event id/);
  });
});
