import { EVERY_NODE_REPLICATION_PATH, SHARD_REPLICATION_PATH, quoteString } from './ddl-options.ts';
import { localTableName, type ClusterLayout } from './cluster-layout.ts';

/**
 * One migration statement, as rendered with ON CLUSTER and Replicated* engines, turned into the
 * statements of the cluster layout (cluster-layout.ts). Each rule recognises one statement shape;
 * a shape no rule knows is refused, so a new kind of statement cannot slip onto a cluster
 * unplaced.
 */
interface Rule {
  name: string;
  pattern: RegExp;
  render(match: RegExpExecArray, layout: ClusterLayout): string[];
}

const NAME = '([A-Za-z_][A-Za-z0-9_]*)';

/** `ON CLUSTER x` as onCluster() renders it: the cluster must be the layout's. */
function checkCluster(rendered: string, layout: ClusterLayout, statement: string): void {
  if (rendered !== layout.cluster) {
    throw new Error(`cluster layout: statement rendered for cluster ${rendered}, expected ${layout.cluster}:\n${statement}`);
  }
}

/** The Distributed table under the original name, over the shard-local tables. */
function distributedTableDdl(table: string, shardingKey: string, layout: ClusterLayout, mode: 'create' | 'replace'): string {
  const create = mode === 'create' ? 'CREATE TABLE IF NOT EXISTS' : 'CREATE OR REPLACE TABLE';
  const local = localTableName(table);
  return `${create} ${table} ON CLUSTER ${layout.cluster} AS ${local}
ENGINE = Distributed(${quoteString(layout.cluster)}, currentDatabase(), ${quoteString(local)}, ${shardingKey})`;
}

/**
 * Sharded tables named in FROM or JOIN of a SELECT, replaced by their shard-local tables;
 * `qualified` prefixes the database, for a SELECT a shard runs on its own.
 */
function readLocalTables(select: string, layout: ClusterLayout, qualified = false): string {
  const sharded = new Set(layout.shardedTables());
  const prefix = qualified ? `${layout.database}.` : '';
  return select.replace(new RegExp(`\\b(FROM|JOIN)(\\s+)${NAME}\\b`, 'g'), (whole, keyword: string, space: string, table: string) =>
    sharded.has(table) ? `${keyword}${space}${prefix}${localTableName(table)}` : whole,
  );
}

const TRAILING_SETTINGS = /\sSETTINGS\s+[A-Za-z_]\w*\s*=\s*[\w.']+(?:\s*,\s*[A-Za-z_]\w*\s*=\s*[\w.']+)*\s*$/;

/**
 * An ALTER waits until every replica has applied it: otherwise a replica that only follows the
 * replication log could still have the old columns when the next statement (re-creating the
 * Distributed table from the local one) runs on it.
 */
function withAlterSync(rest: string): string {
  return TRAILING_SETTINGS.test(rest) ? `${rest.trimEnd()}, alter_sync = 2` : `${rest}\nSETTINGS alter_sync = 2`;
}

function replicatedPerShard(rest: string, statement: string): string {
  const everyNodePath = quoteString(EVERY_NODE_REPLICATION_PATH);
  if (!rest.includes(everyNodePath)) throw new Error(`cluster layout: a sharded table must be Replicated*:\n${statement}`);
  return rest.replace(everyNodePath, quoteString(SHARD_REPLICATION_PATH));
}

function requireReplicated(rest: string, statement: string): string {
  if (!rest.includes(quoteString(EVERY_NODE_REPLICATION_PATH)))
    throw new Error(`cluster layout: a table kept on every node must be Replicated*:\n${statement}`);
  return rest;
}

