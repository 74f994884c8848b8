import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DIVISION_LEVELS, levelOfCode } from '@govstats/schemas';
import { withArea, type Division } from '../division.ts';

/** Header names accepted for each column: ours, and those of the NBS table as commonly exported. */
const HEADERS = {
  code: ['code', '统计用区划代码', '区划代码', '代码'],
  name: ['name', '名称', '单位名称'],
  urbanRuralCode: ['urban_rural_code', '城乡分类代码', '城乡分类'],
};

/**
 * A user's own division table as CSV (UTF-8, header row): a code and a name per place, and
 * optionally the NBS 城乡分类代码, e.g. a province's table exported from the NBS site. Levels come
 * from the codes (12 digits, or the significant digits only: 4419 → 441900000000). Every problem
 * is reported with its line, and nothing is loaded when there is one.
 */
export function readUserCsv(path: string): Division[] {
  let records: string[][];
  try {
    records = parse(readFileSync(path), { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    throw new Error(`${path}: not readable as CSV: ${(error as Error).message}`, { cause: error });
  }
  const [header = [], ...rows] = records;
  const column = (names: string[]) => header.findIndex((h) => names.includes(h.toLowerCase()));
  const at = { code: column(HEADERS.code), name: column(HEADERS.name), urbanRuralCode: column(HEADERS.urbanRuralCode) };
  if (at.code < 0 || at.name < 0) {
    throw new Error(
      `${path}: the header must name a code column (${HEADERS.code.join(' / ')}) and a name column (${HEADERS.name.join(' / ')}); found: ${header.join(', ')}`,
    );
  }
  const problems: string[] = [];
  const divisions: Division[] = [];
  rows.forEach((row, i) => {
    const line = i + 2;
    const raw = row[at.code] ?? '';
    const code = /^\d{2,12}$/.test(raw) ? raw.padEnd(12, '0') : raw;
    const level = levelOfCode(code);
    const name = row[at.name] ?? '';
    const urbanRuralCode = at.urbanRuralCode >= 0 ? (row[at.urbanRuralCode] ?? '') : '';
    if (!level) return void problems.push(`line ${line}: "${raw}" is not a statistical division code`);
    if (!name || name.length > 100) return void problems.push(`line ${line}: ${code} needs a name of at most 100 characters`);
    if (urbanRuralCode && level !== 'village')
      return void problems.push(`line ${line}: ${code} is a ${level}; only villages and communities have a 城乡分类代码`);
    try {
      divisions.push(withArea({ code, name, level, ...(urbanRuralCode ? { urbanRuralCode } : {}) }));
    } catch (error) {
      problems.push(`line ${line}: ${(error as Error).message}`);
    }
  });
  if (problems.length > 0) {
    throw new Error(
      `${path}: ${problems.length} rows cannot be loaded:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`,
    );
  }
  const order = (d: Division) => DIVISION_LEVELS.indexOf(d.level);
  return divisions.sort((a, b) => order(a) - order(b) || a.code.localeCompare(b.code));
}
