import type { Area } from '@govstats/divisions';
import {
  CHINA_TIME_ZONE,
  EARLIEST_EVENT_DAY,
  PREFIX_LENGTH,
  type EventTypeDefinition,
  type Measure,
  type PlaceThreshold,
  type RollupLevel,
  VILLAGE_SUBJECT_SQL,
} from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import {
  measureNames,
  measureSelectList,
  mergeExpr,
  rawExpr,
  rawThresholdSql,
  stateColumn,
  thresholdMeasures,
} from '../schema/measure-sql.ts';
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
 *
 * Three reads are joined by place (and dimensions):
 * - flows: what happened in the period;
 * - states: every change from the first day there can be events up to the period's last day, so a
 *   place whose grids did not change all year still has them at its end;
 * - thresholds: the village rows of the period, totalled per village and counted per place.
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
  const params: Record<string, unknown> = { level: filter.level };
  // Names of just the places asked for: the catalogue holds every place in China.
  const nameConditions: string[] = [];
  // Filters go inside the subqueries: the primary key (level, code, period) prunes before the join.
  const placeConditions = ['level = {level:String}'];
  // Thresholds read the villages under the same places.
  const villageConditions = ["level = 'village'"];
  if (filter.code) {
    placeConditions.push('code = {code:String}');
    nameConditions.push('code = {code:String}');
    params.code = filter.code;
    villageConditions.push('startsWith(code, {codePrefix:String})');
    params.codePrefix = filter.code.slice(0, PREFIX_LENGTH[filter.level]);
  }
  if (filter.area) {
    for (const conditions of [placeConditions, villageConditions]) conditions.push('area = {area:String}');
    params.area = filter.area;
  }
  if (filter.within) {
    const significant = filter.within.replace(/0+$/, '');
    params.prefix = filter.within.slice(0, Math.max(significant.length, 2));
    for (const conditions of [placeConditions, villageConditions, nameConditions]) conditions.push('startsWith(code, {prefix:String})');
  }
  const reader = new GrainReader(type, by, params);
  const flows = rollup.measures.filter((m) => m.kind !== 'state');
  const states = rollup.measures.filter((m) => m.kind === 'state');
  const thresholds = rollup.thresholds ?? [];
  const keys = ['code', ...by];

  const flowParts = reader.read('flow', flows.map(stateColumn), placeConditions, filter.from, filter.to);
  if (flowParts === undefined) return [];
  const reads = [
    `SELECT ${[...keys, ...flows.map((m) => `${mergeExpr(m)} AS ${m.name}`)].join(', ')}
FROM (${flowParts}) GROUP BY ${keys.join(', ')}`,
  ];
  // A dimension entities move along (stars) cannot split a state.
  const statesSplit = !by.some((name) => rollup.dimensions.find((d) => d.name === name)?.flowsOnly);
  if (states.length > 0 && statesSplit) {
    const stateParts = reader.read('state', states.map(stateColumn), placeConditions, EARLIEST_EVENT_DAY, filter.to)!;
    reads.push(`SELECT ${[...keys, ...states.map((m) => `${mergeExpr(m)} AS ${m.name}`)].join(', ')}
FROM (${stateParts}) GROUP BY ${keys.join(', ')}`);
  }
  const counted = thresholdMeasures(rollup);
  if (counted.length > 0) {
    const villageParts = reader.read('village', counted.map(stateColumn), villageConditions, filter.from, filter.to)!;
    const placeCode = `toFixedString(concat(substring(village, 1, ${PREFIX_LENGTH[filter.level]}), '${'0'.repeat(12 - PREFIX_LENGTH[filter.level])}'), 12)`;
    reads.push(`SELECT ${[
      `${placeCode} AS code`,
      ...by,
      ...thresholds.map((t) => `toUInt64(countIf(${t.measure} >= ${t.atLeast})) AS ${t.name}`),
    ].join(', ')}
FROM (SELECT code AS village, ${[...by, ...counted.map((m) => `${mergeExpr(m)} AS ${m.name}`)].join(', ')}
      FROM (${villageParts}) GROUP BY village${by.map((d) => `, ${d}`).join('')})
GROUP BY ${keys.join(', ')}`);
  }
  // A place may appear in any of the reads: the figures it lacks from the others are zero.
  const joined = reads
    .map((read, i) => (i === 0 ? `(${read}) AS q0` : `FULL OUTER JOIN (${read}) AS q${i} USING (${keys.join(', ')})`))
    .join('\n');
  const figure = (m: Measure | PlaceThreshold) => ('kind' in m && m.kind === 'median' ? `j.${m.name}` : `ifNull(j.${m.name}, 0)`);
  const columns = [...flows, ...thresholds].map((m) => `${figure(m)} AS ${m.name}`);
  if (statesSplit) columns.push(...states.map((m) => `${figure(m)} AS ${m.name}`));
  else columns.push(...states.map((m) => `CAST(NULL AS Nullable(Int64)) AS ${m.name}`));
  const rows = await queryRows<Record<string, unknown>>(
    store.client,
    `SELECT
  ${[...keys.map((k) => `j.${k} AS ${k}`), "ifNull(d.place_name, '') AS place", ...columns, ...rollup.derived.map((d) => `${d.expr} AS ${d.name}`)].join(',\n  ')}
FROM (SELECT * FROM ${joined}) AS j
LEFT JOIN (SELECT code, argMax(short_name, updated_at) AS place_name FROM divisions${nameConditions.length > 0 ? ` WHERE ${nameConditions.join(' AND ')}` : ''} GROUP BY code) AS d ON d.code = j.code
ORDER BY ${keys.join(', ')}
SETTINGS join_use_nulls = 1`,
    params,
  );
  return rows.map((row) => ({
    code: String(row.code),
    place: String(row.place ?? ''),
    dimensions: Object.fromEntries(by.map((d) => [d, String(row[d])])),
    figures: toFigures(row, measureNames(rollup)),
  }));
}

