import type { DivisionLevel } from '@govstats/schemas';

/**
 * Keys for comparing place names across editions of the NBS table, whose wording drifts while the
 * place stays: 韩店镇 → 韩店街道, 东华村村委会 → 东华村民委员会, 河口村委会 → 河口社区居委会.
 *
 * - `strict`: the name with its committee or office wording made uniform but its kind kept
 *   (village, community, 镇, 乡, 街道 …): 东华村村委会 and 东华村民委员会 agree, 东华社区 does not.
 * - `loose`: the bare place name without any kind: 韩店镇, 韩店街道 and 韩店乡 agree, and so do a
 *   village and the community it became.
 */
export interface PlaceNameKeys {
  strict: string;
  loose: string;
}

/** The 55 recognised minorities, longest first, as they appear in 民族乡 and 自治县 names. */
const MINORITIES = [
  '柯尔克孜族',
  '乌孜别克族',
  '鄂温克族',
  '鄂伦春族',
  '达斡尔族',
  '哈萨克族',
  '塔吉克族',
  '俄罗斯族',
  '塔塔尔族',
  '蒙古族',
  '土家族',
  '布依族',
  '朝鲜族',
  '哈尼族',
  '傈僳族',
  '拉祜族',
  '东乡族',
  '纳西族',
  '景颇族',
  '仫佬族',
  '布朗族',
  '撒拉族',
  '毛南族',
  '仡佬族',
  '锡伯族',
  '阿昌族',
  '普米族',
  '德昂族',
  '保安族',
  '裕固族',
  '独龙族',
  '赫哲族',
  '门巴族',
  '珞巴族',
  '基诺族',
  '高山族',
  '维吾尔族',
  '回族',
  '藏族',
  '苗族',
  '彝族',
  '壮族',
  '满族',
  '侗族',
  '瑶族',
  '白族',
  '傣族',
  '黎族',
  '佤族',
  '畲族',
  '水族',
  '土族',
  '羌族',
  '怒族',
  '京族',
];
const MINORITY_RUN = new RegExp(`(?:${MINORITIES.join('|')})+$`);

/** Full-width brackets and stray spaces vary between editions; the names themselves do not. */
function clean(name: string): string {
  return name.replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, '');
}

/** Removes `suffix` when enough is left to still name a place (新村 is a village called 新). */
function strip(name: string, suffix: RegExp, keep = 2): string {
  const stripped = name.replace(suffix, '');
  return stripped.length >= keep ? stripped : name;
}

/**
 * A village-level name as kind + bare name. NBS writes the same village as 东华村村委会 (2016: the
 * committee of 东华村) and 东华村民委员会 (2023: 村 shared with 村民), so the committee wording goes
 * first and a trailing 村 after it.
 */
function villageKeys(name: string): PlaceNameKeys {
  const committees: [RegExp, string][] = [
    [/(社区居民委员会|社区居委会|居民委员会|居委会|社区)$/, 'community'],
    [/(嘎查村民委员会|嘎查村委会|嘎查委员会|嘎查)$/, 'village'],
    [/(村民委员会)$/, 'village'],
    [/(村委会|牧民委员会|牧委会|委员会)$/, 'village'],
  ];
  for (const [suffix, kind] of committees) {
    if (!suffix.test(name)) continue;
    let bare = strip(name, suffix, 1);
    if (bare === name) continue;
    // 东华村村委会 → 东华村 → 东华; 东华村民委员会 → 东华 already.
    if (kind === 'village') bare = strip(bare, /(村|嘎查)$/, 1);
    if (kind === 'community') bare = strip(bare, /社区$/, 1);
    return { strict: `${kind}:${bare}`, loose: strip(bare, /(村|社区)$/, 1) };
  }
  return { strict: name, loose: name };
}

/** 街道办事处, 街道 and 办事处 are one kind (a sub-district); 镇, 乡 and 苏木 stay distinct in `strict`. */
function townshipKeys(name: string): PlaceNameKeys {
  const subDistrict = /(街道办事处|街办事处|街道办|街道|办事处)$/;
  const strict = subDistrict.test(name) && strip(name, subDistrict) !== name ? `${strip(name, subDistrict)}街道` : name;
  let loose = strip(name, subDistrict);
  loose = strip(loose, /(民族乡|民族镇|镇|乡|苏木)$/);
  loose = strip(loose, MINORITY_RUN);
  // 伊春's forest farms: 大青川林场 → 大青川林场生活区 (2019).
  loose = strip(loose, /(地区|生活区)$/);
  return { strict, loose };
}

function countyKeys(name: string): PlaceNameKeys {
  let loose = strip(name, /(自治县|自治旗|县|区|市|旗|特区|林区)$/);
  loose = strip(loose, MINORITY_RUN);
  return { strict: name, loose };
}

function cityKeys(name: string): PlaceNameKeys {
  let loose = strip(name, /(自治州|地区|盟|市)$/);
  loose = strip(loose, MINORITY_RUN);
  return { strict: name, loose };
}

export function placeNameKeys(name: string, level: DivisionLevel): PlaceNameKeys {
  const cleaned = clean(name);
  switch (level) {
    case 'village':
      return villageKeys(cleaned);
    case 'township':
      return townshipKeys(cleaned);
    case 'county':
      return countyKeys(cleaned);
    case 'city':
      return cityKeys(cleaned);
    case 'province':
      return { strict: cleaned, loose: strip(cleaned, /(省|市|自治区|特别行政区)$/) };
  }
}
