import { PREFIX_LENGTH, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import { STATS_TIMEZONE } from './ddl-options.ts';
import { rawExpr, stateColumn, stateExpr } from './measure-sql.ts';

/**
 * Every rollup of an event type is kept at three grains:
 * - `day`: per level × code × day × dimensions (the `*_rollup` table), for breakdowns and any date range;
 * - `month` and `year`: per level × code × period, no dimensions (`*_rollup_month`, `*_rollup_year`).
 *
 * Distinct counts are stored as exact sets, so merging a year of daily sets for a whole city means
 * re-inserting millions of elements; the month and year grains hold those sets already merged, and
 * queries take whole years and months from them (see queries/period-segments.ts).
 */
export type Grain = 'day' | 'month' | 'year';
export const GRAINS: readonly Grain[] = ['day', 'month', 'year'];

export interface RollupGrain {
  grain: Grain;
  table: string;
  /** Name of the date column: the day, or the first day of the month or year. */
  periodColumn: 'day' | 'period';
  /** The date column from a raw row's event_time, in China's time zone. */
  periodExpr: string;
  /** Whether the rollup's dimensions (kind, product, …) are kept at this grain. */
  withDimensions: boolean;
}

const LOCAL_DAY = `toDate(event_time, '${STATS_TIMEZONE}')`;

export function rollupGrain(type: EventTypeDefinition, grain: Grain): RollupGrain {
  switch (grain) {
    case 'day':
      return { grain, table: type.rollup.table, periodColumn: 'day', periodExpr: LOCAL_DAY, withDimensions: true };
    case 'month':
      return { grain, table: `${type.rollup.table}_month`, periodColumn: 'period', periodExpr: `toStartOfMonth(${LOCAL_DAY})`, withDimensions: false };
    case 'year':
      return { grain, table: `${type.rollup.table}_year`, periodColumn: 'period', periodExpr: `toStartOfYear(${LOCAL_DAY})`, withDimensions: false };
  }
}

/** The code of the level's place from a village code: its prefix, padded with zeros to 12 digits. */
export function levelCodeExpr(level: RollupLevel): string {
  const digits = PREFIX_LENGTH[level];
  return digits === 12 ? 'village_code' : `toFixedString(concat(substring(village_code, 1, ${digits}), '${'0'.repeat(12 - digits)}'), 12)`;
}

/** Key columns of a grain's table, in ORDER BY order. */
export function grainKeys(type: EventTypeDefinition, grain: RollupGrain): string[] {
  return ['level', 'code', grain.periodColumn, ...(grain.withDimensions ? type.rollup.dimensions.map((d) => d.name) : [])];
}

/**
 * One level of one grain, aggregated from raw rows in `source`: partial-aggregate states for a
 * materialized view, or final figures (`figures`) for reconciliation. One statement per level
 * rather than one fanned out with ARRAY JOIN: measured on chdb, the fan-out made the rollup
 * insert several times slower.
 */
export function levelAggregateSql(type: EventTypeDefinition, grain: RollupGrain, level: RollupLevel, source: string, output: 'states' | 'figures'): string {
  const dimensions = grain.withDimensions ? type.rollup.dimensions.map((d) => `${d.expr} AS ${d.name}`) : [];
  const measures = type.rollup.measures.map((m) => (output === 'states' ? `${stateExpr(m)} AS ${stateColumn(m)}` : `${rawExpr(m)} AS ${m.name}`));
  return `SELECT
  '${level}' AS level,
  ${levelCodeExpr(level)} AS code,
  ${grain.periodExpr} AS ${grain.periodColumn},
  ${[...dimensions, ...measures].join(',\n  ')}
FROM ${source}
GROUP BY ${grainKeys(type, grain).join(', ')}`;
}

/** Materialized view name of one level of one grain, e.g. grid_visit_rollup_month_city_mv. */
export function levelViewName(grain: RollupGrain, level: RollupLevel): string {
  return `${grain.table}_${level}_mv`;
}
