import { quoteString, type DdlOptions } from './ddl-options.ts';

/** Query settings as @clickhouse/client takes them, or to write into a statement's SETTINGS. */
export type QuerySettings = Record<string, string | number>;

/**
 * For reads and writes of the bookkeeping kept on every node (event_keys, ingest_intents,
 * ingest_batches, dead letters…) on a cluster: a write returns once a majority of the nodes hold
 * it, writes to a table are linearized, and a read refuses to answer from a replica that lacks
 * an acknowledged write — so a ledger lookup on any node sees every id written before it.
 * Nothing on a single node. With insert_quorum_parallel = 0 a second write to the same table
 * while the first has no quorum yet fails (UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE), and a read on
 * a lagging replica fails (REPLICA_IS_NOT_IN_QUORUM): both are worth a retry.
 */
export function bookkeepingSettings(options: DdlOptions): QuerySettings {
  if (!options.cluster) return {};
  return { insert_quorum: 'auto', insert_quorum_parallel: 0, select_sequential_consistency: 1 };
}

/**
 * For inserts of events into the raw tables through their Distributed tables on a cluster: the
 * insert returns only once every shard has written its rows (and its rollups), so the ledger
 * written afterwards never lists an event a shard still queues; and each shard's block reaches a
 * majority of that shard's replicas (both, with two). Writes to one table stay parallel. Nothing on a single node.
 */
export function rawInsertSettings(options: DdlOptions): QuerySettings {
  if (!options.cluster) return {};
  return { distributed_foreground_insert: 1, insert_quorum: 'auto' };
}

/** ` SETTINGS name = value, …` to append to a statement, or '' when there are none. */
export function settingsClause(settings: QuerySettings): string {
  const sql = settingsSql(settings);
  return sql ? ` SETTINGS ${sql}` : '';
}

/** `name = value, …` for a statement's SETTINGS clause (settings go into the SQL, see README). */
export function settingsSql(settings: QuerySettings): string {
  return Object.entries(settings)
    .map(([name, value]) => `${name} = ${typeof value === 'number' ? value : quoteString(value)}`)
    .join(', ');
}
