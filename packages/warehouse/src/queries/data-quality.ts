import { CHINA_TIME_ZONE, EVENT_TYPES } from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { CURRENT_DIVISIONS } from '../catalogue/latest-divisions.ts';
import { DEAD_LETTERS_BY_ORIGIN } from './dead-letter-query.ts';

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
  AND toDate(event_time, '${CHINA_TIME_ZONE}') BETWEEN {from:Date} AND {to:Date}
  AND toDate(ingested_at, '${CHINA_TIME_ZONE}') > {to:Date}`,
      { prefix: cityCode.slice(0, 4), from: window.from, to: window.to },
    );
    late += Number(row?.n ?? 0);
  }
  return late;
}

/**
 * Refused messages of one city (by their place, see DEAD_LETTERS_BY_ORIGIN), counted once each in
 * the period they were first refused — they carry no trustworthy event time of their own — and not
 * at all once a replay loaded them: nothing was lost.
 */
export async function countDeadLettered(store: Store, cityCode: string, window: PeriodWindow): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    store.client,
    `SELECT count() AS n FROM (${DEAD_LETTERS_BY_ORIGIN})
WHERE NOT resolved AND substring(place, 1, 4) = {prefix:String} AND toDate(first_refused_at, '${CHINA_TIME_ZONE}') BETWEEN {from:Date} AND {to:Date}`,
    { prefix: cityCode.slice(0, 4), from: window.from, to: window.to },
  );
  return Number(row?.n ?? 0);
}

/** Current villages and communities of the city with no event of any type in the period. */
export async function silentVillages(
  store: Store,
  cityCode: string,
  window: PeriodWindow,
): Promise<{ total: number; silent: { code: string; name: string }[] }> {
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
