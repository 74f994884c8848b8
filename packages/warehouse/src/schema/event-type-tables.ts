import { CHINA_TIME_ZONE, COMMON_COLUMNS, ROLLUP_LEVELS, columnsAt, type ColumnSpec, type EventTypeDefinition } from '@govstats/schemas';
import { dedupSettings, engine, onCluster, quoteString, type DdlOptions } from './ddl-options.ts';
import { copyLedgerOfTypeSql } from './event-keys.ts';
import { LEVEL_FANOUT } from './levels.ts';
import { measureSelectList, stateColumn, stateExpr, stateType } from './measure-sql.ts';
import type { Migration } from './migration.ts';
import { writeDeadlineColumnSql, writeLeaseConstraintSql } from './write-lease.ts';
import { baselineMigration, checkBaseline } from './baseline.ts';
import { SUBJECT_COLUMN_COMMENT, rawColumnDdl } from './raw-columns.ts';
import {
  grainAggregateSql,
  grainKeys,
  grainViewDdl,
  grainViewName,
  levelAggregateSql,
  levelViewName,
  measuresAt,
  rollupGrain,
  type RollupGrain,
} from './rollup-grains.ts';

/**
 * Readable view names: <x>_rollup → <x>_daily / <x>_monthly (by day or month,
 * with dimensions) and <x>_month_totals / <x>_year_totals (no dimensions).
 */
export function viewName(type: EventTypeDefinition, grain: 'daily' | 'monthly' | 'month_totals' | 'year_totals'): string {
  return `${type.rollup.table.replace(/_rollup$/, '')}_${grain}`;
}

/** The partial-aggregate columns every grain's table shares, as migration `version` created them. */
function stateColumnsDdl(type: EventTypeDefinition, version: number): string[] {
  return measuresAt(type, version).map((m) => `${stateColumn(m)} ${stateType(m)}`);
}

/**
 * A month or year grain table. Rows of city and county sets run to megabytes, so each row is its
 * own granule: a query for one month then decodes that month's sets, not its neighbours' too.
 */
function totalsTableDdl(type: EventTypeDefinition, grain: RollupGrain, options: DdlOptions, version: number): string {
  return `CREATE TABLE IF NOT EXISTS ${grain.table}${onCluster(options)} (
  level LowCardinality(String),
  code FixedString(12),
  ${grain.periodColumn} Date,
  ${stateColumnsDdl(type, version).join(',\n  ')}
) ENGINE = ${engine('AggregatingMergeTree', options)}
PARTITION BY toYear(${grain.periodColumn})
ORDER BY (${grainKeys(type, grain, version).join(', ')})
SETTINGS ${dedupSettings(options)}, index_granularity = 1`;
}

function levelViewsDdl(type: EventTypeDefinition, grain: RollupGrain, options: DdlOptions, version: number): string[] {
  return ROLLUP_LEVELS.map(
    (level) => `CREATE MATERIALIZED VIEW IF NOT EXISTS ${levelViewName(grain, level)}${onCluster(options)} TO ${grain.table} AS
${levelAggregateSql(type, grain, level, type.rawTable.name, 'states', version)}`,
  );
}

/**
 * Migration 0005: raw rows keep the subject as sent (`original_code`) beside the place they count
 * under, and the place's `area`; every grain gains `area` as its last key and the
 * villages-with-activity measures; the views stop fanning an event out below its own level. The
 * rollups are rebuilt from the raw tables, which already hold every event once.
 */
