import { CHINA_TIME_ZONE, COMMON_COLUMNS, columnsAt, type ColumnSpec, type EventTypeDefinition, type Measure } from '@govstats/schemas';
import { dedupSettings, engine, onCluster, quoteString, type DdlOptions } from './ddl-options.ts';
import { stateColumn, stateType } from './measure-sql.ts';
import type { Migration } from './migration.ts';
import { SUBJECT_COLUMN_COMMENT, rawColumnDdl } from './raw-columns.ts';
import { GRAINS, grainKeys, grainViewDdl, measuresAt, rollupGrain, type RollupGrain } from './rollup-grains.ts';
import { WRITE_DEADLINE_COLUMN, writeDeadlineColumnDdl, writeLeaseConstraintDdl } from './write-lease.ts';

/*
 * A type declared with `rawTable.baseline` N does not replay the per-type migrations 0001…N the
 * first types went through: its first migration, `<type>/000N_baseline`, creates the raw table,
 * the three grains' tables and their materialized views exactly as those migrations left them on
 * the older types' stores (same columns in the same order, defaults, comments, codecs, keys,
 * constraint, views), and migrations N+1… then apply to it as to every other type. There is no
 * history to convert: no ledger view to drop, no backfill.
 *
 * test/baseline.test.ts checks on the real engine that a type with the latest baseline ends up
 * identical to a type that replayed everything. A new per-type migration that changes the shape
 * must be rendered here too, for baselines from its number on (`version >= N`), leaving the text
 * for earlier baselines as it is: a baseline migration is checksummed like any other once applied.
 */

/** The first shape a baseline can name: the one per-type migration 0006 left. */
export const FIRST_BASELINE = 6;

/** Refuses a baseline that names no shape rendered here. */
export function checkBaseline(type: EventTypeDefinition, baseline: number, latest: number): void {
  if (!Number.isInteger(baseline) || baseline < FIRST_BASELINE || baseline > latest) {
    throw new Error(
      `event type ${type.name}: rawTable.baseline ${baseline} is not a per-type migration a type can start at ` +
        `(${FIRST_BASELINE}…${latest}); a new type sets it to the latest, ${latest}, and keeps it for good`,
    );
  }
}

/** `<type>/0006_baseline`: the type's tables and views as they are after per-type migration `version`. */
export function baselineMigration(type: EventTypeDefinition, options: DdlOptions, version: number): Migration {
  const grains = GRAINS.map((grain) => rollupGrain(type, grain));
  return {
    id: `${type.name}/${String(version).padStart(4, '0')}_baseline`,
    description: `${type.title.en}: raw table, rollup tables and materialized views as they are after per-type migration ${version}`,
    statements: [
      rawTableDdl(type, options, version),
      ...grains.map((grain) => grainTableDdl(type, grain, options, version)),
      ...grains.map((grain) => grainViewDdl(type, grain, options, version)),
    ],
  };
}

/** By `since` (a stable sort): a later migration's ADD COLUMN appends after the columns there were. */
function inMigrationOrder<T extends { since?: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.since ?? 1) - (b.since ?? 1));
}

/**
 * The raw table: the common columns in their order (0005 and 0006 placed theirs with AFTER), then
 * the type's own; `village_code` with the comment 0005 gave it, `write_deadline` and the write
 * lease as 0006 added them.
 */
function rawTableDdl(type: EventTypeDefinition, options: DdlOptions, version: number): string {
  const columns = [...columnsAt(COMMON_COLUMNS, version), ...inMigrationOrder(columnsAt(type.rawTable.columns, version))];
  const columnDdl = (column: ColumnSpec) => {
    if (column.name === WRITE_DEADLINE_COLUMN) return writeDeadlineColumnDdl();
    if (column.name === 'village_code') return `${column.name} ${column.type} COMMENT ${quoteString(SUBJECT_COLUMN_COMMENT)}`;
    return rawColumnDdl(column);
  };
  return `CREATE TABLE IF NOT EXISTS ${type.rawTable.name}${onCluster(options)} (
  ${[...columns.map(columnDdl), `CONSTRAINT ${writeLeaseConstraintDdl()}`].join(',\n  ')}
) ENGINE = ${engine('MergeTree', options)}
PARTITION BY toYYYYMM(event_time, '${CHINA_TIME_ZONE}')
ORDER BY (village_code, event_time, event_id)
SETTINGS ${dedupSettings(options)}`;
}

/**
 * One grain's table. Migration 0005 appended `area` and the measures it added after the columns
 * the table was created with, and appended `area` to the sorting key with MODIFY ORDER BY, which
 * keeps the primary key: so does this.
 */
function grainTableDdl(type: EventTypeDefinition, grain: RollupGrain, options: DdlOptions, version: number): string {
  const dimensions = grain.withDimensions ? type.rollup.dimensions.map((d) => `${d.name} ${d.type}`) : [];
  const measures = measuresAt(type, version);
  const state = (m: Measure) => `${stateColumn(m)} ${stateType(m)}`;
  const created = measures.filter((m) => (m.since ?? 1) < 5).map(state);
  const added = inMigrationOrder(measures.filter((m) => (m.since ?? 1) >= 5)).map(state);
  const keys = grainKeys(type, grain, version);
  const day = grain.grain === 'day';
  return `CREATE TABLE IF NOT EXISTS ${grain.table}${onCluster(options)} (
  level LowCardinality(String),
  code FixedString(12),
  ${grain.periodColumn} Date,
  ${[...dimensions, ...created, 'area LowCardinality(String)', ...added].join(',\n  ')}
) ENGINE = ${engine('AggregatingMergeTree', options)}
PARTITION BY ${day ? `toYYYYMM(${grain.periodColumn})` : `toYear(${grain.periodColumn})`}
PRIMARY KEY (${keys.filter((key) => key !== 'area').join(', ')})
ORDER BY (${keys.join(', ')})
SETTINGS ${dedupSettings(options)}${day ? '' : ', index_granularity = 1'}`;
}
