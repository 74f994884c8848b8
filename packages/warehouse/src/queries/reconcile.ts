import {
  CHINA_TIME_ZONE,
  EARLIEST_EVENT_DAY,
  EVENT_TYPES,
  PREFIX_LENGTH,
  ROLLUP_LEVELS,
  VILLAGE_SUBJECT_SQL,
  type EventTypeDefinition,
  type RollupLevel,
} from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { mergeExpr, rawExpr, rawThresholdSql } from '../schema/measure-sql.ts';
import {
  GRAINS,
  SUBJECT_DIGITS_SQL,
  grainKeys,
  levelAggregateSql,
  levelCodeExpr,
  rollupGrain,
  type Grain,
  type RollupGrain,
} from '../schema/rollup-grains.ts';
import { queryRollup } from './rollup-query.ts';

export interface RollupDifference {
  eventType: string;
  /**
   * Which rollup table differs: the day grain (with dimensions) or the month or year totals; or
   * `figure` for a state or threshold figure of the whole window, as `govstats rollup` answers it.
   */
  grain: Grain | 'figure';
  level: string;
  code: string;
  /** The day, or the first day of the month or year. */
  day: string;
  dimensions: Record<string, string>;
  measure: string;
  /** Recomputed from the raw table (each event, source and id, once). */
  fromRaw: number | null;
  /** What the materialized rollup holds. */
  inRollup: number | null;
}

/**
 * Recomputes every rollup row of the period from the raw tables — each event (source and id) counted once —
 * and returns every figure where a materialized rollup differs: a lost or double-counted event
 * shows up here at each level and grain it reached. Month and year totals are checked for every
 * month and year the period touches, over the whole month or year. State figures at the period's
 * end and threshold counts over it are then checked for every place as figures, since they are
 * not rows: a state sums every change before the period too.
 */
export async function reconcile(
  store: Store,
  window: { from: string; to: string },
  types: readonly EventTypeDefinition[] = EVENT_TYPES,
): Promise<RollupDifference[]> {
  const differences: RollupDifference[] = [];
  for (const type of types) {
    for (const grain of GRAINS) differences.push(...(await reconcileGrain(store, type, rollupGrain(type, grain), window)));
    for (const level of ROLLUP_LEVELS) differences.push(...(await reconcileFigures(store, type, level, window)));
  }
  return differences;
}

/**
 * State figures at the window's end and threshold counts over it, for every place of a level, as
 * the rollup query answers them and as the raw table gives them: a state sums every change up to
 * the end, a threshold totals each village's own rows of the window.
 */
async function reconcileFigures(
  store: Store,
  type: EventTypeDefinition,
  level: RollupLevel,
  window: { from: string; to: string },
): Promise<RollupDifference[]> {
  const states = type.rollup.measures.filter((m) => m.kind === 'state');
  const thresholds = type.rollup.thresholds ?? [];
  if (states.length === 0 && thresholds.length === 0) return [];
  const deduplicated = (from: string, where: string) => `(SELECT * FROM ${type.rawTable.name}
    WHERE toDate(event_time, '${CHINA_TIME_ZONE}') BETWEEN ${from} AND {to:Date} AND ${where}
    ORDER BY ingested_at LIMIT 1 BY source, event_id)`;
  const fromRaw = new Map<string, Record<string, number>>();
  const collect = (rows: Record<string, string | number>[]) => {
    for (const { code, ...figures } of rows) {
      const place = fromRaw.get(String(code)) ?? {};
      for (const [name, value] of Object.entries(figures)) place[name] = Number(value);
      fromRaw.set(String(code), place);
    }
  };
  if (states.length > 0) {
    collect(
      await queryRows(
        store.client,
        `SELECT ${levelCodeExpr(level)} AS code, ${states.map((m) => `${rawExpr(m)} AS ${m.name}`).join(', ')}
FROM ${deduplicated('{earliest:Date}', `${SUBJECT_DIGITS_SQL} >= ${PREFIX_LENGTH[level]}`)}
GROUP BY code`,
        { ...window, earliest: EARLIEST_EVENT_DAY },
      ),
    );
  }
  if (thresholds.length > 0) {
    collect(
      await queryRows(
        store.client,
        rawThresholdSql(type.rollup, deduplicated('{from:Date}', VILLAGE_SUBJECT_SQL), levelCodeExpr(level)),
        window,
      ),
    );
  }
  const inRollup = new Map((await queryRollup(store, type, { level, ...window })).map((row) => [row.code, row.figures]));
  const differences: RollupDifference[] = [];
  for (const code of new Set([...fromRaw.keys(), ...inRollup.keys()])) {
    for (const measure of [...states, ...thresholds].map((m) => m.name)) {
      const raw = fromRaw.get(code)?.[measure] ?? 0;
      const rolled = inRollup.get(code)?.[measure] ?? 0;
      if (raw === rolled) continue;
      differences.push({
        eventType: type.name,
        grain: 'figure',
        level,
        code,
        day: window.to,
        dimensions: {},
        measure,
        fromRaw: raw,
        inRollup: rolled,
      });
    }
  }
  return differences;
}