function placesAndAreaMigration(type: EventTypeDefinition, options: DdlOptions): string[] {
  const cluster = onCluster(options);
  const raw = type.rawTable.name;
  const addedColumns = COMMON_COLUMNS.filter((c) => c.since === 5);
  const addedMeasures = type.rollup.measures.filter((m) => m.since === 5);
  const grains = (['day', 'month', 'year'] as const).map((g) => rollupGrain(type, g));
  let after = 'village_code';
  const rawColumns = addedColumns.map((c) => {
    const clause = `ADD COLUMN IF NOT EXISTS ${rawColumnDdl(c)} AFTER ${after}`;
    after = c.name;
    return clause;
  });
  return [
    `ALTER TABLE ${raw}${cluster}\n  ${[...rawColumns, `COMMENT COLUMN village_code ${quoteString(SUBJECT_COLUMN_COMMENT)}`].join(',\n  ')}`,
    ...grains.map((grain) => `DROP VIEW IF EXISTS ${grainViewName(grain)}${cluster}`),
    ...grains.flatMap((grain) => [
      `ALTER TABLE ${grain.table}${cluster}
  ADD COLUMN area LowCardinality(String),
  ${addedMeasures.map((m) => `ADD COLUMN ${stateColumn(m)} ${stateType(m)}`).join(',\n  ')}${addedMeasures.length > 0 ? ',\n  ' : ''}MODIFY ORDER BY (${grainKeys(type, grain, 5).join(', ')})`,
      `TRUNCATE TABLE ${grain.table}${cluster}`,
      grainViewDdl(type, grain, options, 5),
      // History may span more than the 100 partitions one insert is allowed to touch by default.
      `INSERT INTO ${grain.table} (${[...grainKeys(type, grain, 5), ...measuresAt(type, 5).map(stateColumn)].join(', ')})
SETTINGS max_partitions_per_insert_block = 0
${grainAggregateSql(type, grain, raw, 5)}`,
    ]),
  ];
}

function commonColumn(name: string): ColumnSpec {
  const column = COMMON_COLUMNS.find((c) => c.name === name);
  if (!column) throw new Error(`no common raw column ${name}`);
  return column;
}

/** A per-type migration and its number: the `since` of the columns and measures it added. */
interface NumberedMigration {
  number: number;
  migration: Migration;
}

/**
 * Number of the latest per-type migration: the shape a new type's `baseline` names (raw-table.ts).
 * Adding a per-type migration raises it; baseline.ts must then render the shape it leaves.
 */
export const LATEST_TYPE_MIGRATION = 8;

/**
 * Everything an event type needs in ClickHouse, rendered from its definition. A type without a
 * baseline replays every per-type migration from 0001, as the first types did on their stores; a
 * type with `rawTable.baseline` N starts with one migration creating the shape migration N left
 * (baseline.ts), then takes the later ones. The readable views come last, re-run when they change.
 */
export function eventTypeMigrations(type: EventTypeDefinition, options: DdlOptions): Migration[] {
  const history = replayedMigrations(type, options);
  const views = readableViewsMigration(type, options);
  const { baseline } = type.rawTable;
  if (baseline === undefined) return [...history.map((m) => m.migration), views];
  checkBaseline(type, baseline, LATEST_TYPE_MIGRATION);
  return [baselineMigration(type, options, baseline), ...history.filter((m) => m.number > baseline).map((m) => m.migration), views];
}

/**
 * The per-type migrations in order, as every store of the first four types applied them. Each
 * renders the shape it created, so its text (checksummed when applied) never changes; the golden
 * test test/migration-checksums.test.ts pins them.
 */
function replayedMigrations(type: EventTypeDefinition, options: DdlOptions): NumberedMigration[] {
  const cluster = onCluster(options);
  const raw = type.rawTable.name;
  const { rollup } = type;
  const columns = columnsAt([...COMMON_COLUMNS, ...type.rawTable.columns], 1);
  const firstMeasures = measuresAt(type, 1);
  const dims = rollup.dimensions;
  const rollupKey = ['level', 'code', 'day', ...dims.map((d) => d.name)].join(', ');

  const rawTable = `CREATE TABLE IF NOT EXISTS ${raw}${cluster} (
  ${columns.map((c) => `${c.name} ${c.type} COMMENT '${c.description.replace(/'/g, "\\'")}'`).join(',\n  ')}
) ENGINE = ${engine('MergeTree', options)}
PARTITION BY toYYYYMM(event_time, '${CHINA_TIME_ZONE}')
ORDER BY (village_code, event_time, event_id)
SETTINGS ${dedupSettings(options)}`;

  const rollupTable = `CREATE TABLE IF NOT EXISTS ${rollup.table}${cluster} (
  level LowCardinality(String),
  code FixedString(12),
  day Date,
  ${[...dims.map((d) => `${d.name} ${d.type}`), ...firstMeasures.map((m) => `${stateColumn(m)} ${stateType(m)}`)].join(',\n  ')}
) ENGINE = ${engine('AggregatingMergeTree', options)}
PARTITION BY toYYYYMM(day)
ORDER BY (${rollupKey})
SETTINGS ${dedupSettings(options)}`;

  const rollupView = `CREATE MATERIALIZED VIEW IF NOT EXISTS ${rollup.table}_mv${cluster} TO ${rollup.table} AS
