import { COMMON_COLUMNS, type EventTypeDefinition } from '@govstats/schemas';
import { STATS_TIMEZONE, dedupSettings, engine, onCluster, type DdlOptions } from './ddl-options.ts';
import { LEVEL_FANOUT } from './levels.ts';
import { measureSelectList, stateColumn, stateExpr, stateType } from './measure-sql.ts';
import type { Migration } from './migration.ts';

/** Readable view names: grid_visit_rollup → grid_visit_daily / grid_visit_monthly. */
export function viewName(type: EventTypeDefinition, grain: 'daily' | 'monthly'): string {
  return `${type.rollup.table.replace(/_rollup$/, '')}_${grain}`;
}

/**
 * Everything an event type needs in ClickHouse, rendered from its definition: the raw table, the
 * rollup table of partial aggregates, the materialized view filling it at all four levels, the
 * materialized view recording event ids in the ledger, and readable daily/monthly views.
 */
export function eventTypeMigrations(type: EventTypeDefinition, options: DdlOptions): Migration[] {
  const cluster = onCluster(options);
  const raw = type.rawTable.name;
  const { rollup } = type;
  const columns = [...COMMON_COLUMNS, ...type.rawTable.columns];
  const dims = rollup.dimensions;
  const rollupKey = ['level', 'code', 'day', ...dims.map((d) => d.name)].join(', ');

  const rawTable = `CREATE TABLE IF NOT EXISTS ${raw}${cluster} (
  ${columns.map((c) => `${c.name} ${c.type} COMMENT '${c.description.replace(/'/g, "\\'")}'`).join(',\n  ')}
) ENGINE = ${engine('MergeTree', options)}
PARTITION BY toYYYYMM(event_time, '${STATS_TIMEZONE}')
ORDER BY (village_code, event_time, event_id)
SETTINGS ${dedupSettings(options)}`;

  const rollupTable = `CREATE TABLE IF NOT EXISTS ${rollup.table}${cluster} (
  level LowCardinality(String),
  code FixedString(12),
  day Date,
  ${[...dims.map((d) => `${d.name} ${d.type}`), ...rollup.measures.map((m) => `${stateColumn(m)} ${stateType(m)}`)].join(',\n  ')}
) ENGINE = ${engine('AggregatingMergeTree', options)}
PARTITION BY toYYYYMM(day)
ORDER BY (${rollupKey})
SETTINGS ${dedupSettings(options)}`;

  const rollupView = `CREATE MATERIALIZED VIEW IF NOT EXISTS ${rollup.table}_mv${cluster} TO ${rollup.table} AS
SELECT
  level_prefix.1 AS level,
  toFixedString(rpad(substring(village_code, 1, level_prefix.2), 12, '0'), 12) AS code,
  toDate(event_time, '${STATS_TIMEZONE}') AS day,
  ${[...dims.map((d) => `${d.expr} AS ${d.name}`), ...rollup.measures.map((m) => `${stateExpr(m)} AS ${stateColumn(m)}`)].join(',\n  ')}
FROM ${raw}
ARRAY JOIN ${LEVEL_FANOUT} AS level_prefix
GROUP BY ${rollupKey}`;

  const ledgerView = `CREATE MATERIALIZED VIEW IF NOT EXISTS ${raw}_ledger_mv${cluster} TO event_ledger AS
SELECT event_id, '${type.name}' AS event_type, ingested_at FROM ${raw}`;

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
  ${[...dims.map((d) => `r.${d.name} AS ${d.name}`), measureSelectList(rollup, 'r.')].join(',\n  ')}
FROM ${rollup.table} AS r
LEFT JOIN ${names} AS d ON d.code = r.code
GROUP BY level, code, place_name, ${periodKey}${dims.map((d) => `, ${d.name}`).join('')}`;
  };

  return [
    {
      id: `${type.name}/0001_tables`,
      description: `${type.title.en}: raw table, rollup table and materialized views`,
      statements: [rawTable, rollupTable, rollupView, ledgerView],
    },
    {
      // The ledger must only list events whose rollups are complete: ingest now writes it after
      // each insert returns, instead of a view writing it in the middle of the insert.
      id: `${type.name}/0002_ledger_written_by_ingest`,
      description: `${type.title.en}: ledger filled by ingest after the insert, not by a view`,
      statements: [`DROP VIEW IF EXISTS ${raw}_ledger_mv${cluster}`],
    },
    {
      id: `${type.name}/views`,
      description: `${type.title.en}: readable daily and monthly views for SQL and BI users`,
      statements: [readable('daily'), readable('monthly')],
      repeatable: true,
    },
  ];
}
