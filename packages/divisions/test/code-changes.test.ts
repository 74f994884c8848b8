import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { DIVISION_LEVELS, levelOfCode } from '@govstats/schemas';
import { DivisionCatalogue, codePrefix, nationalCatalogue, type Division } from '../src/index.ts';
import type { CodeChange } from '../src/code-changes/code-change.ts';
import { composeCodeChanges } from '../src/code-changes/compose-code-changes.ts';
import { deriveCodeChanges } from '../src/code-changes/derive-code-changes.ts';
import { matchAncestorsInNewest } from '../src/code-changes/match-in-newest.ts';
import { deriveRelocatedCodes } from '../src/code-changes/relocated-codes.ts';
import { codeChangesFile, CODE_CHANGES_DATA_DIR, loadCodeChanges, readCodeChangesCsv } from '../src/code-changes/code-change-table.ts';
import { PlaceIndex } from '../src/place-index.ts';
import { placeNameKeys } from '../src/code-changes/place-names.ts';

/** A catalogue from `code name` lines; codes of 2–12 digits are padded to 12. */
function catalogue(...lines: string[]): DivisionCatalogue {
  return DivisionCatalogue.from(
    lines.map((line): Division => {
      const [digits, name] = line.split(' ') as [string, string];
      const code = digits.padEnd(12, '0');
      return { code, name, level: levelOfCode(code)! };
    }),
  );
}

const PAIR = { older: 'e1', newer: 'e2' };

/** The significant digits of a code: 140404000000 → 140404. */
const short = (code: string): string => codePrefix(code, levelOfCode(code)!);

/** retired code → [current code, method], for compact expectations. */
function summary(changes: CodeChange[]): Record<string, [string, string]> {
  return Object.fromEntries(changes.map((c) => [short(c.retiredCode), [short(c.currentCode), c.method]]));
}

const PROVINCE_AND_CITY = ['14 山西省', '1404 长治市'];

describe('place name keys', () => {
  it('agree across the wordings editions use for one place', () => {
    expect(placeNameKeys('东华村村委会', 'village').strict).toBe(placeNameKeys('东华村民委员会', 'village').strict);
    expect(placeNameKeys('河口社区居委会', 'village').strict).toBe(placeNameKeys('河口社区居民委员会', 'village').strict);
    expect(placeNameKeys('河口村委会', 'village').strict).not.toBe(placeNameKeys('河口社区居委会', 'village').strict);
    expect(placeNameKeys('河口村委会', 'village').loose).toBe(placeNameKeys('河口社区居委会', 'village').loose);
    expect(placeNameKeys('凤城街道办事处', 'township').strict).toBe(placeNameKeys('凤城街道', 'township').strict);
    expect(placeNameKeys('韩店镇', 'township').loose).toBe(placeNameKeys('韩店街道', 'township').loose);
    expect(placeNameKeys('湾坝彝族乡', 'township').loose).toBe(placeNameKeys('湾坝镇', 'township').loose);
    expect(placeNameKeys('屯留县', 'county').loose).toBe(placeNameKeys('屯留区', 'county').loose);
  });

  it('keep one-character village names (新村 is a village called 新)', () => {
    expect(placeNameKeys('新村村委会', 'village').strict).toBe('village:新');
    expect(placeNameKeys('新村民委员会', 'village').strict).toBe('village:新');
  });
});

