import { DivisionCatalogue, PlaceIndex, type Area, type AreaSource, type Division } from '@govstats/divisions';
import type { DivisionLevel } from '@govstats/schemas';
import { queryRows, queryText, type Store } from '@govstats/store';
import { CURRENT_DIVISIONS } from './latest-divisions.ts';

/** The catalogue as loaded in the warehouse now (every edition and overlay applied), for comparing editions. */
export async function currentCatalogue(store: Store): Promise<DivisionCatalogue> {
  const tsv = await queryText(
    store.client,
    `SELECT code, name, level, area, urban_rural_code, area_source FROM ${CURRENT_DIVISIONS} ORDER BY code`,
  );
  function* rows(): Generator<Division> {
    for (const line of tsv.split('\n')) {
      if (!line) continue;
      const [code, name, level, area, urbanRuralCode, areaSource] = line.split('\t') as [
        string,
        string,
        DivisionLevel,
        string,
        string,
        string,
      ];
      const division: Division = { code, name, level };
      if (area) division.area = area as Area;
      if (urbanRuralCode) division.urbanRuralCode = urbanRuralCode;
      if (areaSource) division.areaSource = areaSource as AreaSource;
      yield division;
    }
  }
  return DivisionCatalogue.from(rows());
}

/** What ingest needs to place events: current codes with level and area, and retired codes' successors. */
export async function loadPlaceIndex(store: Store): Promise<PlaceIndex> {
  const builder = PlaceIndex.builder();
  // A province at a time: the engine runs inside the consumer when embedded, and one query for
  // all 665k places cost it ~140 MB of memory against ~75 MB in these pieces (measured).
  const provinces = await queryRows<{ p: string }>(store.client, 'SELECT DISTINCT substring(code, 1, 2) AS p FROM divisions ORDER BY p');
  for (const { p } of provinces) {
    const range = { from: p.padEnd(12, '0'), to: p.padEnd(12, '9') };
    builder.addPlaces(
      await queryText(
        store.client,
        'SELECT code, level, area FROM divisions FINAL WHERE code BETWEEN {from:String} AND {to:String} AND retired = 0',
        'TabSeparated',
        range,
      ),
    );
  }
  builder.addChanges(await queryText(store.client, 'SELECT retired_code, current_code FROM division_code_changes FINAL'));
  return builder.build();
}

/** Changes whenever a load touches the catalogue: ingest reloads its index only then. */
export async function catalogueVersion(store: Store): Promise<string> {
  const [row] = await queryRows<{ version: string }>(
    store.client,
    `SELECT concat(toString((SELECT count() FROM divisions)), '/', toString((SELECT max(updated_at) FROM divisions)), '/',
  toString((SELECT count() FROM division_code_changes)), '/', toString((SELECT max(updated_at) FROM division_code_changes))) AS version`,
  );
  return row?.version ?? '';
}
