import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import {
  ALL_ROWS_POLICY,
  DEFAULT_READER_LIMITS,
  DEFAULT_ROLE_NAMES,
  SINGLE_NODE,
  allMigrations,
  bookkeepingTables,
  formatAccessScript,
  parseAccessFile,
  rawTables,
  readableViews,
  renderAccess,
  rollupTables,
  scopePrefix,
  sha256Hex,
  type AccessSpec,
  type AccessStatement,
  type DdlOptions,
} from '../src/index.ts';

/*
 * The access model without a server: the access file's validation, and what the rendered grants,
 * users and row policies allow, checked against the registry and against the SQL of the
 * migrations themselves. access-parse.test.ts has ClickHouse parse the same statements.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const EXAMPLE = join(ROOT, 'infra', 'clickhouse', 'access.yaml');
const GOLDEN = join(import.meta.dirname, 'golden', 'access.sql');
const REGENERATE = 'UPDATE_GOLDEN=1 npx vitest run packages/warehouse/test/access-model.test.ts';
const DB: DdlOptions = { ...SINGLE_NODE, database: 'govstats' };
const CLUSTER: DdlOptions = { cluster: 'govstats', replicated: true, dedupWindow: 10_000, database: 'govstats' };

/** Stands in for the secret files: a password per file, known to the test, never in the output. */
const fakeSecret = (path: string) => `pw-${basename(path)}-0123456789abcdef`;

const dir = mkdtempSync(join(tmpdir(), 'govstats-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parse(yaml: string, readSecret: (path: string) => string = fakeSecret): AccessSpec {
  return parseAccessFile(yaml, { baseDir: dir, source: 'test.yaml', readSecret });
}

const SPEC_YAML = `
users:
  - { name: migrate_user, role: migrator, password_file: /run/secrets/migrate_user }
  - { name: ingest_user, role: ingest, password_file: /run/secrets/ingest_user }
  - { name: bulletin_user, role: bulletin, password_file: /run/secrets/bulletin_user }
  - { name: analyst, role: reader, password_file: /run/secrets/analyst }
  - { name: kecheng, role: reader, scope: "330802", password_file: /run/secrets/kecheng, host_ip: [10.20.0.0/16] }
`;
const spec = parse(SPEC_YAML);
const statements = renderAccess(spec, DB);

/** `GRANT … TO <role>`: each privilege with its target, e.g. ['SELECT', 'govstats.divisions']. */
function grantsOf(rendered: AccessStatement[], role: string): Array<[string, string]> {
  const grant = rendered.find((s) => s.kind === 'grant' && s.sql.endsWith(`\nTO ${role} WITH REPLACE OPTION`));
  if (!grant) throw new Error(`no GRANT to ${role}`);
  const body = grant.sql.replace(/^GRANT( ON CLUSTER \w+)?\n {2}/, '').replace(/\nTO \w+ WITH REPLACE OPTION$/, '');
  return body.split(',\n  ').flatMap((element) => {
    const [, privileges, target] = /^(.+) ON (\S+)$/.exec(element)!;
    return privileges!.split(', ').map((p) => [p, target!] as [string, string]);
  });
}

const targets = (grants: Array<[string, string]>, privilege?: string) =>
  new Set(grants.filter(([p]) => privilege === undefined || p === privilege).map(([, t]) => t));
const inDb = (tables: readonly string[]) => tables.map((t) => `govstats.${t}`);

/** The tables the readable views read, taken from the SQL the migrations create them with. */
function tablesReadByViews(): Set<string> {
  const views = allMigrations(SINGLE_NODE)
    .flatMap((m) => m.statements)
    .filter((s) => /^CREATE OR REPLACE VIEW /.test(s));
  expect(views.length).toBe(readableViews().length);
  return new Set(views.flatMap((view) => [...view.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/g)].map((m) => m[1]!)));
}

