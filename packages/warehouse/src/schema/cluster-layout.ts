import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { quoteIdentifier, type DdlOptions } from './ddl-options.ts';
import { GRAINS, rollupGrain } from './rollup-grains.ts';

/**
 * Where each table lives on a cluster of shards × replicas.
 *
 * - `sharded`: the tables that grow with the events — raw events and their rollups. Each shard
 *   holds a local Replicated* table (`<name>_local`) with its part of the rows; a Distributed
 *   table under the original name reads all shards (and routes inserts), so every query keeps
 *   the name it uses on a single node.
 * - `every-node`: small bookkeeping and the place catalogue, replicated whole to every node of the
 *   cluster (one Keeper path for all nodes, no Distributed table). Any node answers a lookup
 *   locally, joins with `divisions` run on the shard that holds the rows, and the quorum
 *   settings of cluster-settings.ts make reads of them see every acknowledged write.
 */
export type Placement = { kind: 'sharded'; shardingKey: string } | { kind: 'every-node' };

/**
 * Raw events go to the shard of their place: `village_code` is the place an event counts under,
 * so every row of one village (or township, county, city) is on one shard, and so are all of
 * that village's rollup states, which the shard's materialized views compute from its own rows.
 */
export const RAW_SHARDING_KEY = 'cityHash64(village_code)';

/**
 * Rollups are written by each shard's materialized views into that shard's local table, never
 * through the Distributed one. A township, county or city draws on villages of every shard, so
 * its rows are partial states on several shards, merged by the -Merge functions when read. A
 * key on `code` would claim a placement that does not hold (and let optimize_skip_unused_shards
 * skip shards holding part of a city); rand() claims none.
 */
export const ROLLUP_SHARDING_KEY = 'rand()';

/** Why each bookkeeping table is kept whole on every node, and not sharded. */
export const EVERY_NODE_TABLES: Readonly<Record<string, string>> = {
  schema_migrations: 'every node must agree on which migrations ran',
  schema_migration_lock: 'one lock for the whole cluster',
  divisions: 'the place catalogue: joined with rollups on every shard, read whole by ingest',
  division_code_changes: 'read whole by ingest to resolve retired codes',
  division_editions: 'a handful of rows per loaded edition',
  event_ledger: 'the ledger before event_keys: read once, by the migration that copies it',
  event_keys: 'ingest looks up redelivered ids on whichever node it talks to, with sequential consistency',
  ingest_intents: 'a crash replay must find the intent on any node',
  ingest_batches: 'one row per batch',
  dead_letters: 'refusals are few, and keyed by source offset, not by place',
  dead_letter_resolutions: 'read with dead_letters',
  bulletins: 'a few rows per city and period',
};

/** The table's shard-local half, which materialized views read and write. */
export function localTableName(table: string): string {
  return `${table}_local`;
}

/**
 * The same nodes as one shard of replicas (infra/clickhouse/cluster/remote-servers.xml). DDL on
 * a table kept on every node goes there: an ALTER, TRUNCATE or mutation of a replicated table
 * ON CLUSTER runs on one replica per shard, so on the sharded cluster it would run once per shard.
 */
export function everyNodeClusterName(cluster: string): string {
  return `${cluster}_every_node`;
}

export interface ClusterLayout {
  cluster: string;
  /** Qualifies the names a shard resolves on its own (backfills); see DdlOptions.database. */
  database: string;
  everyNodeCluster: string;
  /** Where a table lives; throws for a table nobody has placed yet. */
  placement(table: string): Placement;
  /** Names of the sharded tables (their Distributed names). */
  shardedTables(): string[];
}

/** The sharded tables of every event type: raw events and the rollup of each grain. */
function shardedTablesOf(types: readonly EventTypeDefinition[]): Map<string, string> {
  const tables = new Map<string, string>();
  for (const type of types) {
    tables.set(type.rawTable.name, RAW_SHARDING_KEY);
    for (const grain of GRAINS) tables.set(rollupGrain(type, grain).table, ROLLUP_SHARDING_KEY);
  }
  return tables;
}

export function clusterLayout(options: DdlOptions, types: readonly EventTypeDefinition[] = EVENT_TYPES): ClusterLayout {
  const { cluster } = options;
  if (!cluster) throw new Error('the cluster layout needs DdlOptions.cluster (CLICKHOUSE_CLUSTER)');
  if (!options.replicated) {
    throw new Error(
      `cluster ${cluster}: tables on a cluster must be Replicated* (set CLICKHOUSE_REPLICATED=1); ` +
        'bookkeeping is kept on every node and each shard needs its replicas in step',
    );
  }
  const { database } = options;
  if (!database)
    throw new Error(`cluster ${cluster}: set the database (CLICKHOUSE_DATABASE); each shard runs backfills with names qualified by it`);
  const sharded = shardedTablesOf(types);
  return {
    cluster: quoteIdentifier(cluster),
    database: quoteIdentifier(database),
    everyNodeCluster: everyNodeClusterName(cluster),
    placement(table) {
      const shardingKey = sharded.get(table);
      if (shardingKey !== undefined) return { kind: 'sharded', shardingKey };
      if (Object.hasOwn(EVERY_NODE_TABLES, table)) return { kind: 'every-node' };
      throw new Error(
        `cluster layout: table ${table} is neither sharded nor kept on every node. Place it in ` +
          'packages/warehouse/src/schema/cluster-layout.ts (EVERY_NODE_TABLES, or the sharded tables of an event type).',
      );
    },
    shardedTables: () => [...sharded.keys()],
  };
}
