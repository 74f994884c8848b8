import type { DivisionLevel } from '@govstats/schemas';

/**
 * Urban or rural, for village-level places (communities and villages). Places above the village
 * level have neither: a township or county is not urban or rural as a whole.
 */
export type Area = 'urban' | 'rural';

/** Where a village-level place's area came from: the NBS 城乡分类代码, or the code's own digits. */
export type AreaSource = 'nbs' | 'code';

/** A place in a statistical division table (统计用区划代码). */
export interface Division {
  code: string;
  /** Official name as in the table, e.g. 城村村委会. */
  name: string;
  level: DivisionLevel;
  /** Village-level places only. */
  area?: Area;
  /** NBS 城乡分类代码 (111 … 220) when the loaded table carries it. */
  urbanRuralCode?: string;
  areaSource?: AreaSource;
}

/** Drops the administrative suffix of village committees: 城村村委会 → 城村, 河口社区居委会 → 河口社区. */
export function shortenName(name: string): string {
  return name.replace(/(村民委员会|居民委员会|村委会|居委会)$/, '') || name;
}

/**
 * The area a village-level code implies by its last three digits (NBS coding rules):
 * 001–199 居委会 and 400–499 类似居委会 are urban, 200–399 村委会 and 500–599 类似村委会 rural.
 */
export function areaFromCode(code: string): Area | undefined {
  const n = Number(code.slice(9));
  if (!/^\d{12}$/.test(code) || n === 0 || n >= 600) return undefined;
  return n < 200 || (n >= 400 && n < 500) ? 'urban' : 'rural';
}

/** NBS 城乡分类代码: 1xx urban (111 主城区 … 123 特殊区域), 2xx rural (210 乡中心区, 220 村庄). */
export const URBAN_RURAL_CODES: Record<string, string> = {
  '111': '主城区',
  '112': '城乡结合区',
  '121': '镇中心区',
  '122': '镇乡结合区',
  '123': '特殊区域',
  '210': '乡中心区',
  '220': '村庄',
};

export function areaFromUrbanRuralCode(urbanRuralCode: string): Area | undefined {
  if (!(urbanRuralCode in URBAN_RURAL_CODES)) return undefined;
  return urbanRuralCode.startsWith('1') ? 'urban' : 'rural';
}

/** A village-level division with its area settled: from the NBS code when given, else from its own code. */
export function withArea(division: Division): Division {
  if (division.level !== 'village') return { code: division.code, name: division.name, level: division.level };
  if (division.urbanRuralCode) {
    const area = areaFromUrbanRuralCode(division.urbanRuralCode);
    if (!area)
      throw new Error(
        `${division.code}: 城乡分类代码 ${division.urbanRuralCode} is not one of ${Object.keys(URBAN_RURAL_CODES).join(', ')}`,
      );
    return { ...division, area, areaSource: 'nbs' };
  }
  const area = areaFromCode(division.code);
  if (!area) throw new Error(`${division.code}: last three digits ${division.code.slice(9)} are outside the village ranges 001–599`);
  return { ...division, area, areaSource: 'code' };
}
