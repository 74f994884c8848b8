import { CHINA_TIME_ZONE, PREFIX_LENGTH, columnsAt, type EventTypeDefinition, type Measure, type RollupLevel } from '@govstats/schemas';
import { LEVEL_FANOUT } from './levels.ts';
import { onCluster, type DdlOptions } from './ddl-options.ts';
import { rawExpr, restateExpr, stateColumn, stateExpr } from './measure-sql.ts';

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

/**
 * The per-type migration that last changed the rollups' shape. Each migration renders the SQL of
 * the shape it creates, so an applied migration's text never changes when a later one adds to it:
 * - 4: one view per grain fanning village aggregates out to the four levels;
 * - 5: `area` (urban, rural, or '' above the village) in every grain's key, events counted only
 *   at their own level and above (a township's event reaches no village), villages-with-activity
 *   measures.
 */
export const ROLLUP_VERSION = 5;

/** The measures a rollup had after migration `version`. */
export function measuresAt(type: EventTypeDefinition, version = ROLLUP_VERSION): Measure[] {
  return columnsAt(type.rollup.measures, version);
}

/** Digits of the row's own place: 12 for a village, 9 a township, 6 a county, 4 a city. */
export const SUBJECT_DIGITS_SQL =
  "multiIf(substring(village_code, 10, 3) != '000', 12, substring(village_code, 7, 3) != '000', 9, substring(village_code, 5, 2) != '00', 6, 4)";
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

const LOCAL_DAY = `toDate(event_time, '${CHINA_TIME_ZONE}')`;

export function rollupGrain(type: EventTypeDefinition, grain: Grain): RollupGrain {
  switch (grain) {
    case 'day':
      return { grain, table: type.rollup.table, periodColumn: 'day', periodExpr: LOCAL_DAY, withDimensions: true };
    case 'month':
      return {
        grain,
        table: `${type.rollup.table}_month`,
        periodColumn: 'period',
        periodExpr: `toStartOfMonth(${LOCAL_DAY})`,
        withDimensions: false,
      };
    case 'year':
      return {
        grain,
        table: `${type.rollup.table}_year`,
        periodColumn: 'period',
        periodExpr: `toStartOfYear(${LOCAL_DAY})`,
        withDimensions: false,
      };
  }
}

/** The code of the level's place from a village code: its prefix, padded with zeros to 12 digits. */
export function levelCodeExpr(level: RollupLevel): string {
  const digits = PREFIX_LENGTH[level];
  return digits === 12 ? 'village_code' : `toFixedString(concat(substring(village_code, 1, ${digits}), '${'0'.repeat(12 - digits)}'), 12)`;
}

/** Key columns of a grain's table, in ORDER BY order. */
export function grainKeys(type: EventTypeDefinition, grain: RollupGrain, version = ROLLUP_VERSION): string[] {
  const dimensions = grain.withDimensions ? type.rollup.dimensions.map((d) => d.name) : [];
  return ['level', 'code', grain.periodColumn, ...dimensions, ...(version >= 5 ? ['area'] : [])];
}

/**
 * One level of one grain, aggregated from raw rows in `source`: partial-aggregate states (the
 * per-level views of migration 0003 and its backfill), or final figures (`figures`) for
 * reconciliation.
 */
export function levelAggregateSql(
  type: EventTypeDefinition,
  grain: RollupGrain,
  level: RollupLevel,
  source: string,
  output: 'states' | 'figures',
  version = ROLLUP_VERSION,
): string {
  const dimensions = grain.withDimensions ? type.rollup.dimensions.map((d) => `${d.expr} AS ${d.name}`) : [];
  const measures = measuresAt(type, version).map((m) =>
    output === 'states' ? `${stateExpr(m)} AS ${stateColumn(m)}` : `${rawExpr(m)} AS ${m.name}`,
  );
  // From version 5 an event counts only at its own level and above.
  const ownLevelAndAbove = version >= 5 ? `\nWHERE ${SUBJECT_DIGITS_SQL} >= ${PREFIX_LENGTH[level]}` : '';
  return `SELECT
  '${level}' AS level,
  ${levelCodeExpr(level)} AS code,
  ${grain.periodExpr} AS ${grain.periodColumn},
  ${[...dimensions, ...(version >= 5 ? ['area'] : []), ...measures].join(',\n  ')}
FROM ${source}${ownLevelAndAbove}
GROUP BY ${grainKeys(type, grain, version).join(', ')}`;
}

/** Materialized view name of one level of one grain, e.g. <rollup>_month_city_mv. */
export function levelViewName(grain: RollupGrain, level: RollupLevel): string {
  return `${grain.table}_${level}_mv`;
}

/**
 * Every level of one grain in one statement, for its materialized view: raw rows are first
 * aggregated per village, and only those village states are fanned out to the four levels and
 * merged. Fanning out raw rows (the first rollup view) copied every row four times and was
 * several times slower; one view per level (migration 0003) wrote four parts per insert, and on
 * chdb each part costs ~10 ms of file-system work whatever its size, which is most of the cost
 * of a small batch. Measured on 2 cores: a 20-row insert into the grid visits table 150–220 ms with twelve
 * per-level views, 40–100 ms with three of these; a 36k-row insert 580–680 ms against 510–580 ms.
 */
export function grainAggregateSql(type: EventTypeDefinition, grain: RollupGrain, source: string, version = ROLLUP_VERSION): string {
  const dimensions = grain.withDimensions ? type.rollup.dimensions : [];
  const measures = measuresAt(type, version);
  const area = version >= 5 ? ['area'] : [];
  const placeKeys = ['village_code', grain.periodColumn, ...dimensions.map((d) => d.name), ...area];
  // From version 5 the places an event fans out to stop at its own level: a township's events
  // reach the township, county and city rows, no village row.
  const fanout = version >= 5 ? `arrayFilter(p -> p.2 <= ${SUBJECT_DIGITS_SQL}, ${LEVEL_FANOUT})` : LEVEL_FANOUT;
  return `SELECT
  place.1 AS level,
  toFixedString(concat(substring(village_code, 1, place.2), repeat('0', 12 - place.2)), 12) AS code,
  ${[grain.periodColumn, ...dimensions.map((d) => d.name), ...area, ...measures.map((m) => `${restateExpr(m)} AS ${stateColumn(m)}`)].join(',\n  ')}
FROM (
  SELECT
    village_code,
    ${[`${grain.periodExpr} AS ${grain.periodColumn}`, ...dimensions.map((d) => `${d.expr} AS ${d.name}`), ...area, ...measures.map((m) => `${stateExpr(m)} AS ${stateColumn(m)}`)].join(',\n    ')}
  FROM ${source}
  GROUP BY ${placeKeys.join(', ')}
)
ARRAY JOIN ${fanout} AS place
GROUP BY ${grainKeys(type, grain, version).join(', ')}`;
}

/** Materialized view name of one grain, all levels, e.g. <rollup>_month_levels_mv. */
export function grainViewName(grain: RollupGrain): string {
  return `${grain.table}_levels_mv`;
}

/** The materialized view filling one grain from the raw table, as migration `version` creates it. */
export function grainViewDdl(type: EventTypeDefinition, grain: RollupGrain, options: DdlOptions, version = ROLLUP_VERSION): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${grainViewName(grain)}${onCluster(options)} TO ${grain.table} AS
${grainAggregateSql(type, grain, type.rawTable.name, version)}`;
}
