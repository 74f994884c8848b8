import { setUpWarehouse, type MigrationOutcome } from '@govstats/warehouse';
import type { Config } from '@govstats/config';
import type { Store } from '@govstats/store';
import { renderTable } from '../output/table.ts';
import { config, ddlOptions, withStore } from '../runtime.ts';

export const usage = `govstats migrate
  Creates or updates the ClickHouse schema and loads the national division catalogue (NBS 2023, every
  place in China); safe to run again. Applied migrations are recorded in schema_migrations, loaded
  editions in division_editions.`;

export function migrateStore(cfg: Config, store: Store): Promise<MigrationOutcome[]> {
  return setUpWarehouse(store, ddlOptions(cfg));
}

export async function run(): Promise<number> {
  const cfg = config();
  const outcomes = await withStore(cfg, (store) => migrateStore(cfg, store));
  process.stdout.write(
    `${renderTable(
      ['migration', 'action'],
      outcomes.map((o) => [o.id, o.action]),
    )}\n`,
  );
  return 0;
}
