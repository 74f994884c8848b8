import { EVENT_TYPES } from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { CURRENT_DIVISIONS } from '../catalogue/latest-divisions.ts';
import { STATS_TIMEZONE } from '../schema/ddl-options.ts';

export interface PeriodWindow {
  /** Inclusive local dates, YYYY-MM-DD. */
  from: string;
  to: string;
}

/** Events of the period (by event time) loaded only after the period had closed. */
export async function countLateArrivals(store: Store, cityCode: string, window: PeriodWindow): Promise<number> {
  let late = 0;
  for (const type of EVENT_TYPES) {
    const [row] = await queryRows<{ n: string }>(
      store.client,
      `SELECT count() AS n FROM ${type.rawTable.name}
WHERE startsWith(village_code, {prefix:String})
  AND toDate(event_time, '${STATS_TIMEZONE}') BETWEEN {from:Date} AND {to:Date}
  AND toDate(ingested_at, '${STATS_TIMEZONE}') > {to:Date}`,
      { prefix: cityCode.slice(0, 4), from: window.from, to: window.to },
    );
    late += Number(row?.n ?? 0);
  }
  return late;
}

/**
 * Refused messages of one city, counted in the period they were first refused (they carry no
 * trustworthy event time of their own):
 * - a message's place is its event's subject when that was a 12-digit code, else its Kafka key when
 *   that is one (producers key by division code); it belongs to the city whose 4-digit prefix the
 *   place has. A message with neither (unparseable bytes, no key) belongs to no city and is counted
 *   in none;
 * - a replayed copy that is refused again shares its origin with the first refusal: one refused
 *   message, counted once;
 * - an origin that a later replay loaded (dead_letter_resolutions) is not counted: nothing was lost.
 */
export async function countDeadLettered(store: Store, cityCode: string, window: PeriodWindow): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    store.client,
    `SELECT count() AS n FROM (
  SELECT min(dead_lettered_at) AS first_refused, argMinIf(refused_place, dead_lettered_at, refused_place != '') AS place
  FROM (
    SELECT origin_topic, origin_partition, origin_offset, dead_lettered_at,
      multiIf(match(subject, '^[0-9]{12}$'), subject, match(kafka_key, '^[0-9]{12}$'), kafka_key, '') AS refused_place
    FROM dead_letters
    WHERE (origin_topic, origin_partition, origin_offset) NOT IN (SELECT origin_topic, origin_partition, origin_offset FROM dead_letter_resolutions)
  )
  GROUP BY origin_topic, origin_partition, origin_offset
)
WHERE substring(place, 1, 4) = {prefix:String} AND toDate(first_refused, '${STATS_TIMEZONE}') BETWEEN {from:Date} AND {to:Date}`,
    { prefix: cityCode.slice(0, 4), from: window.from, to: window.to },
  );
  return Number(row?.n ?? 0);
}

/** Current villages and communities of the city with no event of any type in the period. */
export async function silentVillages(store: Store, cityCode: string, window: PeriodWindow): Promise<{ total: number; silent: { code: string; name: string }[] }> {
  const reported = EVENT_TYPES.map(
    (t) => `SELECT DISTINCT code FROM ${t.rollup.table} WHERE level = 'village' AND day BETWEEN {from:Date} AND {to:Date}`,
  ).join(' UNION DISTINCT ');
  const rows = await queryRows<{ code: string; name: string; reported: number }>(
    store.client,
    `SELECT code, short_name AS name, code IN (${reported}) AS reported
FROM ${CURRENT_DIVISIONS}
WHERE level = 'village' AND startsWith(code, {prefix:String})
ORDER BY code`,
    { prefix: cityCode.slice(0, 4), from: window.from, to: window.to },
  );
  return { total: rows.length, silent: rows.filter((r) => !Number(r.reported)).map((r) => ({ code: r.code, name: r.name })) };
}
