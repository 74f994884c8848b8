import type { BulletinPart } from '../../core/bulletin-part.ts';

const SCHEME_NAMES: Record<string, string> = {
  five_star_branch: '五星支部创建',
  secretary_stars: '村党组织书记星级化管理',
  ten_star_household: '十星级文明户',
};

export const starRatingBulletin: BulletinPart = {
  title: '五星支部创建与星级化管理',
  headline: [
    'five_star_branches',
    'five_star_branch_share',
    'branches_at_least_4_stars',
    'secretaries_at_least_4_stars',
    'ten_star_households',
    'households_at_least_8_stars',
    'rated',
    'upgrades',
    'downgrades',
    'revoked',
  ],
  placeColumns: ['five_star_branches', 'five_star_branch_share', 'secretaries_at_least_4_stars', 'ten_star_households'],
  countyCharts: ['five_star_branches'],
  areaRows: ['five_star_branches', 'ten_star_households'],
  breakdowns: [
    {
      title: '星级评定分类别情况',
      by: ['scheme'],
      columns: ['rated', 'upgrades', 'downgrades', 'revoked', 'rated_in_place'],
      rowName: (d) => SCHEME_NAMES[d.scheme!] ?? d.scheme!,
      sortBy: 'rated',
    },
    {
      title: '定星结果分星级情况',
      by: ['scheme', 'star_level'],
      columns: ['rated'],
      rowName: (d) => `${SCHEME_NAMES[d.scheme!] ?? d.scheme!}：${d.star_level}星`,
      charts: ['rated'],
    },
  ],
  definitions: {
    rated: '定星：本期经村“两委”（支部为乡镇党委）评定星级的次数，含首次定星和年度复评定星。',
    upgrades: '升星：本期星级动态调整为更高星级，或年度复评高于原星级的次数。',
    downgrades: '降星：本期星级动态调整为更低星级（仍保留星级），或年度复评低于原星级的次数。',
    revoked: '摘星：本期被取消星级的次数，摘星后不再计入已评星对象。',
    rated_in_place: '已评星对象：截至报告期末，星级评定有效（已定星且未被摘星）的村党支部、村党组织书记和农户合计。',
    rated_branches: '已评星支部：截至报告期末，星级评定有效的党支部个数。',
    five_star_branches: '五星支部：截至报告期末，评定为五星级且未被降星、摘星的党支部个数。',
    branches_at_least_4_stars: '四星及以上支部：截至报告期末，星级为四星或五星的党支部个数。',
    five_star_branch_share: '五星支部占比：期末五星支部个数÷期末已评星支部个数。',
    rated_secretaries: '已评星书记：截至报告期末，星级评定有效的村党组织书记人数。',
    five_star_secretaries: '五星书记：截至报告期末，星级为五星的村党组织书记人数。',
    secretaries_at_least_4_stars: '四星及以上书记：截至报告期末，星级为四星或五星的村党组织书记人数。',
    rated_households: '已评星农户：截至报告期末，十星级文明户评定有效的农户数。',
    ten_star_households: '十星级文明户：截至报告期末，评定为十星的农户数。',
    households_at_least_8_stars: '八星及以上文明户：截至报告期末，评定为八星至十星的农户数。',
    ten_star_household_share: '十星级文明户占比：期末十星级文明户户数÷期末已评星农户户数。',
  },
};
