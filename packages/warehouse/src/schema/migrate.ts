import { createHash } from 'node:crypto';
import { queryRows, runCommand, type Store } from '@govstats/store';
import { createLogger } from '@govstats/log';
import { engine, onCluster, type DdlOptions } from './ddl-options.ts';
import type { Migration } from './migration.ts';

const log = createLogger('migrate');

/** Ids of migrations not applied yet, or changed since (repeatable ones); [] when the schema is current. */
export async function pendingMigrations(store: Store, migrations: Migration[]): Promise<string[]> {
  const [tables] = await queryRows<{ n: number }>(
    store.client,
    "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'schema_migrations'",
  );
  if (Number(tables?.n ?? 0) === 0) return migrations.map((m) => m.id);
  const applied = await appliedChecksums(store);
  return migrations.filter((m) => applied.get(m.id) !== migrationChecksum(m)).map((m) => m.id);
}

async function appliedChecksums(store: Store): Promise<Map<string, string>> {
  const rows = await queryRows<{ id: string; checksum: string }>(
    store.client,
    'SELECT id, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY id',
  );
  return new Map(rows.map((row) => [row.id, row.checksum]));
}

export interface MigrationOutcome {
  id: string;
  action: 'applied' | 'reapplied' | 'unchanged';
}

/** What schema_migrations records of a migration; test/golden/migration-checksums.json pins it. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.statements.join('\n;\n')).digest('hex');
}

/**
 * Applies what has not run yet and records each migration with its checksum in
 * schema_migrations. Safe to run any number of times: statements are idempotent, and a
 * versioned migration whose text changed after it ran is refused rather than half-applied.
 */
export async function migrate(store: Store, migrations: Migration[], options: DdlOptions): Promise<MigrationOutcome[]> {
  await runCommand(
    store.client,
    `CREATE TABLE IF NOT EXISTS schema_migrations${onCluster(options)} (
  id String, checksum String, description String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ${engine('ReplacingMergeTree', options, 'applied_at')} ORDER BY id`,
  );
  const applied = await appliedChecksums(store);
  const outcomes: MigrationOutcome[] = [];
  for (const migration of migrations) {
    const sum = migrationChecksum(migration);
    const previous = applied.get(migration.id);
    if (previous === sum) {
      outcomes.push({ id: migration.id, action: 'unchanged' });
      continue;
    }
    if (previous !== undefined && !migration.repeatable) {
      throw new Error(
        `migration ${migration.id} was changed after it was applied. Applied migrations are immutable: ` +
          'revert the change and add a new migration that alters the schema instead.',
      );
    }
    for (const statement of migration.statements) await runCommand(store.client, statement);
    await runCommand(
      store.client,
      'INSERT INTO schema_migrations (id, checksum, description) VALUES ({id:String}, {checksum:String}, {description:String})',
      { id: migration.id, checksum: sum, description: migration.description },
    );
    const action = previous === undefined ? 'applied' : 'reapplied';
    log.info({ migration: migration.id, action }, migration.description);
    outcomes.push({ id: migration.id, action });
  }
  return outcomes;
}
