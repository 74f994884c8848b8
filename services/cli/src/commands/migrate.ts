import { allMigrations, migrate, type MigrationOutcome } from '@govstats/warehouse';
import type { Config } from '@govstats/config';
import type { Store } from '@govstats/store';
import { renderTable } from '../output/table.ts';
import { config, ddlOptions, withStore } from '../runtime.ts';

export const usage = `govstats migrate
  Creates or updates the ClickHouse schema; safe to run again. Applied migrations are recorded in schema_migrations.`;

export function migrateStore(cfg: Config, store: Store): Promise<MigrationOutcome[]> {
  const options = ddlOptions(cfg);
  return migrate(store, allMigrations(options), options);
}

export async function run(): Promise<number> {
  const cfg = config();
  const outcomes = await withStore(cfg, (store) => migrateStore(cfg, store));
  process.stdout.write(`${renderTable(['migration', 'action'], outcomes.map((o) => [o.id, o.action]))}\n`);
  return 0;
}