SELECT
  level_prefix.1 AS level,
  toFixedString(rpad(substring(village_code, 1, level_prefix.2), 12, '0'), 12) AS code,
  toDate(event_time, '${CHINA_TIME_ZONE}') AS day,
  ${[...dims.map((d) => `${d.expr} AS ${d.name}`), ...firstMeasures.map((m) => `${stateExpr(m)} AS ${stateColumn(m)}`)].join(',\n  ')}
FROM ${raw}
ARRAY JOIN ${LEVEL_FANOUT} AS level_prefix
GROUP BY ${rollupKey}`;

  const ledgerView = `CREATE MATERIALIZED VIEW IF NOT EXISTS ${raw}_ledger_mv${cluster} TO event_ledger AS
SELECT event_id, '${type.name}' AS event_type, ingested_at FROM ${raw}`;

  const day = rollupGrain(type, 'day');
  const month = rollupGrain(type, 'month');
  const year = rollupGrain(type, 'year');
  return [
    {
      number: 1,
      migration: {
        id: `${type.name}/0001_tables`,
        description: `${type.title.en}: raw table, rollup table and materialized views`,
        statements: [rawTable, rollupTable, rollupView, ledgerView],
      },
    },
    {
      number: 2,
      migration: {
        // The ledger must only list events whose rollups are complete: ingest now writes it after
        // each insert returns, instead of a view writing it in the middle of the insert.
        id: `${type.name}/0002_ledger_written_by_ingest`,
        description: `${type.title.en}: ledger filled by ingest after the insert, not by a view`,
        statements: [`DROP VIEW IF EXISTS ${raw}_ledger_mv${cluster}`],
      },
    },
    {
      number: 3,
      migration: {
        // Run with ingest stopped (services migrate before they consume): between dropping the
        // fanned-out view and creating the per-level ones, an insert would reach no rollup.
        id: `${type.name}/0003_rollup_per_level_and_totals`,
        description: `${type.title.en}: one rollup view per level; month and year totals, backfilled from the raw table`,
        statements: [
          totalsTableDdl(type, month, options, 3),
          totalsTableDdl(type, year, options, 3),
          `DROP VIEW IF EXISTS ${rollup.table}_mv${cluster}`,
          ...levelViewsDdl(type, day, options, 3),
          ...levelViewsDdl(type, month, options, 3),
          ...levelViewsDdl(type, year, options, 3),
          ...[month, year].flatMap((grain) =>
            ROLLUP_LEVELS.map((level) => `INSERT INTO ${grain.table} ${levelAggregateSql(type, grain, level, raw, 'states', 3)}`),
          ),
        ],
      },
    },
    {
      number: 4,
      migration: {
        // Run with ingest stopped, as 0003: between the drops and the creates an insert would reach no rollup.
        id: `${type.name}/0004_rollup_one_view_per_grain`,
        description: `${type.title.en}: one rollup view per grain, fanning village aggregates out to every level`,
        statements: [
          ...[day, month, year].flatMap((grain) =>
            ROLLUP_LEVELS.map((level) => `DROP VIEW IF EXISTS ${levelViewName(grain, level)}${cluster}`),
          ),
          ...[day, month, year].map((grain) => grainViewDdl(type, grain, options, 4)),
        ],
      },
    },
    {
      number: 5,
      migration: {
        // Run with ingest stopped, as 0003: the views are rebuilt and the rollups refilled from raw.
        id: `${type.name}/0005_places_at_every_level_and_area`,
        description: `${type.title.en}: events of townships, counties and cities counted at their own level and above; urban/rural split; villages with activity`,
        statements: placesAndAreaMigration(type, options),
      },
    },
    {
      number: 6,
      migration: {
        // Rows carry their writer's lease and the table refuses expired ones (write-lease.ts); the
        // ledger learns the source of every id loaded so far, then forgets the rows that lacked it.
        id: `${type.name}/0006_fenced_writes_and_source_in_ledger`,
        description: `${type.title.en}: raw rows refused after the writer's lease; ledger keyed by source and id`,
        statements: [
          `ALTER TABLE ${raw}${cluster} ${writeDeadlineColumnSql('kafka_offset')}`,
          `ALTER TABLE ${raw}${cluster} ${writeLeaseConstraintSql()}`,
          `INSERT INTO event_ledger (event_id, source, event_type, ingested_at) SELECT event_id, source, '${type.name}', min(ingested_at) FROM ${raw} GROUP BY event_id, source`,
          `ALTER TABLE event_ledger${cluster} DELETE WHERE event_type = '${type.name}' AND source = '' SETTINGS mutations_sync = 2`,
        ],
      },
    },
    {
      number: 7,
      migration: {
        // Envelopes follow the CloudEvents spec: extension attributes are accepted and kept. Older rows get an empty map.
        id: `${type.name}/0007_cloudevents_extensions`,
        description: `${type.title.en}: raw rows keep the event's CloudEvents extension attributes`,
        statements: [
          `ALTER TABLE ${raw}${cluster} ADD COLUMN IF NOT EXISTS ${rawColumnDdl(commonColumn('extensions'))} AFTER write_deadline`,
        ],
      },
    },
    {
      number: 8,
      migration: {
        // After 0006, which gave this type's ledger rows their source; core migration 0012 created event_keys.
        id: `${type.name}/0008_ledger_in_event_keys`,
        description: `${type.title.en}: ids loaded so far copied into event_keys, the ledger ingest now reads`,
        statements: [copyLedgerOfTypeSql(type.name)],
      },
    },
  ];
}

