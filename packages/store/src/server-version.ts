import type { Store } from './store.ts';
import { queryRows } from './sql.ts';

/**
 * The oldest ClickHouse whose insert deduplication govstats relies on: a retried insert with the
 * same insert_deduplication_token is dropped by the table and, separately, by every materialized
 * view's target, even when the first attempt failed halfway through the views (the rework of
 * deduplication in dependent views landed in 24.8 LTS).
 */
export const MIN_CLICKHOUSE_VERSION = '24.8';

function parts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

export function isAtLeast(version: string, minimum: string): boolean {
  const have = parts(version);
  const want = parts(minimum);
  for (let i = 0; i < want.length; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  }
  return true;
}

/** Refuses to go on against a server older than MIN_CLICKHOUSE_VERSION, naming both versions. */
export async function assertServerVersion(store: Store): Promise<string> {
  const [row] = await queryRows<{ version: string }>(store.client, 'SELECT version() AS version');
  const version = row?.version ?? '0';
  if (!isAtLeast(version, MIN_CLICKHOUSE_VERSION)) {
    throw new Error(
      `ClickHouse ${version} at ${store.location} is older than ${MIN_CLICKHOUSE_VERSION}, the oldest whose insert deduplication ` +
        'exactly-once loading relies on (tokens deduplicated in every materialized view). Upgrade the server to ' +
        `${MIN_CLICKHOUSE_VERSION} or later.`,
    );
  }
  return version;
}
