/**
 * How DDL is rendered: single node today, a cluster later. Every CREATE goes through these
 * helpers, so moving to Replicated* engines with ON CLUSTER is a change of options, not of SQL.
 */
export interface DdlOptions {
  /** Cluster name for ON CLUSTER DDL; unset on a single node (and in embedded chdb). */
  cluster?: string;
  /** Use Replicated* engines (requires Keeper and macros {shard}/{replica} on the servers). */
  replicated: boolean;
  /** How many recent insert blocks each table remembers for deduplicating retried inserts. */
  dedupWindow: number;
}

export const SINGLE_NODE: DdlOptions = { replicated: false, dedupWindow: 10_000 };

/** Statistics are bucketed by the local day in China, whatever the server's own time zone. */
export const STATS_TIMEZONE = 'Asia/Shanghai';

type EngineKind = 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';

export function engine(kind: EngineKind, options: DdlOptions, args = ''): string {
  if (!options.replicated) return `${kind}(${args})`;
  const replication = `'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'`;
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
