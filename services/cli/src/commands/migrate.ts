import { loadAccessFile, setUpWarehouse, type AccessSpec, type MigrationOutcome } from '@govstats/warehouse';
import type { Config } from '@govstats/config';
import type { Store } from '@govstats/store';
import { renderTable } from '../output/table.ts';
import { config, ddlOptions, withStore } from '../runtime.ts';

export const usage = `govstats migrate
  Creates or updates the ClickHouse schema and loads the national division catalogue (NBS 2023, every
  place in China); safe to run again. Applied migrations are recorded in schema_migrations, loaded
  editions in division_editions. On a ClickHouse server with CLICKHOUSE_ACCESS_FILE set, then puts
  its roles, users and row policies in place (see infra/clickhouse/ACCESS.md).`;

export function migrateStore(cfg: Config, store: Store): Promise<MigrationOutcome[]> {
  return setUpWarehouse(store, ddlOptions(cfg), accessToApply(cfg, store));
}

/** The access file, read (passwords hashed) before any migration runs, so a bad file changes nothing. */
function accessToApply(cfg: Config, store: Store): AccessSpec | undefined {
  const file = cfg.clickhouse.accessFile;
  if (!file) return undefined;
  if (store.mode !== 'server') {
    process.stderr.write(
      `CLICKHOUSE_ACCESS_FILE is set, but the embedded engine (chdb) has no users, roles or grants to apply it to: ` +
        `only this process and the owner's CLI reach it. Skipping ${file}; it applies to a ClickHouse server (CLICKHOUSE_URL).\n`,
    );
    return undefined;
  }
  return loadAccessFile(file);
}

export async function run(): Promise<number> {
  const cfg = config();
  // Changes the schema: as the engine owner's admin when another govstats process holds it.
  const outcomes = await withStore(cfg, (store) => migrateStore(cfg, store), 'admin');
  process.stdout.write(
    `${renderTable(
      ['migration', 'action'],
      outcomes.map((o) => [o.id, o.action]),
    )}\n`,
  );
  return 0;
}
