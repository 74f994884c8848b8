import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { STATS_TIMEZONE } from '../schema/ddl-options.ts';
import { LEVEL_FANOUT } from '../schema/levels.ts';
import { mergeExpr, rawExpr } from '../schema/measure-sql.ts';

export interface RollupDifference {
  eventType: string;
  level: string;
  code: string;
  day: string;
  dimensions: Record<string, string>;
  measure: string;
  /** Recomputed from the raw table (each event id once). */
  fromRaw: number | null;
  /** What the materialized rollup holds. */
  inRollup: number | null;
}

/**
 * Recomputes every rollup row of the period from the raw tables — each event id counted once —
 * and returns every figure where the materialized rollup differs: a lost or double-counted event
 * shows up here at each level it reached.
 */
export async function reconcile(store: Store, window: { from: string; to: string }, types: readonly EventTypeDefinition[] = EVENT_TYPES): Promise<RollupDifference[]> {
  const differences: RollupDifference[] = [];
  for (const type of types) differences.push(...(await reconcileType(store, type, window)));
  return differences;
}

async function reconcileType(store: Store, type: EventTypeDefinition, window: { from: string; to: string }): Promise<RollupDifference[]> {
  const { rollup } = type;
  const keys = ['level', 'code', 'day', ...rollup.dimensions.map((d) => d.name)];
  const measures = rollup.measures;
  const recomputed = `SELECT
    level_prefix.1 AS level,
    toFixedString(rpad(substring(village_code, 1, level_prefix.2), 12, '0'), 12) AS code,
    toDate(event_time, '${STATS_TIMEZONE}') AS day,
    ${[...rollup.dimensions.map((d) => `${d.expr} AS ${d.name}`), ...measures.map((m) => `${rawExpr(m)} AS ${m.name}`)].join(',\n    ')}
  FROM (SELECT * FROM ${type.rawTable.name} WHERE toDate(event_time, '${STATS_TIMEZONE}') BETWEEN {from:Date} AND {to:Date} ORDER BY ingested_at LIMIT 1 BY event_id)
  ARRAY JOIN ${LEVEL_FANOUT} AS level_prefix
  GROUP BY ${keys.join(', ')}`;
  const materialized = `SELECT ${keys.join(', ')}, ${measures.map((m) => `${mergeExpr(m)} AS ${m.name}`).join(', ')}
  FROM ${rollup.table} WHERE day BETWEEN {from:Date} AND {to:Date}
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
ORDER BY key_level, key_code, key_day
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
        level: String(row.key_level),
        code: String(row.key_code),
        day: String(row.key_day),
        dimensions: Object.fromEntries(rollup.dimensions.map((d) => [d.name, String(row[`key_${d.name}`])])),
        measure: m.name,
        fromRaw,
        inRollup,
      });
    }
  }
  return differences;
}
