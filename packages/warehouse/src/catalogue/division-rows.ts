import { DIVISION_LEVELS, PREFIX_LENGTH, ancestorCode } from '@govstats/schemas';
import { shortenName, type Division } from '@govstats/divisions';

/** Columns of the divisions table a load writes, in this order. */
export const DIVISION_COLUMNS = [
  'code',
  'name',
  'short_name',
  'level',
  'parent_code',
  'area',
  'urban_rural_code',
  'area_source',
  'edition',
  'retired',
];

/**
 * The place directly above by code: a township's county, a county's city. Where a city has no
 * counties (东莞 4419) its townships' county prefix pads to the city's own code, which is right.
 */
export function parentCode(division: Pick<Division, 'code' | 'level'>): string {
  const above = DIVISION_LEVELS[DIVISION_LEVELS.indexOf(division.level) - 1];
  return above && PREFIX_LENGTH[above] < PREFIX_LENGTH[division.level] ? ancestorCode(division.code, above) : '';
}

/** One divisions-table row, as insertRows sends it with DIVISION_COLUMNS. */
export function divisionRow(division: Division, edition: string, retired = false): Record<string, unknown> {
  return {
    code: division.code,
    name: division.name,
    short_name: shortenName(division.name),
    level: division.level,
    parent_code: parentCode(division),
    area: division.area ?? '',
    urban_rural_code: division.urbanRuralCode ?? '',
    area_source: division.areaSource ?? '',
    edition,
    retired: retired ? 1 : 0,
  };
}