/** The readable views, for SQL and BI users: repeatable, re-created whenever their text changes. */
function readableViewsMigration(type: EventTypeDefinition, options: DdlOptions): Migration {
  const cluster = onCluster(options);
  const { rollup } = type;
  const dims = rollup.dimensions;
  const names = `(SELECT code, argMax(short_name, updated_at) AS place_name FROM divisions GROUP BY code)`;
  const readable = (grain: 'daily' | 'monthly') => {
    const period = grain === 'daily' ? 'r.day AS day' : 'toStartOfMonth(r.day) AS month';
    const periodKey = grain === 'daily' ? 'day' : 'month';
    return `CREATE OR REPLACE VIEW ${viewName(type, grain)}${cluster} AS
SELECT
  r.level AS level,
  r.code AS code,
  d.place_name AS place_name,
  ${period},
  ${[...dims.map((d) => `r.${d.name} AS ${d.name}`), measureSelectList(rollup, 'r.', { partitionBy: ['level', 'code', ...dims.map((d) => d.name)].join(', '), orderBy: periodKey, byDimensions: true })].join(',\n  ')}
FROM ${rollup.table} AS r
LEFT JOIN ${names} AS d ON d.code = r.code
GROUP BY level, code, place_name, ${periodKey}${dims.map((d) => `, ${d.name}`).join('')}`;
  };

  const totals = (
    grain: RollupGrain,
  ) => `CREATE OR REPLACE VIEW ${viewName(type, grain.grain === 'month' ? 'month_totals' : 'year_totals')}${cluster} AS
SELECT
  r.level AS level,
  r.code AS code,
  d.place_name AS place_name,
  r.period AS ${grain.grain},
  ${measureSelectList(rollup, 'r.', { partitionBy: 'level, code', orderBy: grain.grain, byDimensions: false })}
FROM ${grain.table} AS r
LEFT JOIN ${names} AS d ON d.code = r.code
GROUP BY level, code, place_name, ${grain.grain}`;

  return {
    id: `${type.name}/views`,
    description: `${type.title.en}: readable daily, monthly, month-total and year-total views for SQL and BI users`,
    statements: [readable('daily'), readable('monthly'), totals(rollupGrain(type, 'month')), totals(rollupGrain(type, 'year'))],
    repeatable: true,
  };
}
