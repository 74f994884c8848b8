import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { createLogger } from '@govstats/log';
import { queryRows, runCommand, type Store } from '@govstats/store';
import { quoteIdentifier, type DdlOptions } from '../schema/ddl-options.ts';
import type { AccessSpec } from './access-file.ts';
import { SCOPE_POLICY_PREFIX, renderAccess, type AccessStatement } from './render-access.ts';

const log = createLogger('migrate');

export interface AccessOutcome {
  statements: number;
  /** Scope policies of readers no longer scoped (or no longer listed), dropped. */
  droppedPolicies: string[];
  /** Users holding a govstats role that the access file does not list: left alone, reported. */
  unlistedUsers: string[];
}

/**
 * Puts the access file in place on a ClickHouse server: the rendered statements, then the scope
 * policies of readers the file no longer scopes are dropped. Needs a user that may manage access
 * (the bootstrap admin); the embedded engine has no users at all.
 */
export async function applyAccess(
  store: Store,
  spec: AccessSpec,
  options: DdlOptions,
  types: readonly EventTypeDefinition[] = EVENT_TYPES,
): Promise<AccessOutcome> {
  if (store.mode !== 'server') {
    throw new Error(
      'the embedded engine (chdb) has no users, roles or grants: CLICKHOUSE_ACCESS_FILE applies only to a ClickHouse server (CLICKHOUSE_URL)',
    );
  }
  const [me] = await queryRows<{ user: string }>(store.client, 'SELECT currentUser() AS user');
  if (spec.users.some((u) => u.name === me?.user)) {
    // Its own REVOKE ALL would lock it out halfway through; the bootstrap admin is the server's, not the file's.
    throw new Error(
      `CLICKHOUSE_ACCESS_FILE lists ${me!.user}, the user applying it: apply the file as the server's bootstrap admin and leave that user out of it`,
    );
  }
  const statements = renderAccess(spec, options, types);
  for (const statement of statements) {
    try {
      await runCommand(store.client, statement.sql);
    } catch (error) {
      throw new Error(failureMessage(statement, error as Error), { cause: error });
    }
  }
  const droppedPolicies = await dropStaleScopePolicies(store, spec, options);
  const unlistedUsers = await usersNotInFile(store, spec);
  if (unlistedUsers.length > 0) {
    log.warn(
      { users: unlistedUsers },
      'these users hold a govstats role but are not in CLICKHOUSE_ACCESS_FILE; left as they are: add them to the file or DROP USER them',
    );
  }
  log.info(
    {
      statements: statements.length,
      users: spec.users.length,
      scopedReaders: spec.users.filter((u) => u.scope !== undefined).length,
      droppedPolicies,
    },
    'roles, grants, users and row policies of CLICKHOUSE_ACCESS_FILE are in place',
  );
  return { statements: statements.length, droppedPolicies, unlistedUsers };
}

/** Its first line, up to any password hash: enough to find it in `govstats access render`. */
function describeStatement({ kind, sql }: AccessStatement): string {
  const head = sql.split(/\n| IDENTIFIED /)[0]!;
  const grantee = /\nTO (\S+) WITH REPLACE OPTION$/.exec(sql)?.[1];
  return `${kind} statement ${head}${grantee ? ` … TO ${grantee}` : head === sql ? '' : ' …'}`;
}

/** Never the statement itself: a user statement carries a password hash. */
function failureMessage(statement: AccessStatement, error: Error): string {
  const what = describeStatement(statement);
  if (/ACCESS_DENIED|Not enough privileges/i.test(error.message)) {
    return (
      `applying CLICKHOUSE_ACCESS_FILE failed at the ${what}: this ClickHouse user may not manage access. ` +
      'Run `govstats migrate` with it as the bootstrap admin (CLICKHOUSE_USER of the server, with access_management); ' +
      `the migrator role can change the schema only. ClickHouse said: ${error.message}`
    );
  }
  return `applying CLICKHOUSE_ACCESS_FILE failed at the ${what}: ${error.message}`;
}

async function dropStaleScopePolicies(store: Store, spec: AccessSpec, options: DdlOptions): Promise<string[]> {
  const database = options.database ?? 'default';
  const wanted = new Set(spec.users.filter((u) => u.scope !== undefined).map((u) => `${SCOPE_POLICY_PREFIX}${u.name}`));
  const existing = await queryRows<{ short_name: string; table: string }>(
    store.client,
    'SELECT short_name, table FROM system.row_policies WHERE database = {database:String} AND startsWith(short_name, {prefix:String})',
    { database, prefix: SCOPE_POLICY_PREFIX },
  );
  const onCluster = options.cluster ? ` ON CLUSTER ${quoteIdentifier(options.cluster)}` : '';
  const dropped: string[] = [];
  for (const policy of existing.filter((p) => !wanted.has(p.short_name))) {
    await runCommand(
      store.client,
      `DROP ROW POLICY IF EXISTS ${quoteIdentifier(policy.short_name)} ON ${quoteIdentifier(database)}.${quoteIdentifier(policy.table)}${onCluster}`,
    );
    dropped.push(`${policy.short_name} ON ${database}.${policy.table}`);
  }
  return dropped;
}

async function usersNotInFile(store: Store, spec: AccessSpec): Promise<string[]> {
  const rows = await queryRows<{ user_name: string }>(
    store.client,
    'SELECT DISTINCT user_name FROM system.role_grants WHERE user_name IS NOT NULL AND granted_role_name IN {roles:Array(String)} ORDER BY user_name',
    { roles: Object.values(spec.roles) },
  );
  const listed = new Set(spec.users.map((u) => u.name));
  return rows.map((r) => r.user_name).filter((name) => !listed.has(name));
}
