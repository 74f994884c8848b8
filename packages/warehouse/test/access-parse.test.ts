import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, queryRows, runCommand, type Store } from '@govstats/store';
import {
  SINGLE_NODE,
  allMigrations,
  applyAccess,
  migrate,
  readableViews,
  renderAccess,
  rollupTables,
  scopeCondition,
  sha256Hex,
  type AccessSpec,
  type AccessStatement,
  type AccessStatementKind,
  type DdlOptions,
} from '../src/index.ts';

/*
 * The rendered roles, grants, profile, users and row policies, on the real ClickHouse engine.
 * The embedded engine has no access control (CREATE ROLE is refused there), so what can be
 * checked is: ClickHouse parses every statement as the kind of statement it is meant to be and
 * reads it back as written; the row-policy conditions run against the real rollup tables and
 * select the right places; the views' SQL SECURITY statements run on the real views. What only a
 * server could show (the grants in force, a scoped reader's answers) is listed in
 * infra/clickhouse/ACCESS.md.
 */

const spec: AccessSpec = {
  roles: { migrator: 'govstats_migrator', ingest: 'govstats_ingest', bulletin: 'govstats_bulletin', reader: 'govstats_reader' },
  readerLimits: { maxExecutionTime: 30, maxMemoryUsage: 2_000_000_000, maxResultRows: 100_000 },
  users: [
    { name: 'migrator', role: 'migrator', passwordSha256: sha256Hex('made-up password 1') },
    { name: 'ingest', role: 'ingest', passwordSha256: sha256Hex('made-up password 2') },
    { name: 'bulletin', role: 'bulletin', passwordSha256: sha256Hex('made-up password 3') },
    { name: 'reader', role: 'reader', passwordSha256: sha256Hex('made-up password 4') },
    {
      name: 'kecheng',
      role: 'reader',
      scope: '330802',
      passwordSha256: sha256Hex('made-up password 5'),
      hostIps: ['10.20.0.0/16', '2001:db8::/32'],
    },
  ],
};

const CLUSTER: DdlOptions = { cluster: 'govstats', replicated: true, dedupWindow: 10_000, database: 'govstats' };

/** The first line of EXPLAIN AST for each kind: the statement is the statement it claims to be. */
const AST: Record<AccessStatementKind, RegExp> = {
  role: /^CreateRoleQuery\b/,
  grant: /^GrantQuery\b/,
  profile: /^CreateSettingsProfileQuery\b/,
  'view-security': /^AlterQuery\b/,
  user: /^(CreateUserQuery|GrantQuery)\b/,
  'row-policy': /^CREATE ROW POLICY or ALTER ROW POLICY query\b/,
};