describe('the access file', () => {
  it('fills in the default role names and reader limits', () => {
    const minimal = parse('users: [{ name: someone, role: reader, password_file: secret }]');
    expect(minimal.roles).toEqual(DEFAULT_ROLE_NAMES);
    expect(minimal.readerLimits).toEqual(DEFAULT_READER_LIMITS);
  });

  it('keeps only the SHA-256 of a password, read from a file next to the access file, one trailing newline dropped', () => {
    writeFileSync(join(dir, 'secret'), 'correct horse battery staple\n');
    const [user] = parseAccessFile('users: [{ name: someone, role: reader, password_file: secret }]', { baseDir: dir }).users;
    expect(user!.passwordSha256).toBe(sha256Hex('correct horse battery staple'));
    expect(JSON.stringify(user)).not.toContain('correct horse');
  });

  it('takes a precomputed hash instead, in lower case', () => {
    const hash = sha256Hex('another long password');
    const [user] = parse(`users: [{ name: someone, role: reader, password_sha256: ${hash.toUpperCase()} }]`).users;
    expect(user!.passwordSha256).toBe(hash);
  });

  it.each([
    [
      'both password sources',
      'users: [{ name: u, role: reader, password_file: s, password_sha256: ' + 'a'.repeat(64) + ' }]',
      /exactly one of/,
    ],
    ['no password', 'users: [{ name: u, role: reader }]', /exactly one of/],
    ['a hash that is not one', 'users: [{ name: u, role: reader, password_sha256: abc }]', /64 hex digits/],
    ['a scoped service', 'users: [{ name: u, role: ingest, scope: "3301", password_file: s }]', /only readers are scoped/],
    ['a scope with trailing zeros', 'users: [{ name: u, role: reader, scope: "3300", password_file: s }]', /province 33: write that/],
    ['a scope of letters', 'users: [{ name: u, role: reader, scope: "hz", password_file: s }]', /digits only/],
    ['a scope of an odd length', 'users: [{ name: u, role: reader, scope: "33010", password_file: s }]', /5$/],
    ['an unknown role', 'users: [{ name: u, role: admin, password_file: s }]', /role/],
    ['a misspelt key', 'users: [{ name: u, role: reader, pasword_file: s }]', /pasword_file/],
    ['a name SQL would need quoting for', 'users: [{ name: "bob; DROP", role: reader, password_file: s }]', /letters, digits and _/],
    [
      'a user listed twice',
      'users: [{ name: u, role: reader, password_file: s }, { name: u, role: ingest, password_file: t }]',
      /listed twice/,
    ],
    ['a user named like a role', 'users: [{ name: govstats_reader, role: reader, password_file: s }]', /name of a role/],
    ['two kinds sharing a role', 'roles: { ingest: same, bulletin: same }', /its own role name/],
    ['a host that is no address', 'users: [{ name: u, role: reader, password_file: s, host_ip: [example.com] }]', /IP address/],
    ['a limit of zero', 'reader_limits: { max_execution_time: 0 }', /max_execution_time/],
    ['YAML that is not', 'users: [', /not valid YAML/],
  ])('refuses %s, saying what is wrong', (_what, yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });

  it('refuses a short password and one it cannot read, naming the file but never the content', () => {
    expect(() => parse('users: [{ name: u, role: reader, password_file: s }]', () => 'short-secret')).toThrow(
      /password_file .*\/s holds 12 characters; use at least 16/,
    );
    try {
      parse('users: [{ name: u, role: reader, password_file: missing }]', () => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/users\.0 \(u\): password_file .*missing: cannot read it \(ENOENT\)/);
    }
  });

  it('takes a scope as a prefix or as the place’s 12-digit code', () => {
    expect(scopePrefix('3301')).toBe('3301');
    expect(scopePrefix('330100000000')).toBe('3301');
    expect(scopePrefix('33')).toBe('33');
    expect(scopePrefix('330802001')).toBe('330802001');
    expect(scopePrefix('330802001002')).toBe('330802001002');
    expect(() => scopePrefix('330000')).toThrow(/province 33/);
  });
});

