/**
 * How DDL is rendered: a single node, or a cluster of shards and replicas. Every CREATE goes
 * through these helpers, so moving to Replicated* engines with ON CLUSTER is a change of options,
 * not of SQL; on a cluster, allMigrations() also splits the event tables into shard-local and
 * Distributed tables (cluster-migrations.ts). The single-node text never changes: applied
 * migrations are checksummed.
 */
export interface DdlOptions {
  /**
   * Cluster name (remote_servers) for ON CLUSTER DDL and Distributed tables; unset on a single
   * node (and in embedded chdb). Setting it requires `replicated`.
   */
  cluster?: string;
  /**
   * Database the tables live in (CLICKHOUSE_DATABASE). Needed on a cluster only: a backfill runs
   * its SELECT on every shard, and a shard resolves unqualified names in its own default database.
   */
  database?: string;
  /** Use Replicated* engines (requires Keeper and macros {shard}/{replica} on the servers). */
  replicated: boolean;
  /** How many recent insert blocks each table remembers for deduplicating retried inserts. */
  dedupWindow: number;
}

export const SINGLE_NODE: DdlOptions = { replicated: false, dedupWindow: 10_000 };

type EngineKind = 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';

/** Keeper path of a table whose replicas are the nodes of one shard. */
export const SHARD_REPLICATION_PATH = '/clickhouse/tables/{shard}/{database}/{table}';

/**
 * Keeper path of a table kept whole on every node of a cluster: all nodes replicate one copy, so
 * `{replica}` must name each node uniquely across the whole cluster (infra/clickhouse/macros).
 */
export const EVERY_NODE_REPLICATION_PATH = '/clickhouse/tables/all/{database}/{table}';

/**
 * On a cluster a table is rendered as kept on every node; the cluster layout
 * (cluster-layout.ts) turns the tables that hold events into shard-local tables behind
 * Distributed ones. Replicated without a cluster keeps the per-shard path it always had.
 */
function replicationPath(options: DdlOptions): string {
  return options.cluster ? EVERY_NODE_REPLICATION_PATH : SHARD_REPLICATION_PATH;
}

export function engine(kind: EngineKind, options: DdlOptions, args = ''): string {
  if (!options.replicated) return `${kind}(${args})`;
  const replication = `'${replicationPath(options)}', '{replica}'`;
  return `Replicated${kind}(${args ? `${replication}, ${args}` : replication})`;
}

export function onCluster(options: DdlOptions): string {
  return options.cluster ? ` ON CLUSTER ${quoteIdentifier(options.cluster)}` : '';
}

/** Table settings that make a retried insert of the same block a no-op (see README: exactly once). */
export function dedupSettings(options: DdlOptions): string {
  const name = options.replicated ? 'replicated_deduplication_window' : 'non_replicated_deduplication_window';
  return `${name} = ${options.dedupWindow}`;
}

export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
  return name;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
