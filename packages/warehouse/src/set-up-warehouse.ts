import { NATIONAL_EDITION, loadCodeChanges, nationalChecksum, readNationalCatalogue } from '@govstats/divisions';
import { createLogger } from '@govstats/log';
import { assertServerVersion, type Store } from '@govstats/store';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessSpec } from './access/access-file.ts';
import { applyAccess } from './access/apply-access.ts';
import { editionLoaded, loadEdition, otherCompleteEditions } from './catalogue/load-edition.ts';
import type { DdlOptions } from './schema/ddl-options.ts';
import { migrate, pendingMigrations, type MigrationOutcome } from './schema/migrate.ts';
import { withMigrationLock } from './schema/migration-lock.ts';
import { allMigrations } from './schema/migrations.ts';

const log = createLogger('migrate');

/**
 * Everything `govstats migrate` does: the schema, then the national division catalogue shipped
 * with govstats and the code changes of its earlier editions, loaded once. A store where a user loaded another complete edition keeps it.
 * On a server, `access` (CLICKHOUSE_ACCESS_FILE) then puts its roles, users and row policies in
 * place: last, because its grants and view settings name the tables and views just migrated.
 */
export async function setUpWarehouse(store: Store, options: DdlOptions, access?: AccessSpec): Promise<MigrationOutcome[]> {
  await assertServerVersion(store);
  return withMigrationLock(store, options, async () => {
    const outcomes = await setUpLocked(store, options);
    if (!access) return outcomes;
    await applyAccess(store, access, options);
    return [...outcomes, { id: 'access', action: 'applied' }];
  });
}

/**
 * Running consumers check the lock before every batch (SCHEMA_CHECK_INTERVAL_MS apart): a
 * migration that changes a live schema waits long enough for them to see it and finish the
 * batch in hand.
 */
export const CONSUMERS_SEE_LOCK_MS = 10_000;

async function setUpLocked(store: Store, options: DdlOptions): Promise<MigrationOutcome[]> {
  const migrations = allMigrations(options);
  const pending = await pendingMigrations(store, migrations);
  if (pending.length > 0 && pending.length < migrations.length) {
    log.info(
      { pending: pending.length, waitMs: CONSUMERS_SEE_LOCK_MS },
      'migration lock taken; giving running consumers time to pause before changing the schema',
    );
    await sleep(CONSUMERS_SEE_LOCK_MS);
  }
  const outcomes = await migrate(store, migrations, options);
  const id = `divisions/${NATIONAL_EDITION.id}`;
  const others = await otherCompleteEditions(store, NATIONAL_EDITION.id);
  if (others.length > 0) {
    log.info(
      { editions: others },
      `division catalogue: keeping the loaded edition ${others.join(', ')} instead of the shipped ${NATIONAL_EDITION.id}`,
    );
    return [...outcomes, { id, action: 'unchanged' }];
  }
  const checksum = nationalChecksum();
  // Checked before reading the tables: every service migrates at start, and must not pay for (or
  // keep) 665k places and 217k code changes it will not load.
  if (await editionLoaded(store, NATIONAL_EDITION.id, checksum)) return [...outcomes, { id, action: 'unchanged' }];
  await loadEdition(store, {
    edition: NATIONAL_EDITION,
    checksum,
    mode: 'complete',
    catalogue: readNationalCatalogue(),
    // Codes of the 2016 … 2022 editions the 2023 one no longer lists, with their successors.
    codeChanges: loadCodeChanges().values(),
  });
  return [...outcomes, { id, action: 'applied' }];
}
