import { queryRows, type Store } from '@govstats/store';
import { LATEST_DIVISIONS } from '@govstats/warehouse';

/** A bulletin was asked for a code that is not a current city of the loaded division catalogue. */
export class UnknownCityError extends Error {
  constructor(
    readonly cityCodes: string[],
    message: string,
  ) {
    super(message);
    this.name = 'UnknownCityError';
  }
}

interface Place {
  code: string;
  name: string;
  short_name: string;
  level: string;
  retired: number;
}

/** Each code's latest row of the warehouse's catalogue (a user may have loaded or extended it). */
const LATEST = `SELECT code, name, short_name, level, retired FROM ${LATEST_DIVISIONS}`;

/**
 * The city of a bulletin, from the `divisions` table: a current (not retired) place at level city.
 * Anything else is refused with what the code is instead, so an unknown code never gives a
 * bulletin of zeros.
 */
export async function requireCity(store: Store, code: string): Promise<{ code: string; name: string }> {
  const [place] = await queryRows<Place>(store.client, `${LATEST} WHERE code = {code:String}`, { code });
  if (place && place.level === 'city' && !Number(place.retired)) return { code, name: await cityName(store, place) };
  throw new UnknownCityError([code], await refusal(store, code, place));
}

/**
 * The name a bulletin carries. City-level places such as 110100000000 市辖区 or 419000000000
 * 省直辖县级行政区划 are not names of their own: they take their province's, alone when the
 * province has no other city-level place (北京市), else before their own (重庆市县).
 */
async function cityName(store: Store, city: Place): Promise<string> {
  const own = city.short_name || city.name;
  if (/(市|州|盟|地区)$/.test(city.name)) return own;
  const siblings = await currentCities(store, city.code.slice(0, 2));
  const [province] = await queryRows<Place>(store.client, `${LATEST} WHERE code = {code:String}`, {
    code: city.code.slice(0, 2).padEnd(12, '0'),
  });
  if (!province) return own;
  const provinceName = province.short_name || province.name;
  return siblings.length === 1 ? provinceName : `${provinceName}${own}`;
}

function currentCities(store: Store, provincePrefix: string): Promise<{ code: string; name: string }[]> {
  return queryRows<{ code: string; name: string }>(
    store.client,
    `SELECT code, name FROM (${LATEST}) WHERE startsWith(code, {prefix:String}) AND level = 'city' AND retired = 0 ORDER BY code`,
    { prefix: provincePrefix },
  );
}

async function refusal(store: Store, code: string, place: Place | undefined): Promise<string> {
  const head = `${code} is not a city of the division catalogue (${await catalogueTitle(store)})`;
  const tail = 'find codes with `govstats divisions search NAME`';
  if (!place) return `${head}; ${tail}`;
  if (Number(place.retired)) return `${head}: ${place.name} (${place.level}) is no longer current${await successor(store, code)}; ${tail}`;
  if (place.level === 'province') return `${head}: ${await provinceHint(store, place)}; ${tail}`;
  return `${head}: it is ${place.name}, a ${place.level}; ${tail}`;
}

/**
 * A province is the usual mistake: 北京市 is 110000000000, but its bulletin is that of the
 * city-level 110100000000 (市辖区), as for every province-level municipality.
 */
async function provinceHint(store: Store, province: Place): Promise<string> {
  const cities = await currentCities(store, province.code.slice(0, 2));
  const listed = (limit: number) =>
    cities
      .slice(0, limit)
      .map((c) => `${c.code} (${c.name})`)
      .join(', ') + (cities.length > limit ? ', …' : '');
  switch (cities.length) {
    case 0:
      return `it is the province ${province.name}, which has no current city in the catalogue`;
    case 1:
      return `it is the province-level ${province.name}; its city-level code is ${listed(1)} — use that one`;
    case 2:
      return `it is the province-level ${province.name}; its city-level codes are ${listed(2)} — use one of those`;
    default:
      return `it is the province ${province.name}; its ${cities.length} cities are ${listed(4)}`;
  }
}

async function successor(store: Store, code: string): Promise<string> {
  const [change] = await queryRows<{ current_code: string; current_name: string }>(
    store.client,
    'SELECT current_code, current_name FROM division_code_changes FINAL WHERE retired_code = {code:String}',
    { code },
  );
  return change ? `; its places now count under ${change.current_code} (${change.current_name})` : '';
}

/** e.g. `NBS 2023 统计用区划代码 (cut-off 2023-06-30)`, plus any edition or overlay loaded after it. */
async function catalogueTitle(store: Store): Promise<string> {
  const editions = await queryRows<{ title: string }>(
    store.client,
    'SELECT argMax(title, loaded_at) AS title FROM division_editions GROUP BY edition ORDER BY min(loaded_at)',
  );
  return editions.length > 0 ? editions.map((e) => e.title).join(' + ') : 'as loaded in the warehouse';
}
