import type { BulletinPart } from '../../core/bulletin-part.ts';

const CATEGORY_NAMES: Record<string, string> = {
  fire_safety: '消防安全',
  building_safety: '房屋建筑安全',
  road_traffic: '道路交通安全',
  flood_geological: '防汛与地质灾害',
  food_safety: '食品安全',
  gas: '燃气安全',
  production_safety: '安全生产',
  other: '其他',
};

const SEVERITY_NAMES: Record<string, string> = { minor: '一般隐患', major: '较大隐患', serious: '重大隐患' };

export const hazardBulletin: BulletinPart = {
  title: '风险隐患排查整治',
  headline: [
    'found',
    'closed',
    'closure_rate',
    'on_spot_closures',
    'median_days_to_close',
    'major_found',
    'open_at_end',
    'major_open_at_end',
  ],
  placeColumns: ['found', 'closed', 'closure_rate', 'open_at_end'],
  countyCharts: ['closure_rate'],
  areaRows: ['found', 'closed', 'open_at_end'],
  breakdowns: [
    {
      title: '风险隐患分类别排查整治情况',
      by: ['category'],
      columns: ['found', 'closed', 'closure_rate', 'open_at_end'],
      sortBy: 'found',
      rowName: (d) => CATEGORY_NAMES[d.category!] ?? d.category!,
      charts: ['found'],
    },
    {
      title: '风险隐患分等级排查整治情况',
      by: ['severity'],
      columns: ['found', 'closed', 'closure_rate', 'open_at_end'],
      sortBy: 'found',
      rowName: (d) => SEVERITY_NAMES[d.severity!] ?? d.severity!,
    },
  ],
  definitions: {
    closure_rate: '隐患整改销号率：本期整改完毕并验收销号的风险隐患处数÷本期排查发现的风险隐患处数。',
    on_spot_closures: '立查立改：排查发现后当场整改到位并销号的风险隐患。',
    median_days_to_close: '整改销号用时中位数：本期销号的风险隐患自发现至验收销号所用天数的中位数。',
    open_at_end: '期末未销号风险隐患：截至报告期末已排查发现、尚未整改验收销号的风险隐患处数（含报告期以前发现的）。',
    major_open_at_end: '期末未销号较大及以上隐患：截至报告期末尚未整改验收销号的较大隐患和重大隐患处数。',
  },
};
