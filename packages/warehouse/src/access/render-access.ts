import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { clusterLayout, localTableName, type ClusterLayout } from '../schema/cluster-layout.ts';
import { quoteIdentifier, quoteString, type DdlOptions } from '../schema/ddl-options.ts';
import type { AccessSpec, AccessUser } from './access-file.ts';
import { ROLE_KINDS, readableViews, rollupTables, tableUses, type RoleKind, type TablePrivilege } from './service-tables.ts';

/**
 * The roles, grants, reader profile, users and row policies of an access file as ClickHouse
 * statements. Pure: the same file renders the same text, and re-applying it converges — roles and
 * users are created if missing, each role's and user's grants are replaced whole (WITH REPLACE
 * OPTION, one statement, so a running service never sees a half-granted role), passwords are
 * re-set (rotation is editing the secret and migrating again), profiles and policies are
 * replaced. Why the row policies sit on the rollup tables: infra/clickhouse/ACCESS.md.
 */

export type AccessStatementKind = 'role' | 'grant' | 'profile' | 'view-security' | 'user' | 'row-policy';

export interface AccessStatement {
  kind: AccessStatementKind;
  sql: string;
}

/** Every user sees every row of the rollups through this one; scoped readers are then narrowed. */
export const ALL_ROWS_POLICY = 'govstats_all_rows';
/** Prefix of the policy narrowing one scoped reader; apply-access.ts drops those no longer rendered. */
export const SCOPE_POLICY_PREFIX = 'govstats_scope_';
/** The read-only profile of the reader role. */
export const READER_PROFILE_SUFFIX = '_limits';

/** What a migrator may do in the database: everything migrations and catalogue loads do. */
const MIGRATOR_DATABASE_PRIVILEGES = [
  'SHOW TABLES',
  'SHOW COLUMNS',
  'SELECT',
  'INSERT',
  'ALTER',
  'CREATE TABLE',
  'CREATE VIEW',
  'DROP TABLE',
  'DROP VIEW',
  'TRUNCATE',
  'OPTIMIZE',
  // migrate creates the database when it is missing (openStore).
  'CREATE DATABASE',
] as const;

/**
 * On a cluster the migrator also runs ON CLUSTER DDL (the CLUSTER grant) and backfills through the
 * cluster() and view() table functions (REMOTE, CREATE TEMPORARY TABLE).
 */
const MIGRATOR_CLUSTER_PRIVILEGES = ['CLUSTER', 'REMOTE', 'CREATE TEMPORARY TABLE'] as const;

export function renderAccess(
  spec: AccessSpec,
  options: DdlOptions,
  types: readonly EventTypeDefinition[] = EVENT_TYPES,
): AccessStatement[] {
  const database = quoteIdentifier(options.database ?? 'default');
  const cluster = options.cluster ? quoteIdentifier(options.cluster) : undefined;
  const layout = cluster ? clusterLayout(options, types) : undefined;
  const onCluster = cluster ? ` ON CLUSTER ${cluster}` : '';
  const qualified = (table: string) => `${database}.${quoteIdentifier(table)}`;
  const role = (kind: RoleKind) => quoteIdentifier(spec.roles[kind]);

  const statements: AccessStatement[] = [];
  const add = (kind: AccessStatementKind, sql: string) => statements.push({ kind, sql });

  for (const kind of ROLE_KINDS) add('role', `CREATE ROLE IF NOT EXISTS ${role(kind)}${onCluster}`);
  for (const kind of ROLE_KINDS) {
    const elements = grantElements(kind, database, types, layout, qualified);
    add('grant', `GRANT${onCluster}\n  ${elements.join(',\n  ')}\nTO ${role(kind)} WITH REPLACE OPTION`);
  }

  const limits = spec.readerLimits;
  const profile = quoteIdentifier(`${spec.roles.reader}${READER_PROFILE_SUFFIX}`);
  // CONST: no query may raise a limit, even under a readonly level that allows other settings.
  add(
    'profile',
    `CREATE SETTINGS PROFILE OR REPLACE ${profile}${onCluster} SETTINGS readonly = 1 CONST, max_execution_time = ${limits.maxExecutionTime} CONST, ` +
      `max_memory_usage = ${limits.maxMemoryUsage} CONST, max_result_rows = ${limits.maxResultRows} CONST, result_overflow_mode = 'throw' CONST ` +
      `TO ${role('reader')}`,
  );

  // INVOKER is ClickHouse's default for plain views; stated here so a server whose default was
  // changed to DEFINER cannot make the views read the rollups around the readers' row policies.
  for (const view of readableViews(types)) add('view-security', `ALTER TABLE ${qualified(view)}${onCluster} MODIFY SQL SECURITY INVOKER`);

  for (const user of spec.users) for (const sql of userStatements(user, spec, database, onCluster)) add('user', sql);

  // The rollups the readable views read; `divisions` (place names, public) needs no policy.
  const policyTables = physicalTables(rollupTables(types), layout).map(qualified);
  const on = `ON\n  ${policyTables.join(',\n  ')}${onCluster}\n`;
  add('row-policy', `CREATE ROW POLICY OR REPLACE ${ALL_ROWS_POLICY} ${on}AS PERMISSIVE FOR SELECT USING 1 TO ALL`);
  for (const user of spec.users.filter((u) => u.scope !== undefined)) {
    add(
      'row-policy',
      `CREATE ROW POLICY OR REPLACE ${scopePolicyName(user)} ${on}AS RESTRICTIVE FOR SELECT USING ${scopeCondition(user.scope!)} TO ${quoteIdentifier(user.name)}`,
    );
  }
  return statements;
}