describe('deriveCodeChanges', () => {
  it('finds a renumbered township and its villages by name, allowing for 镇→街道 and committee wording', () => {
    const older = catalogue(
      ...PROVINCE_AND_CITY,
      '140404 上党区',
      '140404100 韩店镇',
      '140404100200 城村村委会',
      '140404100201 东岭村委会',
    );
    const newer = catalogue(
      ...PROVINCE_AND_CITY,
      '140404 上党区',
      '140404001 韩店街道',
      '140404001200 城村村民委员会',
      '140404001201 东岭社区居委会',
    );
    expect(summary(deriveCodeChanges(older, newer, PAIR))).toEqual({
      '140404100': ['140404001', 'same_name'],
      '140404100200': ['140404001200', 'same_name'],
      '140404100201': ['140404001201', 'same_name'],
    });
  });

  it('finds a renamed county by where most of its townships went, and its townships under it by name', () => {
    const older = catalogue(
      ...PROVINCE_AND_CITY,
      '140402 城区',
      '140402001 东街街道',
      '140421 长治县',
      '140421100 韩店镇',
      '140421101 苏店镇',
      '140421102 荫城镇',
    );
    const newer = catalogue(
      ...PROVINCE_AND_CITY,
      '140402 城区',
      '140402001 东街街道',
      '140404 上党区',
      '140404001 韩店街道',
      '140404101 苏店镇',
      '140404102 荫城镇',
    );
    const changes = deriveCodeChanges(older, newer, PAIR);
    expect(summary(changes)).toEqual({
      '140421': ['140404', 'children'],
      '140421100': ['140404001', 'same_name'],
      '140421101': ['140404101', 'same_name'],
      '140421102': ['140404102', 'same_name'],
    });
    expect(changes[0]).toEqual({
      retiredCode: '140421000000',
      retiredName: '长治县',
      retiredLevel: 'county',
      currentCode: '140404000000',
      currentName: '上党区',
      currentLevel: 'county',
      method: 'children',
      retiredIn: 'e2',
    });
  });

  it('counts a merged village under its township, never under a guessed village', () => {
    const older = catalogue(
      ...PROVINCE_AND_CITY,
      '140404 上党区',
      '140404101 苏店镇',
      '140404101200 苏店村委会',
      '140404101201 西村村委会',
    );
    const newer = catalogue(
      ...PROVINCE_AND_CITY,
      '140404 上党区',
      '140404101 苏店镇',
      '140404101200 苏店村委会',
      '140404101202 西沟村委会',
    );
    expect(summary(deriveCodeChanges(older, newer, PAIR))).toEqual({ '140404101201': ['140404101', 'ancestor'] });
  });

  it('falls back to the ancestor when a name matches more than one place', () => {
    const older = catalogue(...PROVINCE_AND_CITY, '140404 上党区', '140404101 苏店镇', '140404101001 河口居委会');
    const newer = catalogue(
      ...PROVINCE_AND_CITY,
      '140404 上党区',
      '140404101 苏店镇',
      '140404101200 河口村委会',
      '140404101201 河口村民委员会',
    );
    expect(summary(deriveCodeChanges(older, newer, PAIR))).toEqual({ '140404101001': ['140404101', 'ancestor'] });
  });

  it('maps the villages of a retired township without successor to the county', () => {
    const older = catalogue(...PROVINCE_AND_CITY, '140404 上党区', '140404105 贾掌镇', '140404105200 贾掌村委会', '140404101 苏店镇');
    const newer = catalogue(...PROVINCE_AND_CITY, '140404 上党区', '140404101 苏店镇');
    expect(summary(deriveCodeChanges(older, newer, PAIR))).toEqual({
      '140404105': ['140404', 'ancestor'],
      '140404105200': ['140404', 'ancestor'],
    });
  });

  it('follows a township handed to the neighbouring county when its name is new there and nowhere else', () => {
    const older = catalogue(...PROVINCE_AND_CITY, '140403 潞州区', '140404 上党区', '140404102 荫城镇', '140404102200 荫城村委会');
    const newer = catalogue(...PROVINCE_AND_CITY, '140403 潞州区', '140403105 荫城镇', '140403105200 荫城村委会', '140404 上党区');
    expect(summary(deriveCodeChanges(older, newer, PAIR))).toEqual({
      '140404102': ['140403105', 'moved'],
      '140404102200': ['140403105200', 'same_name'],
    });
  });
});

