import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, setUpWarehouse, withMigrationLock, type Migration } from '@govstats/warehouse';
import { createSchemaGate } from '../src/schema-gate.ts';

/** Ingest never migrates: it waits for a pending or running migration, on the real engine. */
describe('the schema gate and the migration lock', () => {
  let store: Store;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-gate-'));
    store = await openStore({ dataDir: dir });
    await setUpWarehouse(store, SINGLE_NODE);
  }, 300_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets batches through when the schema is current', async () => {
    const gate = createSchemaGate(store, allMigrations(SINGLE_NODE));
    await gate.ready();
    expect(gate.waitingFor()).toBeUndefined();
  });

  it('holds batches while a migration is not applied, and says which', async () => {
    const pending: Migration = { id: 'zz_test_pending', description: 'not applied', statements: ['SELECT 1'] };
    const gate = createSchemaGate(store, [...allMigrations(SINGLE_NODE), pending]);
    const outcome = await Promise.race([gate.ready().then(() => 'through'), sleep(3_000).then(() => 'held')]);
    expect(outcome).toBe('held');
    expect(gate.waitingFor()).toMatch(/zz_test_pending.*govstats migrate/);
  });

  it('holds batches while a migrate run holds the lock, and lets them go after', async () => {
    const gate = createSchemaGate(store, allMigrations(SINGLE_NODE));
    let released = false;
    let waiting: Promise<boolean> | undefined;
    await withMigrationLock(store, SINGLE_NODE, async () => {
      waiting = gate.ready().then(() => released);
      await sleep(3_000);
      expect(gate.waitingFor()).toMatch(/a migration is running/);
      released = true;
    });
    // Through only once the lock was released, not before.
    expect(await waiting).toBe(true);
  });

  it('lets one migrate run at a time hold the lock', async () => {
    const inside: string[] = [];
    const run = (name: string) =>
      withMigrationLock(store, SINGLE_NODE, async () => {
        inside.push(`${name} in`);
        await sleep(1_500);
        inside.push(`${name} out`);
      });
    await Promise.all([run('a'), sleep(200).then(() => run('b'))]);
    expect(inside).toEqual(['a in', 'a out', 'b in', 'b out']);
    const [left] = await queryRows<{ n: string }>(
      store.client,
      'SELECT count() AS n FROM schema_migration_lock WHERE expires_at > now64(3)',
    );
    expect(Number(left!.n)).toBe(0);
  });
});
