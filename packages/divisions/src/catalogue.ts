import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIVISION_LEVELS, levelOfCode, type DivisionLevel } from '@govstats/schemas';

/** A place in the statistical division table (统计用区划代码, 2023 edition; see data/SOURCES.md). */
export interface Division {
  code: string;
  /** Official name as in the table, e.g. 城村村委会. */
  name: string;
  /** Name as a bulletin prints it, e.g. 城村. */
  shortName: string;
  level: DivisionLevel;
  parentCode: string;
}

const CATALOGUE_FILE = join(import.meta.dirname, '..', 'data', 'divisions.csv');

let cached: Division[] | undefined;

/** The places govstats knows, read once from data/divisions.csv and checked row by row. */
export function divisionCatalogue(): Division[] {
  cached ??= parseCatalogue(readFileSync(CATALOGUE_FILE, 'utf8'), CATALOGUE_FILE);
  return cached;
}

export function parseCatalogue(csv: string, origin: string): Division[] {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  if (header !== 'code,name,level,parent_code') {
    throw new Error(`${origin}: expected header "code,name,level,parent_code", found "${header}"`);
  }
  return lines.map((line, index) => {
    const [code = '', name = '', level = '', parentCode = ''] = line.split(',');
    const where = `${origin} line ${index + 2}`;
    if (!(DIVISION_LEVELS as readonly string[]).includes(level)) throw new Error(`${where}: unknown level "${level}"`);
    if (levelOfCode(code) !== level) throw new Error(`${where}: code ${code} is not a ${level} code`);
    if (level !== 'province' && !/^\d{12}$/.test(parentCode)) throw new Error(`${where}: missing parent code`);
    return { code, name, shortName: shortenName(name), level: level as DivisionLevel, parentCode };
  });
}

/** Drops the administrative suffix of village committees: 城村村委会 → 城村, 河口社区居委会 → 河口社区. */
export function shortenName(name: string): string {
  return name.replace(/(村民委员会|居民委员会|村委会|居委会)$/, '') || name;
}
