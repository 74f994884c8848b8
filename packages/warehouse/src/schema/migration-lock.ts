import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createLogger, pollUntil } from '@govstats/log';
import { queryRows, runCommand, type Store } from '@govstats/store';
import { bookkeepingSettings, settingsClause } from './cluster-settings.ts';
import { engine, onCluster, type DdlOptions } from './ddl-options.ts';

const log = createLogger('migrate');

/** A crashed migrate run leaves its row behind: it stops counting after this long. */
const LOCK_TTL_MS = 15 * 60_000;
const WAIT_FOR_HOLDER_MS = 20 * 60_000;

export interface LockHolder {
  holder: string;
  acquiredAt: string;
}

async function ensureLockTable(store: Store, options: DdlOptions): Promise<void> {
  await runCommand(
    store.client,
    `CREATE TABLE IF NOT EXISTS schema_migration_lock${onCluster(options)} (
  holder String COMMENT 'host and pid of the migrate run',
  token String,
  acquired_at DateTime64(3, 'UTC'),
  expires_at DateTime64(3, 'UTC')
) ENGINE = ${engine('MergeTree', options)}
ORDER BY acquired_at
TTL toDateTime(expires_at) + INTERVAL 1 DAY`,
  );
}

/** The run holding the migration lock, if any: the oldest unexpired claim. */
export async function migrationLockHolder(store: Store, options?: DdlOptions): Promise<(LockHolder & { token: string }) | undefined> {
  // On a cluster every run must see every claim, whichever node it asks.
  const settings = options ? settingsClause(bookkeepingSettings(options)) : '';
  const exists = await queryRows<{ n: number }>(
    store.client,
    "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'schema_migration_lock'",
  );
  if (Number(exists[0]?.n ?? 0) === 0) return undefined;
  const [row] = await queryRows<{ holder: string; token: string; acquired_at: string }>(
    store.client,
    `SELECT holder, token, acquired_at FROM schema_migration_lock WHERE expires_at > now64(3) ORDER BY acquired_at, token LIMIT 1${settings}`,
  );
  return row ? { holder: row.holder, token: row.token, acquiredAt: row.acquired_at } : undefined;
}

/**
 * Runs `work` holding the migration lock: one migrate at a time, and running ingest consumers
 * see the lock and stop taking batches until it is released. ClickHouse has no locks, so a claim
 * is a row: the oldest unexpired claim holds the lock, later ones wait for it to go.
 */
export async function withMigrationLock<T>(store: Store, options: DdlOptions, work: () => Promise<T>): Promise<T> {
  await ensureLockTable(store, options);
  const token = randomUUID();
  const holder = `${hostname()} pid ${process.pid}`;
  await runCommand(
    store.client,
    `INSERT INTO schema_migration_lock (holder, token, acquired_at, expires_at)${settingsClause(bookkeepingSettings(options))}
SELECT {holder:String}, {token:String}, now64(3), now64(3) + toIntervalMillisecond({ttl:UInt32})`,
    { holder, token, ttl: LOCK_TTL_MS },
  );
  try {
    let current: Awaited<ReturnType<typeof migrationLockHolder>>;
    let said = false;
    const ours = await pollUntil(
      async () => {
        current = await migrationLockHolder(store, options);
        return current?.token === token;
      },
      {
        timeoutMs: WAIT_FOR_HOLDER_MS,
        intervalMs: 1_000,
        onWait: () => {
          if (!said)
            log.info(
              { holder: current?.holder, since: current?.acquiredAt },
              'another migrate run holds the migration lock; waiting for it',
            );
          said = true;
        },
      },
    );
    if (!ours)
      throw new Error(
        `another migrate run (${current?.holder}) has held the migration lock for over ${WAIT_FOR_HOLDER_MS / 60_000} minutes; check it, or wait for its lock to expire`,
      );
    return await work();
  } finally {
    await runCommand(store.client, 'DELETE FROM schema_migration_lock WHERE token = {token:String}', { token }).catch((error: unknown) =>
      log.warn({ err: error }, `could not release the migration lock; it expires by itself in ${LOCK_TTL_MS / 60_000} minutes`),
    );
  }
}
