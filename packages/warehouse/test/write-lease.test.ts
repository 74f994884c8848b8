import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '@govstats/schemas';
import { classifyStoreError, insertRows, openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, migrate } from '../src/index.ts';

const gridVisit = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;

function row(id: string, writeDeadline: string) {
  return {
    event_id: id,
    contract_version: 1,
    source: 'test',
    village_code: '411224104201',
    original_code: '411224104201',
    area: 'rural',
    event_time: '2024-05-01T02:00:00.000Z',
    ingested_at: '2024-05-01T03:00:00.000Z',
    kafka_topic: 't',
    kafka_partition: 0,
    kafka_offset: 0,
    write_deadline: writeDeadline,
    grid_id: 'G01',
    member_id: 'gm000001',
    household_id: '',
    kind: 'patrol',
    issues_found: 0,
    hazards_found: 0,
    duration_minutes: 5,
  };
}

/** The fence the store enforces, on the real engine: rows whose writer's lease ran out are refused. */
describe('writes carrying an expired lease', () => {
  let store: Store;
  let dir: string;
  const inRaw = async (id: string) =>
    Number(
      (await queryRows<{ n: string }>(store.client, `SELECT count() AS n FROM ${gridVisit.rawTable.name} WHERE event_id = '${id}'`))[0]!.n,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-lease-'));
    store = await openStore({ dataDir: dir });
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
  }, 300_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are refused by the raw table, with an error ingest recognises as an expired lease', async () => {
    const expired = new Date(Date.now() - 1_000).toISOString();
    const error = await insertRows(store.client, gridVisit.rawTable.name, [row('late-1', expired)], { deduplicationToken: 'late' }).catch(
      (e: unknown) => e,
    );
    expect(classifyStoreError(error)).toMatchObject({ leaseExpired: true, permanent: false });
    expect(await inRaw('late-1')).toBe(0);
    const valid = new Date(Date.now() + 20_000).toISOString();
    await insertRows(store.client, gridVisit.rawTable.name, [row('on-time-1', valid)], { deduplicationToken: 'on-time' });
    expect(await inRaw('on-time-1')).toBe(1);
  });

  it('are refused by the intents table too, and rows written without a lease never expire', async () => {
    const intent = { consumer_group: 'g', kafka_topic: 't', kafka_partition: 0, first_offset: 0, last_offset: 9, facts: '' };
    const error = await insertRows(store.client, 'ingest_intents', [
      { ...intent, write_deadline: new Date(Date.now() - 1_000).toISOString() },
    ]).catch((e: unknown) => e);
    expect(classifyStoreError(error).leaseExpired).toBe(true);
    await insertRows(store.client, 'ingest_intents', [intent]);
    expect(Number((await queryRows<{ n: string }>(store.client, 'SELECT count() AS n FROM ingest_intents'))[0]!.n)).toBe(1);
  });
});
