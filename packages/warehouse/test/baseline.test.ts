import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, ROLLUP_LEVELS, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import { insertRows, openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, migrate, queryPlaceFigures, reconcile, type DdlOptions, type MigrationOutcome } from '../src/index.ts';
import { FIRST_BASELINE } from '../src/schema/baseline.ts';
import { LATEST_TYPE_MIGRATION, eventTypeMigrations, viewName } from '../src/schema/event-type-tables.ts';
import { GRAINS, grainViewName, rollupGrain } from '../src/schema/rollup-grains.ts';

/*
 * A type declaring `rawTable.baseline` starts from the current shape instead of replaying the
 * per-type migrations of the first types. Each registry type is copied here under new names with
 * a baseline, as a contributor adding a type would declare it; on the real engine the copy must
 * end up exactly like the type that replayed every migration, and work.
 */

const CLUSTER: DdlOptions = { cluster: 'govstats', replicated: true, dedupWindow: 10_000, database: 'govstats' };
const PREFIX = 'baseline_';

function baselineCopy(type: EventTypeDefinition, baseline: number): EventTypeDefinition {
  return {
    ...type,
    name: `baseline-${type.name}`,
    rawTable: { ...type.rawTable, name: `${PREFIX}${type.rawTable.name}`, baseline },
    rollup: { ...type.rollup, table: `${PREFIX}${type.rollup.table}` },
  };
}

/** Every table and view of a type in ClickHouse. */
function objectsOf(type: EventTypeDefinition): string[] {
  const grains = GRAINS.map((grain) => rollupGrain(type, grain));
  const views = (['daily', 'monthly', 'month_totals', 'year_totals'] as const).map((grain) => viewName(type, grain));
  return [type.rawTable.name, ...grains.map((grain) => grain.table), ...grains.map(grainViewName), ...views];
}

const copies = EVENT_TYPES.map((type) => baselineCopy(type, LATEST_TYPE_MIGRATION));
const number = (id: string) => Number(/\/(\d{4})_/.exec(id)?.[1]);

describe('a type with a baseline', () => {
  it('can name the latest per-type migration, so a new type starts from the current shape', () => {
    for (const type of EVENT_TYPES.filter((t) => t.rawTable.baseline === undefined)) {
      const versioned = eventTypeMigrations(type, SINGLE_NODE).filter((m) => !m.repeatable);
      expect(number(versioned.at(-1)!.id), `raise LATEST_TYPE_MIGRATION (event-type-tables.ts) to the last migration of ${type.name}`).toBe(
        LATEST_TYPE_MIGRATION,
      );
    }
  });

  it('gets one creating migration, then the later per-type migrations and its views', () => {
    for (const type of EVENT_TYPES) {
      const replayed = eventTypeMigrations(type, SINGLE_NODE).map((m) => m.id.replace(`${type.name}/`, ''));
      for (let baseline = FIRST_BASELINE; baseline <= LATEST_TYPE_MIGRATION; baseline++) {
        const copy = baselineCopy(type, baseline);
        const ids = eventTypeMigrations(copy, SINGLE_NODE).map((m) => m.id.replace(`${copy.name}/`, ''));
        const later = replayed.filter((id) => number(`/${id}`) > baseline);
        expect(ids).toEqual([`${String(baseline).padStart(4, '0')}_baseline`, ...later, 'views']);
      }
    }
  });

  it('only creates: nothing to drop, alter, truncate or backfill', () => {
    const [first] = eventTypeMigrations(copies[0]!, SINGLE_NODE);
    expect(first!.statements.map((s) => /^\S+( \S+){2}/.exec(s)![0])).toEqual([
      ...Array(4).fill('CREATE TABLE IF'),
      ...Array(3).fill('CREATE MATERIALIZED VIEW'),
    ]);
  });

  it('refuses a baseline whose shape is not rendered', () => {
    for (const baseline of [1, FIRST_BASELINE - 1, LATEST_TYPE_MIGRATION + 1, FIRST_BASELINE + 0.5]) {
      expect(() => eventTypeMigrations(baselineCopy(EVENT_TYPES[0]!, baseline), SINGLE_NODE), String(baseline)).toThrow(
        /rawTable\.baseline .* latest, /,
      );
    }
  });

  it('is placed on a cluster like the other types: shard-local tables behind Distributed ones, views on the local tables', () => {
    const copy = copies[0]!;
    const migrations = allMigrations(CLUSTER, [...EVENT_TYPES, copy]);
    const statements = migrations.find(
      (m) => m.id === `${copy.name}/${String(LATEST_TYPE_MIGRATION).padStart(4, '0')}_baseline`,
    )!.statements;
    const tables = [copy.rawTable.name, ...GRAINS.map((grain) => rollupGrain(copy, grain).table)];
    expect(
      statements.map((s) => /^CREATE (?:TABLE IF NOT EXISTS|MATERIALIZED VIEW IF NOT EXISTS) (\w+) ON CLUSTER govstats\b/.exec(s)?.[1]),
    ).toEqual([...tables.flatMap((table) => [`${table}_local`, table]), ...GRAINS.map((grain) => grainViewName(rollupGrain(copy, grain)))]);
    for (const [index, table] of tables.entries()) {
      expect(statements[2 * index]).toMatch(
        /\) ENGINE = Replicated(Aggregating)?MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'\)\n/,
      );
      expect(statements[2 * index + 1]).toMatch(
        new RegExp(`^CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER govstats AS ${table}_local\\nENGINE = Distributed\\(`),
      );
    }
    for (const view of statements.slice(8)) {
      expect(view).toMatch(/ TO baseline_\w+_local AS\n/);
      expect(view).toContain(`FROM ${copy.rawTable.name}_local\n`);
    }
  });
});