const RULES: Rule[] = [
  {
    name: 'create table',
    pattern: new RegExp(`^(CREATE (?:OR REPLACE )?TABLE (?:IF NOT EXISTS )?)${NAME} ON CLUSTER ${NAME}\\b([\\s\\S]*)$`),
    render([statement, create, table, cluster, rest], layout) {
      checkCluster(cluster!, layout, statement);
      const placement = layout.placement(table!);
      if (placement.kind === 'every-node')
        return [`${create}${table} ON CLUSTER ${layout.everyNodeCluster}${requireReplicated(rest!, statement)}`];
      return [
        `${create}${localTableName(table!)} ON CLUSTER ${cluster}${replicatedPerShard(rest!, statement)}`,
        distributedTableDdl(table!, placement.shardingKey, layout, 'create'),
      ];
    },
  },
  {
    name: 'alter table',
    pattern: new RegExp(`^ALTER TABLE ${NAME} ON CLUSTER ${NAME}\\b([\\s\\S]*)$`),
    render([statement, table, cluster, rest], layout) {
      checkCluster(cluster!, layout, statement);
      const placement = layout.placement(table!);
      if (placement.kind === 'every-node') return [`ALTER TABLE ${table} ON CLUSTER ${layout.everyNodeCluster}${withAlterSync(rest!)}`];
      // The Distributed table copies the local one's columns, so it is re-created after a change.
      return [
        `ALTER TABLE ${localTableName(table!)} ON CLUSTER ${cluster}${withAlterSync(rest!)}`,
        distributedTableDdl(table!, placement.shardingKey, layout, 'replace'),
      ];
    },
  },
  {
    name: 'truncate table',
    pattern: new RegExp(`^(TRUNCATE TABLE (?:IF EXISTS )?)${NAME} ON CLUSTER ${NAME}\\b([\\s\\S]*)$`),
    render([statement, truncate, table, cluster, rest], layout) {
      checkCluster(cluster!, layout, statement);
      const placement = layout.placement(table!);
      if (placement.kind === 'every-node') return [`${truncate}${table} ON CLUSTER ${layout.everyNodeCluster}${rest}`];
      return [`${truncate}${localTableName(table!)} ON CLUSTER ${cluster}${rest}`];
    },
  },
  {
    name: 'drop table',
    pattern: new RegExp(`^(DROP TABLE (?:IF EXISTS )?)${NAME} ON CLUSTER ${NAME}\\b([\\s\\S]*)$`),
    render([statement, drop, table, cluster, rest], layout) {
      checkCluster(cluster!, layout, statement);
      const placement = layout.placement(table!);
      if (placement.kind === 'every-node') return [`${drop}${table} ON CLUSTER ${layout.everyNodeCluster}${rest}`];
      return [`${drop}${table} ON CLUSTER ${cluster}${rest}`, `${drop}${localTableName(table!)} ON CLUSTER ${cluster}${rest}`];
    },
  },
  {
    // Views exist on every node; plain views read the Distributed tables, unchanged.
    name: 'drop or create view',
    pattern: new RegExp(
      `^(?:DROP VIEW (?:IF EXISTS )?|CREATE (?:OR REPLACE )?VIEW (?:IF NOT EXISTS )?)${NAME} ON CLUSTER ${NAME}\\b[\\s\\S]*$`,
    ),
    render([statement, , cluster], layout) {
      checkCluster(cluster!, layout, statement);
      return [statement];
    },
  },
  {
    // A materialized view fires on the node that receives an insert: it must read the local raw
    // table (what the Distributed one delivered to this shard) and write the local rollup.
    name: 'create materialized view',
    pattern: new RegExp(`^(CREATE MATERIALIZED VIEW (?:IF NOT EXISTS )?${NAME}) ON CLUSTER ${NAME} TO ${NAME} AS\\b([\\s\\S]*)$`),
    render([statement, create, , cluster, target, select], layout) {
      checkCluster(cluster!, layout, statement);
      const to = layout.placement(target!).kind === 'sharded' ? localTableName(target!) : target!;
      return [`${create} ON CLUSTER ${cluster} TO ${to} AS${readLocalTables(select!, layout)}`];
    },
  },
  {
    name: 'insert select',
    pattern: new RegExp(`^INSERT INTO ${NAME}( ?\\([^)]*\\))?(?:\\s+SETTINGS ([^\\n]+?))?\\s+(SELECT\\b[\\s\\S]*)$`),
    render([statement, target, columns = '', settings, select], layout) {
      // Into a table kept on every node: read through the Distributed tables, write this node's
      // replica, and replication copies it to the others. As rendered.
      if (layout.placement(target!).kind === 'every-node') return [statement];
      return [perShardBackfill(target!, columns, settings, select!, layout)];
    },
  },
];

/**
 * A backfill of a sharded table runs on each shard, from its own rows into its own local table:
 * with parallel_distributed_insert_select = 2 the server sends `INSERT INTO <local> <the view's
 * SELECT>` to one replica of every shard. The view() wrapper makes any SELECT (subqueries,
 * ARRAY JOIN) the single table the setting needs; its tables carry the database because the
 * shards resolve them on their own. Rollup states computed per shard are partial,
 * like the ones the materialized views write, and merge when read. Should the server not take
 * the parallel path, the rows still come out per shard and go in through the Distributed table
 * (in the foreground): the same figures.
 */
function perShardBackfill(target: string, columns: string, settings: string | undefined, select: string, layout: ClusterLayout): string {
  const all = [...(settings ? [settings] : []), 'parallel_distributed_insert_select = 2', 'distributed_foreground_insert = 1'];
  return `INSERT INTO ${target}${columns}
SETTINGS ${all.join(', ')}
SELECT * FROM cluster(${quoteString(layout.cluster)}, view(
${readLocalTables(select, layout, true)}
))`;
}

export function clusterStatements(statement: string, layout: ClusterLayout): string[] {
  for (const rule of RULES) {
    const match = rule.pattern.exec(statement);
    if (match) return rule.render(match, layout);
  }
  throw new Error(
    'cluster layout: no rule places this statement on a cluster; add one to ' +
      `packages/warehouse/src/schema/cluster-statements.ts:\n${statement.slice(0, 300)}`,
  );
}