/**
 * Reads state columns of one type's grains for a date range: whole years and months from the
 * year and month grains and the rest from the day grain, or all from the day grain when split by
 * dimensions. Each call names its parameters with its own prefix so reads can share a query.
 */
class GrainReader {
  constructor(
    private readonly type: EventTypeDefinition,
    private readonly by: string[],
    private readonly params: Record<string, unknown>,
  ) {}

  /** A UNION ALL of the reads, or undefined when the range is empty. */
  read(name: string, columns: string[], conditions: string[], from: string, to: string): string | undefined {
    const segments =
      this.by.length > 0 ? { years: [], months: [], days: from <= to ? [[from, to] as [string, string]] : [] } : periodSegments(from, to);
    const parts: string[] = [];
    const select = (grain: Grain, periodCondition: string) => {
      const { table } = rollupGrain(this.type, grain);
      parts.push(
        `SELECT code, ${[...this.by, ...columns].join(', ')} FROM ${table} WHERE ${[...conditions, periodCondition].join(' AND ')}`,
      );
    };
    const dateList = (kind: string, dates: string[]) =>
      dates.map((date, i) => {
        this.params[`${name}_${kind}${i}`] = date;
        return `{${name}_${kind}${i}:Date}`;
      });
    if (segments.years.length > 0) select('year', `period IN (${dateList('year', segments.years).join(', ')})`);
    if (segments.months.length > 0) select('month', `period IN (${dateList('month', segments.months).join(', ')})`);
    if (segments.days.length > 0) {
      const runs = segments.days.map(([runFrom, runTo], i) => {
        this.params[`${name}_from${i}`] = runFrom;
        this.params[`${name}_to${i}`] = runTo;
        return `day BETWEEN {${name}_from${i}:Date} AND {${name}_to${i}:Date}`;
      });
      select('day', `(${runs.join(' OR ')})`);
    }
    return parts.length > 0 ? parts.join('\nUNION ALL\n') : undefined;
  }
}

/** Figures of one place for a period, zeros when nothing was reported. */
export async function queryPlaceFigures(
  store: Store,
  type: EventTypeDefinition,
  filter: RollupFilter & { code: string },
): Promise<Record<string, number | null>> {
  const [row] = await queryRollup(store, type, filter);
  return row ? row.figures : { ...(await emptyFigures(store, type)) };
}

const empty = new WeakMap<Store, Map<string, Promise<Record<string, number | null>>>>();

/**
 * A type's figures when nothing was reported: zeros, and what its derived measures make of them
 * (a rate of nothing is NULL). The same for every place and period, so asked once per store.
 */
function emptyFigures(store: Store, type: EventTypeDefinition): Promise<Record<string, number | null>> {
  const byType = empty.get(store) ?? new Map<string, Promise<Record<string, number | null>>>();
  empty.set(store, byType);
  let figures = byType.get(type.name);
  if (!figures) {
    const thresholds = (type.rollup.thresholds ?? []).map((t) => `toUInt64(0) AS ${t.name}`);
    figures = queryRows<Record<string, unknown>>(
      store.client,
      `SELECT ${[measureSelectList(type.rollup), ...thresholds].join(', ')} FROM ${type.rollup.table} WHERE 0`,
    ).then(([row]) => toFigures(row ?? {}, measureNames(type.rollup)));
    byType.set(type.name, figures);
  }
  return figures;
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
  const { rollup } = type;
  const raw = (from: string, where = '') => `(SELECT * FROM ${type.rawTable.name}
      WHERE startsWith(village_code, {prefix:String}) AND toDate(event_time, '${CHINA_TIME_ZONE}') BETWEEN ${from} AND {to:Date}${area}${where}
      LIMIT 1 BY source, event_id)`;
  const area = filter.area ? ' AND area = {area:String}' : '';
  const flows = rollup.measures.filter((m) => m.kind !== 'state');
  const states = rollup.measures.filter((m) => m.kind === 'state');
  const thresholds = rollup.thresholds ?? [];
  const reads = [`(SELECT ${flows.map((m) => `${rawExpr(m)} AS ${m.name}`).join(', ')} FROM ${raw('{from:Date}')}) AS f`];
  // A state is every change up to the period's last day.
  if (states.length > 0)
    reads.push(`(SELECT ${states.map((m) => `${rawExpr(m)} AS ${m.name}`).join(', ')} FROM ${raw('{earliest:Date}')}) AS s`);
  if (thresholds.length > 0) reads.push(`(${rawThresholdSql(rollup, raw('{from:Date}', ` AND ${VILLAGE_SUBJECT_SQL}`))}) AS t`);
  const [row] = await queryRows<Record<string, unknown>>(
    store.client,
    `SELECT ${['*', ...rollup.derived.map((d) => `${d.expr} AS ${d.name}`)].join(', ')}
FROM ${reads.join('\nCROSS JOIN ')}`,
    {
      prefix: filter.code.slice(0, PREFIX_LENGTH[filter.level]),
      from: filter.from,
      to: filter.to,
      earliest: EARLIEST_EVENT_DAY,
      area: filter.area ?? '',
    },
  );
  return toFigures(row ?? {}, measureNames(rollup));
}