/** Whitespace and identifier quotes aside, how ClickHouse prints a statement back. */
const normalized = (sql: string) => sql.replace(/`/g, '').replace(/\s+/g, ' ').trim();

describe('access statements on the real ClickHouse engine', () => {
  let store: Store;
  let dir: string;
  let database: string;
  let singleNode: AccessStatement[];

  /** The root node of EXPLAIN AST. Sent as is: a FORMAT clause appended by the client would end up inside an ALTER. */
  const astRoot = async (sql: string) => {
    const result = await store.client.exec({ query: `EXPLAIN AST ${sql}` });
    let text = '';
    for await (const chunk of result.stream) text += String(chunk);
    return text
      .split('\n')[0]!
      .trim()
      .replace(/^"(.*)"$/, '$1');
  };

  const formatted = async (sql: string) =>
    (await queryRows<{ f: string }>(store.client, 'SELECT formatQuerySingleLine({sql:String}) AS f', { sql }))[0]!.f;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-access-parse-'));
    store = await openStore({ url: inject('clickhouseUrl') || undefined, dataDir: dir });
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
    database = (await queryRows<{ d: string }>(store.client, 'SELECT currentDatabase() AS d'))[0]!.d;
    singleNode = renderAccess(spec, { ...SINGLE_NODE, database });
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses every statement, single node and cluster, as the kind it is meant to be, and reads it back as written', async () => {
    const problems: string[] = [];
    for (const { kind, sql } of [...singleNode, ...renderAccess(spec, CLUSTER)]) {
      try {
        const root = await astRoot(sql);
        if (!AST[kind].test(root)) problems.push(`${kind} parsed as ${root}: ${sql.slice(0, 80)}`);
        const back = normalized(await formatted(sql));
        // ClickHouse prints an ALTER's commands in parentheses; everything else comes back as rendered.
        const expected =
          kind === 'view-security'
            ? normalized(sql).replace(/ MODIFY SQL SECURITY INVOKER$/, ' (MODIFY SQL SECURITY INVOKER)')
            : normalized(sql);
        if (back !== expected) problems.push(`read back differently:\n  ${normalized(sql).slice(0, 300)}\n  ${back.slice(0, 300)}`);
      } catch (error) {
        problems.push(`${(error as Error).message.split('\n')[0]}\n${sql.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses a malformed statement of every kind (the parse check can fail)', async () => {
    const kinds = new Set(singleNode.map((s) => s.kind));
    expect(kinds.size).toBe(6);
    for (const kind of kinds) {
      const { sql } = singleNode.find((s) => s.kind === kind)!;
      await expect(queryRows(store.client, 'SELECT formatQuery({sql:String})', { sql: `${sql} garbage` }), kind).rejects.toThrow(
        /Syntax error/,
      );
    }
    // A password clause cut short is no password clause.
    await expect(
      queryRows(store.client, 'SELECT formatQuery({sql:String})', { sql: 'CREATE USER IF NOT EXISTS x IDENTIFIED WITH sha256_hash BY' }),
    ).rejects.toThrow(/Syntax error/);
  });

  it('runs the row-policy conditions against every real rollup table the views read, and a wrong column fails', async () => {
    const condition = scopeCondition('330802');
    for (const table of rollupTables()) {
      const [row] = await queryRows<{ n: string }>(store.client, `SELECT count() AS n FROM ${database}.${table} WHERE ${condition}`);
      expect(Number(row!.n), table).toBe(0);
    }
    await expect(
      queryRows(store.client, `SELECT count() FROM ${database}.${rollupTables()[0]} WHERE startsWith(place_code, '3308')`),
    ).rejects.toThrow(/place_code/);
  });

  it('lets a county reader see its county, townships and villages, and not its city or a neighbour', async () => {
    const visible = async (code: string) =>
      Number(
        (
          await queryRows<{ v: number }>(
            store.client,
            `SELECT ${scopeCondition('330802')} AS v FROM (SELECT toFixedString({code:String}, 12) AS code)`,
            {
              code,
            },
          )
        )[0]!.v,
      );
    expect(await visible('330802000000')).toBe(1); // the county itself
    expect(await visible('330802001000')).toBe(1); // one of its townships
    expect(await visible('330802001001')).toBe(1); // one of its villages
    expect(await visible('330800000000')).toBe(0); // the city above it
    expect(await visible('330803000000')).toBe(0); // the county next door
    expect(await visible('330803001001')).toBe(0);
  });

  it('runs the readable views as their invoker: ClickHouse’s default, and the SQL SECURITY statements run on the real views', async () => {
    // Why row policies on the rollups reach a reader through the views (infra/clickhouse/ACCESS.md).
    const [setting] = await queryRows<{ s: string }>(store.client, "SELECT getSetting('default_normal_view_sql_security') AS s");
    expect(setting!.s).toBe('INVOKER');
    const pinning = singleNode.filter((s) => s.kind === 'view-security');
    expect(pinning.length).toBe(readableViews().length);
    for (const { sql } of pinning) await runCommand(store.client, sql);
    for (const view of readableViews()) {
      const [row] = await queryRows<{ n: string }>(store.client, `SELECT count() AS n FROM ${database}.${view}`);
      expect(Number(row!.n), view).toBe(0);
    }
    await expect(runCommand(store.client, `ALTER TABLE ${database}.no_such_view MODIFY SQL SECURITY INVOKER`)).rejects.toThrow(
      /no_such_view/,
    );
  });

  it('is not applied to the embedded engine, and says which user to apply it as when ClickHouse refuses', async () => {
    await expect(applyAccess(store, spec, { ...SINGLE_NODE, database })).rejects.toThrow(/embedded engine \(chdb\) has no users/);
    // The engine's own refusal of access management, as a server gives it to a user without it.
    const asServer: Store = { ...store, mode: 'server' };
    const failure = await applyAccess(asServer, spec, { ...SINGLE_NODE, database }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.message).toMatch(
      /^applying CLICKHOUSE_ACCESS_FILE failed at the role statement CREATE ROLE IF NOT EXISTS govstats_migrator: /,
    );
    expect(failure!.message).toMatch(/may not manage access\. Run `govstats migrate` with it as the bootstrap admin/);
    for (const user of spec.users) expect(failure!.message).not.toContain(user.passwordSha256);
    // The user applying the file must not be one of its users: its own REVOKE ALL would lock it out.
    const [me] = await queryRows<{ user: string }>(store.client, 'SELECT currentUser() AS user');
    const listingMe = { ...spec, users: [...spec.users, { name: me!.user, role: 'reader' as const, passwordSha256: sha256Hex('x') }] };
    await expect(applyAccess(asServer, listingMe, { ...SINGLE_NODE, database })).rejects.toThrow(
      new RegExp(`lists ${me!.user}, the user applying it`),
    );
  });
});
