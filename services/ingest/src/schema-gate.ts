import { createLogger, pollUntil } from '@govstats/log';
import type { Store } from '@govstats/store';
import { migrationLockHolder, pendingMigrations, type Migration } from '@govstats/warehouse';

const log = createLogger('ingest');

/** Below CONSUMERS_SEE_LOCK_MS of @govstats/warehouse, so a migrate run sees consumers pause before it changes anything. */
export const SCHEMA_CHECK_INTERVAL_MS = 2_000;

export interface SchemaGate {
  /** Resolves when no migration is running or pending; waits (and says why) otherwise. */
  ready(): Promise<void>;
  /** Why batches are held back right now, or undefined. */
  waitingFor(): string | undefined;
}

/**
 * Ingest never migrates: views swapped under a live consumer would miss the blocks inserted in
 * between. Before each batch it checks (at most every few seconds) that the schema it was built
 * for is in place and no `govstats migrate` holds the lock, and waits while either is not so.
 */
export function createSchemaGate(store: Store, expected: Migration[] | undefined, clock: () => number = Date.now): SchemaGate {
  let checkedAt = Number.NEGATIVE_INFINITY;
  let blocker: string | undefined;

  async function check(): Promise<string | undefined> {
    const holder = await migrationLockHolder(store);
    if (holder) return `a migration is running (${holder.holder}, since ${holder.acquiredAt})`;
    const pending = expected ? await pendingMigrations(store, expected) : [];
    if (pending.length > 0) return `${pending.length} migrations are not applied yet (first: ${pending[0]}): run \`govstats migrate\``;
    return undefined;
  }

  return {
    async ready() {
      if (blocker === undefined && clock() - checkedAt < SCHEMA_CHECK_INTERVAL_MS) return;
      // Holds batches for as long as it takes: a migration's end is the only way forward.
      await pollUntil(
        async () => {
          const reason = await check();
          checkedAt = clock();
          if (reason === undefined) {
            if (blocker !== undefined) log.info('schema is current; consuming again');
            blocker = undefined;
            return true;
          }
          if (reason !== blocker) log.warn({ reason }, 'holding batches until the schema is current');
          blocker = reason;
          return false;
        },
        { timeoutMs: Number.POSITIVE_INFINITY, intervalMs: SCHEMA_CHECK_INTERVAL_MS },
      );
    },
    waitingFor: () => blocker,
  };
}