export function scopePolicyName(user: Pick<AccessUser, 'name'>): string {
  return quoteIdentifier(`${SCOPE_POLICY_PREFIX}${user.name}`);
}

/** Rows of the places under the prefix: every rollup table keys places by their 12-digit `code`. */
export function scopeCondition(prefix: string): string {
  if (!/^\d{1,12}$/.test(prefix)) throw new Error(`not a division-code prefix: ${prefix}`);
  return `startsWith(code, ${quoteString(prefix)})`;
}

/** The statements as an operator would paste them into clickhouse-client. */
export function formatAccessScript(statements: readonly AccessStatement[]): string {
  return `${statements.map((s) => `${s.sql};`).join('\n\n')}\n`;
}

function userStatements(user: AccessUser, spec: AccessSpec, database: string, onCluster: string): string[] {
  const name = quoteIdentifier(user.name);
  const role = quoteIdentifier(spec.roles[user.role]);
  const password = `IDENTIFIED WITH sha256_hash BY ${quoteString(user.passwordSha256)}`;
  const hosts = user.hostIps ? `HOST IP ${user.hostIps.map(quoteString).join(', ')}` : 'HOST ANY';
  return [
    `CREATE USER IF NOT EXISTS ${name}${onCluster} ${password}`,
    // A user holds nothing of its own: everything comes through its one role.
    `REVOKE${onCluster} ALL ON *.* FROM ${name}`,
    `GRANT${onCluster} ${role} TO ${name} WITH REPLACE OPTION`,
    // Re-set every time: the password may have been rotated, the role or hosts changed.
    `ALTER USER ${name}${onCluster} ${password} ${hosts} DEFAULT DATABASE ${database} DEFAULT ROLE ${role} GRANTEES NONE`,
  ];
}

/** Privileges ON target, grouped per target, in a stable order. */
function grantElements(
  kind: RoleKind,
  database: string,
  types: readonly EventTypeDefinition[],
  layout: ClusterLayout | undefined,
  qualified: (table: string) => string,
): string[] {
  if (kind === 'migrator') {
    const elements = [`${MIGRATOR_DATABASE_PRIVILEGES.join(', ')} ON ${database}.*`];
    if (layout) elements.push(`${MIGRATOR_CLUSTER_PRIVILEGES.join(', ')} ON *.*`);
    return elements;
  }
  const byTable = new Map<string, Set<TablePrivilege>>();
  for (const use of tableUses(kind, types)) {
    for (const table of physicalTables([use.table], layout)) {
      const privileges = byTable.get(table) ?? new Set<TablePrivilege>();
      for (const p of use.privileges) privileges.add(p);
      byTable.set(table, privileges);
    }
  }
  const order: TablePrivilege[] = ['SELECT', 'INSERT'];
  const elements = [...byTable]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([table, privileges]) => `${order.filter((p) => privileges.has(p)).join(', ')} ON ${qualified(table)}`);
  return elements;
}

/**
 * On a cluster a sharded table is a Distributed table over `<name>_local` on every shard. The
 * shards check the forwarded user (remote_servers <secret>) against the local tables, so each
 * grant and row policy covers both names.
 */
function physicalTables(tables: readonly string[], layout: ClusterLayout | undefined): string[] {
  if (!layout) return [...tables];
  return tables.flatMap((table) => (isSharded(table, layout) ? [table, localTableName(table)] : [table]));
}

function isSharded(table: string, layout: ClusterLayout): boolean {
  // Views are not placed by the layout: they exist on every node and read the Distributed tables.
  return layout.shardedTables().includes(table);
}