describe('composeCodeChanges', () => {
  const e1 = catalogue(
    ...PROVINCE_AND_CITY,
    '140421 长治县',
    '140421100 韩店镇',
    '140421100200 城村村委会',
    '140421101 苏店镇',
    '140421102 荫城镇',
  );
  const e2 = catalogue(
    ...PROVINCE_AND_CITY,
    '140404 上党区',
    '140404100 韩店镇',
    '140404100200 城村村委会',
    '140404101 苏店镇',
    '140404102 荫城镇',
  );
  // 韩店镇 becomes a 街道 with a new code; 城村 is merged away; 140421 and 140421101 are reused.
  const e3 = catalogue(
    ...PROVINCE_AND_CITY,
    '140404 上党区',
    '140404001 韩店街道',
    '140404101 苏店镇',
    '140404102 荫城镇',
    '140421 新县',
    '140421101 新乡',
  );
  const steps = [deriveCodeChanges(e1, e2, { older: 'e1', newer: 'e2' }), deriveCodeChanges(e2, e3, { older: 'e2', newer: 'e3' })];
  const table = composeCodeChanges(steps, e3);
  const byCode = new Map(table.map((c) => [c.retiredCode, c]));

  it('chains a code through every later change to a place of the newest edition', () => {
    expect(byCode.get('140421100000')).toMatchObject({
      retiredName: '韩店镇',
      currentCode: '140404001000',
      currentName: '韩店街道',
      method: 'same_name',
      retiredIn: 'e2',
    });
    expect(byCode.get('140404100000')).toMatchObject({ currentCode: '140404001000', method: 'same_name', retiredIn: 'e3' });
    expect(byCode.get('140421102000')).toMatchObject({ currentCode: '140404102000', method: 'same_name', retiredIn: 'e2' });
    for (const change of table) expect(e3.has(change.currentCode)).toBe(true);
  });

  it('is only as sure as its weakest link', () => {
    // e1 → e2 by name, e2 → e3 merged into its township.
    expect(byCode.get('140421100200')).toMatchObject({ currentCode: '140404001000', method: 'ancestor', retiredIn: 'e2' });
  });

  it('leaves out codes the newest edition lists again for another place', () => {
    expect(byCode.has('140421000000')).toBe(false);
    expect(byCode.has('140421101000')).toBe(false);
    expect(table.every((c) => !e3.has(c.retiredCode))).toBe(true);
  });

  it('keeps the latest retirement of a code retired, reused and retired again', () => {
    const e4 = catalogue(
      ...PROVINCE_AND_CITY,
      '140404 上党区',
      '140404001 韩店街道',
      '140404101 苏店镇',
      '140404102 荫城镇',
      '140405 新区',
      '140405201 新乡',
    );
    const again = new Map(
      composeCodeChanges([...steps, deriveCodeChanges(e3, e4, { older: 'e3', newer: 'e4' })], e4).map((c) => [c.retiredCode, c]),
    );
    expect(again.get('140421000000')).toMatchObject({
      retiredName: '新县',
      currentCode: '140405000000',
      method: 'children',
      retiredIn: 'e4',
    });
    expect(again.get('140421101000')).toMatchObject({
      retiredName: '新乡',
      currentCode: '140405201000',
      method: 'same_name',
      retiredIn: 'e4',
    });
  });
});

describe('codes given to another place', () => {
  // 232701 was 加格达奇区 until NBS 2017; in 2018 it is 漠河市 and 加格达奇区 is 232761.
  const e1 = catalogue('23 黑龙江省', '2327 大兴安岭地区', '232701 加格达奇区', '232701001 东山街道', '232701002 卫东街道');
  const e2 = catalogue('23 黑龙江省', '2327 大兴安岭地区', '232701 加格达奇区', '232701002 卫东街道');
  const e3 = catalogue('23 黑龙江省', '2327 大兴安岭地区', '232701 漠河市', '232761 加格达奇区', '232761002 卫东街道');

  it('are found by the old name on a new code under the same parent', () => {
    expect(deriveRelocatedCodes(e2, e3)).toEqual(new Map([['232701000000', '232761000000']]));
    expect(deriveRelocatedCodes(e1, e2)).toEqual(new Map());
  });

  it('are followed by chains that reached them, and are not in the table themselves', () => {
    const steps = [deriveCodeChanges(e1, e2, { older: 'e1', newer: 'e2' }), deriveCodeChanges(e2, e3, { older: 'e2', newer: 'e3' })];
    const table = composeCodeChanges(steps, e3, [deriveRelocatedCodes(e1, e2), deriveRelocatedCodes(e2, e3)]);
    expect(summary(table)).toEqual({
      '232701001': ['232761', 'ancestor'],
      '232701002': ['232761002', 'moved'],
    });
    expect(summary(composeCodeChanges(steps, e3))['232701001']).toEqual(['232701', 'ancestor']);
  });
});

describe('matchAncestorsInNewest', () => {
  it('points a fallback at a place of the same name listed again under that ancestor', () => {
    const newest = catalogue(
      ...PROVINCE_AND_CITY,
      '140404 上党区',
      '140404101 苏店镇',
      '140404101230 西村村民委员会',
      '140404101231 东村村委会',
      '140404101232 东社区居委会',
      '140404101233 北村村委会',
      '140404101234 北村民委员会',
    );
    const fallback = (code: string, name: string): CodeChange => ({
      retiredCode: code,
      retiredName: name,
      retiredLevel: 'village',
      currentCode: '140404101000',
      currentName: '苏店镇',
      currentLevel: 'township',
      method: 'ancestor',
      retiredIn: 'e2',
    });
    const table = matchAncestorsInNewest(
      [
        fallback('140421101201', '西村村委会'),
        fallback('140421101202', '东村委会'),
        fallback('140421101203', '南村村委会'),
        fallback('140421101204', '北社区居委会'),
      ],
      newest,
    );
    expect(summary(table)).toEqual({
      '140421101201': ['140404101230', 'same_name_in_newest'],
      // The village 东 over the community 东: the strict key keeps the kind.
      '140421101202': ['140404101231', 'same_name_in_newest'],
      '140421101203': ['140404101', 'ancestor'],
      // No community 北, and two villages 北: ambiguous, so the fallback stays.
      '140421101204': ['140404101', 'ancestor'],
    });
  });
});