describe('a type with a baseline, on the real engine', () => {
  let store: Store;
  let dir: string;
  let added: MigrationOutcome[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-baseline-'));
    store = await openStore({ dataDir: dir });
    // An existing store, then the same store with the new types added.
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
    added = await migrate(store, allMigrations(SINGLE_NODE, [...EVENT_TYPES, ...copies]), SINGLE_NODE);
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('joins an existing store with its creating migration and its views, and nothing else runs', () => {
    expect(added.filter((o) => o.action !== 'unchanged')).toEqual(
      copies.flatMap((copy) => [
        { id: `${copy.name}/${String(LATEST_TYPE_MIGRATION).padStart(4, '0')}_baseline`, action: 'applied' },
        { id: `${copy.name}/views`, action: 'applied' },
      ]),
    );
  });

  it('has exactly the tables and views of the type that replayed every migration: columns, defaults, comments, codecs, keys, constraint, queries', async () => {
    const shape = async (type: EventTypeDefinition, rename: (sql: string) => string) => {
      const names = objectsOf(type);
      const tables = await queryRows<{ name: string; create_table_query: string; sorting_key: string; primary_key: string }>(
        store.client,
        'SELECT name, create_table_query, sorting_key, primary_key FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)} ORDER BY name',
        { names },
      );
      const columns = await queryRows<{ table: string; position: string } & Record<string, unknown>>(
        store.client,
        `SELECT table, position, name, type, default_kind, default_expression, comment, compression_codec, is_in_primary_key, is_in_sorting_key
         FROM system.columns WHERE database = currentDatabase() AND table IN {names:Array(String)} ORDER BY table, position`,
        { names },
      );
      return {
        tables: tables
          .map((t) => ({ ...t, name: rename(t.name), create_table_query: rename(t.create_table_query) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        columns: columns
          .map((c) => ({ ...c, table: rename(c.table) }))
          .sort((a, b) => a.table.localeCompare(b.table) || Number(a.position) - Number(b.position)),
      };
    };
    for (const [index, type] of EVENT_TYPES.entries()) {
      const copy = copies[index]!;
      const oldNames = objectsOf(type);
      const newNames = objectsOf(copy);
      const toNew = (sql: string) => oldNames.reduce((text, name, i) => text.replace(new RegExp(`\\b${name}\\b`, 'g'), newNames[i]!), sql);
      const replayed = await shape(type, toNew);
      const baseline = await shape(copy, (sql) => sql);
      expect(
        replayed.tables.map((t) => t.name),
        type.name,
      ).toEqual([...newNames].sort());
      expect(baseline, type.name).toEqual(replayed);
    }
  });

  it('leaves nothing else behind', async () => {
    const rows = await queryRows<{ name: string }>(
      store.client,
      `SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, '${PREFIX}') ORDER BY name`,
    );
    expect(rows.map((r) => r.name)).toEqual(copies.flatMap(objectsOf).sort());
  });

  it('loads an event and counts it at its place and every level above, at every grain', async () => {
    const copy = copies.find((c) => c.name === 'baseline-grid-visit')!;
    const village = '411224104201';
    await insertRows(store.client, copy.rawTable.name, [
      {
        event_id: 'e1',
        contract_version: 1,
        source: 'test',
        village_code: village,
        original_code: village,
        area: 'rural',
        event_time: '2024-05-01T02:00:00.000Z',
        ingested_at: '2024-05-01T03:00:00.000Z',
        kafka_topic: 't',
        kafka_partition: 0,
        kafka_offset: 0,
        grid_id: 'G01',
        member_id: 'gm000001',
        household_id: 'h1',
        kind: 'household_visit',
        issues_found: 2,
        hazards_found: 1,
        duration_minutes: 30,
      },
    ]);
    const codeAt = (level: RollupLevel) => village.slice(0, { city: 4, county: 6, township: 9, village: 12 }[level]).padEnd(12, '0');
    for (const level of ROLLUP_LEVELS) {
      for (const [from, to] of [
        ['2024-05-01', '2024-05-01'],
        ['2024-05-01', '2024-05-31'],
        ['2024-01-01', '2024-12-31'],
      ] as const) {
        const figures = await queryPlaceFigures(store, copy, { level, code: codeAt(level), from, to });
        expect({
          level,
          from,
          to,
          visits: figures.visits,
          households: figures.households_visited,
          villages: figures.villages_active,
        }).toEqual({ level, from, to, visits: 1, households: 1, villages: 1 });
      }
    }
    expect(await reconcile(store, { from: '2024-01-01', to: '2024-12-31' }, [copy])).toEqual([]);
    const [daily] = await queryRows<{ visits: string }>(
      store.client,
      `SELECT sum(visits) AS visits FROM ${viewName(copy, 'daily')} WHERE level = 'city'`,
    );
    expect(Number(daily!.visits)).toBe(1);
  });

  it('refuses a row whose writer lease has run out, as the other raw tables do', async () => {
    const copy = copies[0]!;
    const insert = insertRows(store.client, copy.rawTable.name, [
      {
        event_id: 'late',
        contract_version: 1,
        source: 'test',
        village_code: '411224104201',
        original_code: '411224104201',
        area: 'rural',
        event_time: '2024-05-01T02:00:00.000Z',
        ingested_at: '2024-05-01T03:00:00.000Z',
        kafka_topic: 't',
        kafka_partition: 0,
        kafka_offset: 1,
        write_deadline: '2024-05-01T03:00:00.000Z',
      },
    ]);
    await expect(insert).rejects.toThrow(/write_lease|CONSTRAINT/i);
  });

  it('parses on a cluster (formatQuery, as test/cluster-ddl.test.ts does for the golden file)', async () => {
    const copy = copies[1]!;
    const statements = allMigrations(CLUSTER, [...EVENT_TYPES, copy])
      .filter((m) => m.id.startsWith(`${copy.name}/`))
      .flatMap((m) => m.statements);
    for (const statement of statements) await queryRows(store.client, 'SELECT formatQuery({statement:String}) AS formatted', { statement });
  });
});
