import type { Area } from '@govstats/divisions';
import { CHINA_TIME_ZONE, PREFIX_LENGTH, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { measureNames, measureSelectList, rawExpr, stateColumn } from '../schema/measure-sql.ts';
import { rollupGrain, type Grain } from '../schema/rollup-grains.ts';
import { toFigures } from './numbers.ts';
import { periodSegments } from './period-segments.ts';

export interface RollupFilter {
  level: RollupLevel;
  /** Inclusive China dates (Asia/Shanghai), YYYY-MM-DD. */
  from: string;
  to: string;
  /** Only events of urban communities or of rural villages (activity above the village is neither). */
  area?: Area;
}

export interface RollupRow {
  code: string;
  place: string;
  dimensions: Record<string, string>;
  figures: Record<string, number | null>;
}

/**
 * Figures of one event type for places at a level, merged over a period. `code` selects one
 * place; `within` selects every place of the level under an ancestor (e.g. the townships of a
 * county); `by` splits the figures by rollup dimensions such as product or channel.
 *
 * Without `by`, whole years and months of the period are read from the year and month grains and
 * only the days left over from the day grain, so a year for a whole city merges one set per
 * measure rather than 365 × dimensions of them. With `by`, the day grain (the one with dimensions).
 */
export async function queryRollup(
  store: Store,
  type: EventTypeDefinition,
  filter: RollupFilter & { code?: string; within?: string; by?: string[] },
): Promise<RollupRow[]> {
  const { rollup } = type;
  const by = filter.by ?? [];
  for (const dimension of by) {
    if (!rollup.dimensions.some((d) => d.name === dimension)) {
      const known = rollup.dimensions.map((d) => d.name).join(', ');
      throw new Error(`${type.name} has no dimension '${dimension}' (known: ${known})`);
    }
  }
  // Filters go inside the subqueries: the primary key (level, code, period) prunes before the join.
  const placeConditions = ['level = {level:String}'];
  const params: Record<string, unknown> = { level: filter.level };
  if (filter.code) {
    placeConditions.push('code = {code:String}');
    params.code = filter.code;
  }
  if (filter.area) {
    placeConditions.push('area = {area:String}');
    params.area = filter.area;
  }
  if (filter.within) {
    const significant = filter.within.replace(/0+$/, '');
    const prefix = filter.within.slice(0, Math.max(significant.length, 2));
    placeConditions.push('startsWith(code, {prefix:String})');
    params.prefix = prefix;
  }
  const segments =
    by.length > 0
      ? { years: [], months: [], days: [[filter.from, filter.to] as [string, string]] }
      : periodSegments(filter.from, filter.to);
  const states = rollup.measures.map(stateColumn);
  const parts: string[] = [];
  const readGrain = (grain: Grain, periodCondition: string) => {
    const { table } = rollupGrain(type, grain);
    parts.push(`SELECT code, ${[...by, ...states].join(', ')} FROM ${table} WHERE ${[...placeConditions, periodCondition].join(' AND ')}`);
  };
  const dateList = (name: string, dates: string[]) =>
    dates.map((date, i) => {
      params[`${name}${i}`] = date;
      return `{${name}${i}:Date}`;
    });
  if (segments.years.length > 0) readGrain('year', `period IN (${dateList('year', segments.years).join(', ')})`);
  if (segments.months.length > 0) readGrain('month', `period IN (${dateList('month', segments.months).join(', ')})`);
  if (segments.days.length > 0) {
    const runs = segments.days.map(([from, to], i) => {
      params[`from${i}`] = from;
      params[`to${i}`] = to;
      return `day BETWEEN {from${i}:Date} AND {to${i}:Date}`;
    });
    readGrain('day', `(${runs.join(' OR ')})`);
  }
  if (parts.length === 0) return [];
  const dimensionColumns = by.map((d) => `r.${d} AS ${d}`);
  const rows = await queryRows<Record<string, unknown>>(
    store.client,
    `SELECT
  r.code AS code,
  any(d.place_name) AS place,
  ${[...dimensionColumns, measureSelectList(rollup, 'r.')].join(',\n  ')}
FROM (${parts.join('\nUNION ALL\n')}) AS r
LEFT JOIN (SELECT code, argMax(short_name, updated_at) AS place_name FROM divisions GROUP BY code) AS d ON d.code = r.code
GROUP BY code${by.map((d) => `, ${d}`).join('')}
ORDER BY code${by.map((d) => `, ${d}`).join('')}`,
    params,
  );
  return rows.map((row) => ({
    code: String(row.code),
    place: String(row.place ?? ''),
    dimensions: Object.fromEntries(by.map((d) => [d, String(row[d])])),
    figures: toFigures(row, measureNames(rollup)),
  }));
}

/** Figures of one place for a period, zeros when nothing was reported. */
export async function queryPlaceFigures(
  store: Store,
  type: EventTypeDefinition,
  filter: RollupFilter & { code: string },
): Promise<Record<string, number | null>> {
  const [row] = await queryRollup(store, type, filter);
  if (row) return row.figures;
  const [empty] = await queryRows<Record<string, unknown>>(
    store.client,
    `SELECT ${measureSelectList(type.rollup)} FROM ${type.rollup.table} WHERE 0`,
  );
  return toFigures(empty ?? {}, measureNames(type.rollup));
}

/** The level of a rollup code, for validating CLI input before querying. */
export function codeMatchesLevel(code: string, level: RollupLevel): boolean {
  const length = PREFIX_LENGTH[level];
  return /^\d{12}$/.test(code) && /^0*$/.test(code.slice(length)) && !/^0+$/.test(code.slice(length - 2, length));
}

/** Short name of a place from the division dimension, or undefined when the code is unknown. */
export async function placeName(store: Store, code: string): Promise<string | undefined> {
  const [row] = await queryRows<{ name: string }>(
    store.client,
    'SELECT argMax(short_name, updated_at) AS name FROM divisions WHERE code = {code:String} GROUP BY code',
    { code },
  );
  return row?.name;
}

/**
 * The same figures computed straight from the raw table (each event id once), without the
 * rollups: slower, but the yardstick the rollups are checked and benchmarked against.
 */
export async function queryPlaceFiguresFromRaw(
  store: Store,
  type: EventTypeDefinition,
  filter: RollupFilter & { code: string },
): Promise<Record<string, number | null>> {
  const prefix = filter.code.slice(0, PREFIX_LENGTH[filter.level]);
  const measures = type.rollup.measures.map((m) => `${rawExpr(m)} AS ${m.name}`);
  const area = filter.area ? ' AND area = {area:String}' : '';
  const derived = type.rollup.derived.map((d) => `${d.expr} AS ${d.name}`);
  const [row] = await queryRows<Record<string, unknown>>(
    store.client,
    `SELECT ${[...measures, ...derived].join(', ')}
FROM (SELECT * FROM ${type.rawTable.name}
      WHERE startsWith(village_code, {prefix:String}) AND toDate(event_time, '${CHINA_TIME_ZONE}') BETWEEN {from:Date} AND {to:Date}${area}
      LIMIT 1 BY source, event_id)`,
    { prefix, from: filter.from, to: filter.to, area: filter.area ?? '' },
  );
  return toFigures(row ?? {}, measureNames(type.rollup));
}