describe('the committed code-change table', () => {
  const table = loadCodeChanges();
  const national = nationalCatalogue();

  it('matches its recorded sha256', () => {
    expect(() => readCodeChangesCsv()).not.toThrow();
  });

  it('refuses a table that does not match its checksum, naming the file and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'code-changes-'));
    copyFileSync(join(CODE_CHANGES_DATA_DIR, 'code-changes.sha256'), join(dir, 'code-changes.sha256'));
    const csv = readCodeChangesCsv().replace('140421101000,140404101000,', '140421101000,140404102000,');
    writeFileSync(join(dir, 'code-changes.csv'), csv);
    expect(() => loadCodeChanges(dir)).toThrow(
      /code-changes\.csv: sha256 .* re-run `npx tsx packages\/divisions\/scripts\/derive-code-changes\.ts`/i,
    );
  });

  it('maps 长治县 and its townships and villages to 上党区', () => {
    expect(table.get('140421000000')).toMatchObject({ currentCode: '140404000000', currentName: '上党区', retiredIn: 'nbs-2018' });
    expect(table.get('140421101000')).toMatchObject({ retiredName: '苏店镇', currentCode: '140404101000', method: 'same_name' });
    expect(table.get('140421100000')).toMatchObject({ retiredName: '韩店镇', currentCode: '140404001000', currentName: '韩店街道' });
    const villages = [...table.values()].filter((c) => c.retiredCode.startsWith('140421') && c.retiredLevel === 'village');
    expect(villages.length).toBeGreaterThan(100);
    expect(villages.every((c) => c.currentCode.startsWith('140404'))).toBe(true);
    expect(villages.some((c) => c.method === 'same_name' && c.currentLevel === 'village')).toBe(true);
  });

  it('maps 莱芜市 (merged into 济南市 in 2019) and its districts', () => {
    expect(table.get('371200000000')).toMatchObject({ currentCode: '370100000000', method: 'children', retiredIn: 'nbs-2019' });
    expect(table.get('371202000000')).toMatchObject({ currentCode: '370116000000', currentName: '莱芜区' });
    expect(table.get('371203000000')).toMatchObject({ currentCode: '370117000000', currentName: '钢城区', method: 'same_name' });
  });

  it('points every retired code at a place of the 2023 edition, and lists no code that edition still has', () => {
    const wrong = [...table.values()].filter(
      (c) => !national.has(c.currentCode) || national.has(c.retiredCode) || national.get(c.currentCode)!.name !== c.currentName,
    );
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(table.size).toBeGreaterThan(100_000);
  });

  it('stays at the same level unless it fell back to an ancestor', () => {
    const depth = (c: CodeChange, side: 'retiredLevel' | 'currentLevel'): number => DIVISION_LEVELS.indexOf(c[side]);
    const wrong = [...table.values()].filter((c) =>
      c.method === 'ancestor' ? depth(c, 'currentLevel') >= depth(c, 'retiredLevel') : c.currentLevel !== c.retiredLevel,
    );
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('places codes as ingest does: listed codes as they are, retired codes under their successor', () => {
    const builder = PlaceIndex.builder();
    for (const place of national) builder.addPlace(place);
    for (const change of table.values()) builder.addChange(change.retiredCode, change.currentCode);
    const places = builder.build();
    expect(places.resolve('140404101000')).toEqual({ code: '140404101000', level: 'township', area: '' });
    expect(places.resolve('140421101000')).toEqual({ code: '140404101000', level: 'township', area: '', retiredCode: '140421101000' });
    expect(places.resolve('999999999999')).toBeUndefined();
    expect(places.retiredCodes).toBe(table.size);
  });
});

// Re-derives the table from the npm tarballs (about 175 MB to fetch once, then about a minute).
describe.skipIf(process.env.GOVSTATS_VERIFY_SOURCES !== '1')('the committed table against its sources', () => {
  it('is rebuilt byte for byte by the script', () => {
    const out = mkdtempSync(join(tmpdir(), 'code-changes-'));
    const repo = resolve(CODE_CHANGES_DATA_DIR, '../../..');
    execFileSync('npx', ['tsx', 'packages/divisions/scripts/derive-code-changes.ts', '--out', out], { cwd: repo, stdio: 'ignore' });
    const uncompressed = (path: string): Buffer => (path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path));
    expect(uncompressed(codeChangesFile(out)).equals(uncompressed(codeChangesFile()))).toBe(true);
    expect(readFileSync(join(out, 'code-changes.sha256'), 'utf8')).toBe(
      readFileSync(join(CODE_CHANGES_DATA_DIR, 'code-changes.sha256'), 'utf8'),
    );
  }, 600_000);
});