describe('the rendered access', () => {
  const reader = grantsOf(statements, 'govstats_reader');
  const ingest = grantsOf(statements, 'govstats_ingest');
  const bulletin = grantsOf(statements, 'govstats_bulletin');
  const migrator = grantsOf(statements, 'govstats_migrator');

  it('gives the reader SELECT on the readable views and on exactly the tables those views read, nothing else', () => {
    expect(new Set(reader.map(([p]) => p))).toEqual(new Set(['SELECT']));
    const viewSources = tablesReadByViews();
    expect(targets(reader)).toEqual(new Set(inDb([...readableViews(), ...viewSources])));
    // The sources are the rollups and the place names: no raw event, no bookkeeping.
    expect(viewSources).toEqual(new Set([...rollupTables(), 'divisions']));
    for (const table of rawTables()) expect(targets(reader)).not.toContain(`govstats.${table}`);
  });

  it('lets ingest insert and read only: it cannot drop, alter, truncate or create tables', () => {
    expect(new Set(ingest.map(([p]) => p))).toEqual(new Set(['SELECT', 'INSERT']));
    for (const [privilege, target] of ingest) {
      expect(privilege, target).not.toMatch(/DROP|ALTER|TRUNCATE|CREATE|OPTIMIZE|ALL/);
      expect(target, `${privilege} on a whole database`).not.toMatch(/\*$/);
    }
    expect(targets(ingest, 'INSERT')).toEqual(
      new Set(inDb([...rawTables(), 'event_keys', 'ingest_intents', 'ingest_batches', 'dead_letters', 'dead_letter_resolutions'])),
    );
    // It never reads the figures or the events back.
    for (const table of [...rollupTables(), ...rawTables()]) expect(targets(ingest, 'SELECT')).not.toContain(`govstats.${table}`);
  });

  it('lets the bulletin service read and insert bulletins only', () => {
    expect(targets(bulletin, 'INSERT')).toEqual(new Set(['govstats.bulletins']));
    expect(new Set(bulletin.map(([p]) => p))).toEqual(new Set(['SELECT', 'INSERT']));
    for (const table of rollupTables()) expect(targets(bulletin, 'SELECT')).toContain(`govstats.${table}`);
  });

  it('gives the migrator DDL in its database only, and no access management', () => {
    expect(targets(migrator)).toEqual(new Set(['govstats.*']));
    expect(new Set(migrator.map(([p]) => p))).toEqual(
      new Set([
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
        'CREATE DATABASE',
      ]),
    );
  });

  it('never puts a password in clear: only its SHA-256, in every statement naming the user', () => {
    const script = formatAccessScript(statements);
    for (const { name } of spec.users) {
      const password = fakeSecret(`/run/secrets/${name}`);
      expect(script).not.toContain(password);
      expect(script).not.toContain(Buffer.from(password).toString('base64'));
    }
    for (const user of spec.users) {
      const hash = sha256Hex(fakeSecret(`/run/secrets/${user.name}`));
      expect(user.passwordSha256).toBe(hash);
      const identified = statements.filter((s) => s.sql.includes(`IDENTIFIED WITH sha256_hash BY '${hash}'`));
      expect(identified.map((s) => s.sql.split(' ').slice(0, 2).join(' '))).toEqual(['CREATE USER', 'ALTER USER']);
    }
    expect(script).not.toMatch(/IDENTIFIED (WITH (plaintext_password|sha256_password) )?BY/);
  });

  it('narrows a scoped reader to its prefix on every rollup the views read, and nobody else', () => {
    const policies = statements.filter((s) => s.kind === 'row-policy');
    const scoped = policies.filter((s) => s.sql.includes('govstats_scope_'));
    expect(scoped).toHaveLength(1);
    const [policy] = scoped;
    expect(policy!.sql).toMatch(/^CREATE ROW POLICY OR REPLACE govstats_scope_kecheng ON\n/);
    expect(policy!.sql).toMatch(/\nAS RESTRICTIVE FOR SELECT USING startsWith\(code, '330802'\) TO kecheng$/);
    for (const table of rollupTables()) expect(policy!.sql).toContain(`  govstats.${table}`);
    // Everyone else keeps every row, also on a server where users without a policy would see none.
    const all = policies.find((s) => s.sql.includes(ALL_ROWS_POLICY))!;
    expect(all.sql).toMatch(/\nAS PERMISSIVE FOR SELECT USING 1 TO ALL$/);
    for (const table of rollupTables()) expect(all.sql).toContain(`  govstats.${table}`);
    expect(renderAccess(parse(SPEC_YAML.replace(/scope: "330802", /, '')), DB).filter((s) => s.sql.includes('govstats_scope_'))).toEqual(
      [],
    );
  });

  it('puts the readers under a read-only profile with their limits', () => {
    const [profile] = statements.filter((s) => s.kind === 'profile');
    expect(profile!.sql).toBe(
      'CREATE SETTINGS PROFILE OR REPLACE govstats_reader_limits SETTINGS readonly = 1 CONST, max_execution_time = 30 CONST, ' +
        "max_memory_usage = 2000000000 CONST, max_result_rows = 100000 CONST, result_overflow_mode = 'throw' CONST TO govstats_reader",
    );
  });

  it('covers every event type of the registry, and a new one the day it is added', () => {
    const [first] = EVENT_TYPES;
    const added: EventTypeDefinition = {
      ...first!,
      name: 'new-type',
      rawTable: { ...first!.rawTable, name: 'new_type_events' },
      rollup: { ...first!.rollup, table: 'new_type_rollup' },
    };
    for (const types of [EVENT_TYPES, [...EVENT_TYPES, added]]) {
      const rendered = renderAccess(spec, DB, types);
      const policies = rendered.filter((s) => s.kind === 'row-policy');
      for (const type of types) {
        expect(targets(grantsOf(rendered, 'govstats_ingest'), 'INSERT'), type.name).toContain(`govstats.${type.rawTable.name}`);
        for (const table of rollupTables([type])) {
          expect(targets(grantsOf(rendered, 'govstats_bulletin'), 'SELECT'), type.name).toContain(`govstats.${table}`);
          for (const policy of policies) expect(policy.sql, type.name).toContain(`  govstats.${table}`);
        }
        for (const view of readableViews([type])) {
          expect(targets(grantsOf(rendered, 'govstats_reader'), 'SELECT'), type.name).toContain(`govstats.${view}`);
          expect(rendered.map((s) => s.sql)).toContain(`ALTER TABLE govstats.${view} MODIFY SQL SECURITY INVOKER`);
        }
      }
    }
    expect(readableViews([added])).toEqual(['new_type_daily', 'new_type_monthly', 'new_type_month_totals', 'new_type_year_totals']);
  });

  it('knows every table the migrations create: a new one fails here until someone decides who may use it', () => {
    const known = new Set([...bookkeepingTables(), ...rawTables(), ...rollupTables()]);
    const created = allMigrations(SINGLE_NODE)
      .flatMap((m) => m.statements)
      .flatMap((s) => [...s.matchAll(/^CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]!));
    expect(created.length).toBeGreaterThan(10);
    for (const table of created) expect(known, `${table}: place it in packages/warehouse/src/access/service-tables.ts`).toContain(table);
    // Created outside allMigrations(): by migrate() and the migration lock.
    expect(known).toContain('schema_migrations');
    expect(known).toContain('schema_migration_lock');
  });

  it('renders the same text every time, and only statements that converge when re-applied', () => {
    expect(renderAccess(parse(SPEC_YAML), DB)).toEqual(statements);
    for (const { kind, sql } of statements) {
      if (kind === 'role') expect(sql).toMatch(/^CREATE ROLE IF NOT EXISTS /);
      if (kind === 'grant') expect(sql).toMatch(/ WITH REPLACE OPTION$/);
      if (kind === 'profile' || kind === 'row-policy') expect(sql).toMatch(/^CREATE (SETTINGS PROFILE|ROW POLICY) OR REPLACE /);
      if (kind === 'user')
        expect(sql).toMatch(
          /^(CREATE USER IF NOT EXISTS \w+ |REVOKE ALL ON \*\.\* FROM \w+$|GRANT \w+ TO \w+ WITH REPLACE OPTION$|ALTER USER \w+ )/,
        );
    }
    expect(statements.filter((s) => s.sql.startsWith('ALTER USER ')).length).toBe(spec.users.length);
  });

  it('on a cluster: runs everything ON CLUSTER and covers the shard-local tables too', () => {
    const rendered = renderAccess(spec, CLUSTER);
    for (const { sql } of rendered) expect(sql, sql.slice(0, 80)).toMatch(/ ON CLUSTER govstats\b/);
    expect(rendered.map((s) => s.kind)).toEqual(statements.map((s) => s.kind));
    for (const table of rawTables()) expect(targets(grantsOf(rendered, 'govstats_ingest'), 'INSERT')).toContain(`govstats.${table}_local`);
    for (const table of rollupTables()) {
      expect(targets(grantsOf(rendered, 'govstats_reader'), 'SELECT')).toContain(`govstats.${table}_local`);
      for (const policy of rendered.filter((s) => s.kind === 'row-policy')) expect(policy.sql).toContain(`  govstats.${table}_local`);
    }
    expect(targets(grantsOf(rendered, 'govstats_migrator'))).toEqual(new Set(['govstats.*', '*.*']));
    expect(
      grantsOf(rendered, 'govstats_migrator')
        .filter(([, t]) => t === '*.*')
        .map(([p]) => p),
    ).toEqual(['CLUSTER', 'REMOTE', 'CREATE TEMPORARY TABLE']);
  });

  it('renders infra/clickhouse/access.yaml as the committed golden file (for the first type, which stands for all)', () => {
    const example = parseAccessFile(readFileSync(EXAMPLE, 'utf8'), { baseDir: dir, readSecret: fakeSecret });
    // The example's scoped reader is commented out (it needs its own secret); shown here all the same.
    example.users.push({ name: 'reader_kecheng', role: 'reader', scope: '330802', passwordSha256: sha256Hex(fakeSecret('kecheng')) });
    const rendered = [
      '-- renderAccess() of infra/clickhouse/access.yaml, plus its commented-out scoped reader, for database govstats,',
      '-- with the first registered type only (every type is rendered by the same code) and made-up passwords',
      '-- (only their SHA-256 appears).',
      `-- Generated by packages/warehouse/test/access-model.test.ts; regenerate with: ${REGENERATE}`,
      '',
      formatAccessScript(renderAccess(example, DB, EVENT_TYPES.slice(0, 1))),
    ].join('\n');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, rendered);
    let committed = '';
    try {
      committed = readFileSync(GOLDEN, 'utf8');
    } catch {
      // Missing file: the comparison below fails with the regenerate hint.
    }
    expect(committed === rendered, `${GOLDEN} differs from the rendering: regenerate with \`${REGENERATE}\` and review the diff`).toBe(
      true,
    );
  });
});