/** The window widened to whole periods of the grain, as SQL date expressions over {from} and {to}. */
function grainBounds(grain: RollupGrain): { from: string; to: string } {
  switch (grain.grain) {
    case 'day':
      return { from: '{from:Date}', to: '{to:Date}' };
    case 'month':
      return { from: 'toStartOfMonth({from:Date})', to: 'toLastDayOfMonth({to:Date})' };
    case 'year':
      return { from: 'toStartOfYear({from:Date})', to: 'toStartOfYear({to:Date}) + INTERVAL 1 YEAR - INTERVAL 1 DAY' };
  }
}

async function reconcileGrain(
  store: Store,
  type: EventTypeDefinition,
  grain: RollupGrain,
  window: { from: string; to: string },
): Promise<RollupDifference[]> {
  const { rollup } = type;
  const keys = grainKeys(type, grain);
  const period = grain.periodColumn;
  const measures = rollup.measures;
  const bounds = grainBounds(grain);
  const deduplicated = `(SELECT * FROM ${type.rawTable.name}
    WHERE toDate(event_time, '${CHINA_TIME_ZONE}') BETWEEN ${bounds.from} AND ${bounds.to}
    ORDER BY ingested_at LIMIT 1 BY source, event_id)`;
  const recomputed = ROLLUP_LEVELS.map((level) => levelAggregateSql(type, grain, level, deduplicated, 'figures')).join('\nUNION ALL\n');
  const materialized = `SELECT ${keys.join(', ')}, ${measures.map((m) => `${mergeExpr(m)} AS ${m.name}`).join(', ')}
  FROM ${grain.table} WHERE ${period} BETWEEN ${bounds.from} AND ${bounds.to}
  GROUP BY ${keys.join(', ')}`;
  const differs = measures.map((m) => `(r.${m.name} IS NULL) != (m.${m.name} IS NULL) OR r.${m.name} != m.${m.name}`).join(' OR ');
  const rows = await queryRows<Record<string, string | number | null>>(
    store.client,
    `SELECT
  ${keys.map((k) => `coalesce(r.${k}, m.${k}) AS key_${k}`).join(', ')},
  ${measures.map((m) => `r.${m.name} AS raw_${m.name}, m.${m.name} AS rollup_${m.name}`).join(', ')}
FROM (${recomputed}) AS r
FULL OUTER JOIN (${materialized}) AS m ON ${keys.map((k) => `r.${k} = m.${k}`).join(' AND ')}
WHERE ${differs}
ORDER BY key_level, key_code, key_${period}
LIMIT 10000
SETTINGS join_use_nulls = 1`,
    window,
  );
  const differences: RollupDifference[] = [];
  for (const row of rows) {
    for (const m of measures) {
      const fromRaw = row[`raw_${m.name}`] === null ? null : Number(row[`raw_${m.name}`]);
      const inRollup = row[`rollup_${m.name}`] === null ? null : Number(row[`rollup_${m.name}`]);
      if (fromRaw === inRollup) continue;
      differences.push({
        eventType: type.name,
        grain: grain.grain,
        level: String(row.key_level),
        code: String(row.key_code),
        day: String(row[`key_${period}`]),
        dimensions: grain.withDimensions ? Object.fromEntries(rollup.dimensions.map((d) => [d.name, String(row[`key_${d.name}`])])) : {},
        measure: m.name,
        fromRaw,
        inRollup,
      });
    }
  }
  return differences;
}
