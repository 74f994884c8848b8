import { DIVISION_LEVELS, PREFIX_LENGTH, ancestorCode, levelOfCode, type DivisionLevel } from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { CURRENT_DIVISIONS } from './latest-divisions.ts';

export interface PlaceRow {
  code: string;
  name: string;
  level: DivisionLevel;
  /** urban / rural for village-level places, '' above. */
  area: string;
  /** nbs when the area came from the 城乡分类代码, code when derived from the code digits. */
  areaSource: string;
  edition: string;
  /** Names of the places above, province first. */
  path: string[];
}

async function namesOf(store: Store, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await queryRows<{ code: string; name: string }>(
    store.client,
    `SELECT code, name FROM ${CURRENT_DIVISIONS} WHERE code IN {codes:Array(String)}`,
    { codes },
  );
  return new Map(rows.map((r) => [r.code, r.name]));
}

function ancestors(code: string, level: DivisionLevel): string[] {
  return DIVISION_LEVELS.slice(0, DIVISION_LEVELS.indexOf(level))
    .map((above) => ancestorCode(code, above))
    .filter((above, i, all) => above !== code && all.indexOf(above) === i);
}

async function withPaths(store: Store, rows: Record<string, string>[]): Promise<PlaceRow[]> {
  const names = await namesOf(store, [...new Set(rows.flatMap((r) => ancestors(r.code!, r.level as DivisionLevel)))]);
  return rows.map((r) => ({
    code: r.code!,
    name: r.name!,
    level: r.level as DivisionLevel,
    area: r.area!,
    areaSource: r.area_source!,
    edition: r.edition!,
    path: ancestors(r.code!, r.level as DivisionLevel).map((c) => names.get(c) ?? c),
  }));
}

/** Places whose name contains `text`, or whose code starts with it, in the loaded catalogue. */
export async function searchDivisions(
  store: Store,
  text: string,
  options: { level?: DivisionLevel; limit?: number } = {},
): Promise<PlaceRow[]> {
  const rows = await queryRows<Record<string, string>>(
    store.client,
    `SELECT code, name, level, area, area_source, edition FROM ${CURRENT_DIVISIONS}
WHERE (positionUTF8(name, {text:String}) > 0 OR startsWith(code, {text:String})) AND ({level:String} = '' OR level = {level:String})
ORDER BY code LIMIT {limit:UInt32}`,
    { text, level: options.level ?? '', limit: options.limit ?? 50 },
  );
  return withPaths(store, rows);
}

export interface SubtreeCounts {
  place: PlaceRow;
  /** Places under it by level; villages also by area and where the area came from. */
  counts: { level: DivisionLevel; area: string; areaSource: string; places: number }[];
  /** The places directly under it, with how many villages and communities each holds. */
  children: (PlaceRow & { villages: number; urban: number; rural: number })[];
  /** Retired codes whose events are counted under this place or a place under it. */
  retiredCodes: number;
}

/** A place of the loaded catalogue with everything under it counted by kind; undefined when unknown. */
export async function divisionSubtree(store: Store, code: string): Promise<SubtreeCounts | undefined> {
  const [place] = await withPaths(
    store,
    await queryRows<Record<string, string>>(
      store.client,
      `SELECT code, name, level, area, area_source, edition FROM ${CURRENT_DIVISIONS} WHERE code = {code:String}`,
      { code },
    ),
  );
  if (!place) return undefined;
  const prefix = code.slice(0, PREFIX_LENGTH[place.level]);
  const counts = await queryRows<{ level: DivisionLevel; area: string; area_source: string; n: string }>(
    store.client,
    `SELECT level, area, area_source, count() AS n FROM ${CURRENT_DIVISIONS} WHERE startsWith(code, {prefix:String}) AND code != {code:String}
GROUP BY level, area, area_source ORDER BY indexOf(['province', 'city', 'county', 'township', 'village'], level), area, area_source`,
    { prefix, code },
  );
  const below = DIVISION_LEVELS[DIVISION_LEVELS.indexOf(place.level) + 1];
  const childRows = below
    ? await queryRows<Record<string, string>>(
        store.client,
        `SELECT code, name, level, area, area_source, edition FROM ${CURRENT_DIVISIONS}
WHERE startsWith(code, {prefix:String}) AND code != {code:String} AND level IN {levels:Array(String)} ORDER BY code`,
        // A city without counties (东莞) has townships right under it.
        { prefix, code, levels: place.level === 'city' ? ['county', 'township'] : [below] },
      )
    : [];
  const direct = childRows.filter(
    (c) => place.level !== 'city' || c.level === 'county' || levelOfCode(ancestorCode(c.code!, 'county')) === 'city',
  );
  const byTownship = await queryRows<{ township: string; area: string; n: string }>(
    store.client,
    `SELECT substring(code, 1, 9) AS township, area, count() AS n FROM ${CURRENT_DIVISIONS}
WHERE startsWith(code, {prefix:String}) AND level = 'village' GROUP BY township, area`,
    { prefix },
  );
  const villagesOf = (childPrefix: string, area?: string) =>
    byTownship.filter((v) => v.township.startsWith(childPrefix) && (!area || v.area === area)).reduce((n, v) => n + Number(v.n), 0);
  const [retired] = await queryRows<{ n: string }>(
    store.client,
    'SELECT count() AS n FROM division_code_changes FINAL WHERE startsWith(current_code, {prefix:String})',
    { prefix },
  );
  return {
    place,
    counts: counts.map((c) => ({ level: c.level, area: c.area, areaSource: c.area_source, places: Number(c.n) })),
    children: (await withPaths(store, direct)).map((child) => {
      const childPrefix = child.code.slice(0, PREFIX_LENGTH[child.level]);
      return {
        ...child,
        villages: villagesOf(childPrefix),
        urban: villagesOf(childPrefix, 'urban'),
        rural: villagesOf(childPrefix, 'rural'),
      };
    }),
    retiredCodes: Number(retired?.n ?? 0),
  };
}
