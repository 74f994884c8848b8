import type { Breakdown, BulletinDocument } from '../../src/document.ts';

/**
 * A hand-built, internally consistent bulletin: 三门峡市, 2024年第三季度, revision 2. County rows
 * add up to the city totals, township rows add up to their counties, rates are resolved ÷ received
 * rounded to 4 places, and breakdowns add up to the cooperative headline. Values are in their
 * display unit (万元 holds 万元); `%` values are 0..1 ratios.
 *
 * Comparisons worth knowing for the tests:
 * - grid_members 1,540 vs 1,400 → 比上季度增长10.0%; vs 1,540 a year ago → 与上年同期持平
 * - visits 84,420 vs 75,160 → 增长12.3%; events_reported 3,120 vs 3,250 → 下降4.0%
 * - resolution_rate 0.9152 vs 0.9 → 提高1.5个百分点; vs 0.9009 → 提高1.4个百分点
 * - training_hours has no comparisons; contract_value has no value at all.
 */
export function sampleDocument(): BulletinDocument {
  return {
    city: { code: '411200000000', name: '三门峡市' },
    period: { key: '2024-Q3', kind: 'quarter', label: '2024年第三季度', from: '2024-07-01', to: '2024-09-30' },
    revision: 2,
    generatedAt: '2024-10-08T01:30:00.000Z',
    issuer: 'govstats 基层治理统计',
    status: 'preliminary',
    finalFrom: '2024-10-31',
    revisedBases: [],
    changes: [
      '渑池县8月补报网格走访记录1,204条，全市走访巡查次数由83,216次修订为84,420次。',
      '随补报数据入库，全市矛盾纠纷化解率由90.8%修订为91.5%。',
    ],
    headline: [
      {
        domain: 'grid',
        title: '一、网格化服务管理',
        figures: [
          { key: 'visits', label: '网格员走访巡查', unit: '次', value: 84_420, previous: 75_160, yearAgo: 80_400 },
          { key: 'events_reported', label: '网格上报事件', unit: '件', value: 3_120, previous: 3_250, yearAgo: null },
          { key: 'grid_members', label: '在岗网格员', unit: '人', value: 1_540, previous: 1_400, yearAgo: 1_540 },
        ],
      },
      {
        domain: 'dispute',
        title: '二、矛盾纠纷排查化解',
        figures: [
          { key: 'received', label: '受理矛盾纠纷', unit: '件', value: 1_286, previous: 1_190, yearAgo: 1_402 },
          { key: 'resolved', label: '化解矛盾纠纷', unit: '件', value: 1_177, previous: 1_071, yearAgo: 1_263 },
          { key: 'resolution_rate', label: '矛盾纠纷化解率', unit: '%', value: 0.9152, previous: 0.9, yearAgo: 0.9009 },
          { key: 'median_days_to_resolve', label: '化解用时中位数', unit: '天', value: 6.5, previous: 7, yearAgo: null },
        ],
      },
      {
        domain: 'training',
        title: '三、农村实用技术培训',
        figures: [
          { key: 'sessions', label: '举办培训', unit: '场', value: 412, previous: 388, yearAgo: 365 },
          { key: 'trainees', label: '培训农民', unit: '人次', value: 18_654, previous: 17_020, yearAgo: 16_480 },
          { key: 'training_hours', label: '累计培训时长', unit: '小时', value: 2_472, previous: null, yearAgo: null },
        ],
      },
      {
        domain: 'cooperative',
        title: '四、农民专业合作社经营',
        figures: [
          { key: 'revenue_yuan', label: '合作社销售额', unit: '万元', value: 3_856.42, previous: 3_120.05, yearAgo: 3_512.8 },
          { key: 'sales', label: '销售笔数', unit: '笔', value: 9_214, previous: 8_870, yearAgo: null },
          { key: 'cooperatives_selling', label: '有销售的合作社', unit: '家', value: 186, previous: 186, yearAgo: 171 },
          { key: 'contract_value', label: '订单农业签约额', unit: '万元', value: null, previous: null, yearAgo: null },
        ],
      },
    ],
    tables: [
      {
        level: 'county',
        title: '表1 各县（市、区）主要指标',
        charts: ['visits', 'resolution_rate'],
        rankBy: 'visits',
        columns: [
          { key: 'visits', label: '走访巡查', unit: '次' },
          { key: 'received', label: '受理纠纷', unit: '件' },
          { key: 'resolution_rate', label: '化解率', unit: '%' },
          { key: 'trainees', label: '培训人次', unit: '人次' },
          { key: 'revenue_yuan', label: '合作社销售额', unit: '万元' },
        ],
        rows: [
          {
            code: '411224000000',
            name: '卢氏县',
            rank: 1,
            values: { visits: 36_210, received: 522, resolution_rate: 0.9234, trainees: 7_420, revenue_yuan: 1_602.18 },
          },
          {
            code: '411203000000',
            name: '陕州区',
            rank: 2,
            values: { visits: 26_870, received: 431, resolution_rate: 0.9095, trainees: 6_105, revenue_yuan: 1_310.77 },
          },
          {
            code: '411221000000',
            name: '渑池县',
            rank: 3,
            values: { visits: 21_340, received: 333, resolution_rate: 0.9099, trainees: 5_129, revenue_yuan: 943.47 },
          },
        ],
        total: { visits: 84_420, received: 1_286, resolution_rate: 0.9152, trainees: 18_654, revenue_yuan: 3_856.42 },
      },
      {
        level: 'township',
        charts: [],
        title: '表2 各乡镇（街道）主要指标',
        rankBy: 'visits',
        columns: [
          { key: 'visits', label: '走访巡查', unit: '次' },
          { key: 'received', label: '受理纠纷', unit: '件' },
          { key: 'resolution_rate', label: '化解率', unit: '%' },
        ],
        rows: [
          { code: '411224100000', name: '城关镇', rank: 1, values: { visits: 19_880, received: 281, resolution_rate: 0.9324 } },
          { code: '411224101000', name: '杜关镇', rank: 2, values: { visits: 16_330, received: 241, resolution_rate: 0.9129 } },
          { code: '411203101000', name: '大营镇', rank: 3, values: { visits: 13_020, received: 236, resolution_rate: 0.9153 } },
          { code: '411203102000', name: '原店镇', rank: 4, values: { visits: 12_850, received: 195, resolution_rate: 0.9026 } },
          { code: '411221100000', name: '城关镇', rank: 5, values: { visits: 11_560, received: 180, resolution_rate: 0.9167 } },
          { code: '411221101000', name: '英豪镇', rank: 6, values: { visits: 9_780, received: 153, resolution_rate: 0.902 } },
          // No dispute received: the rate has no value.
          { code: '411203200000', name: '张汴乡', rank: 7, values: { visits: 1_000, received: 0, resolution_rate: null } },
        ],
        total: { visits: 84_420, received: 1_286, resolution_rate: 0.9152 },
      },
    ],
    breakdowns: [
      {
        title: '表3 合作社销售额分产品情况',
        charts: ['revenue_yuan'],
        columns: [
          { key: 'revenue_yuan', label: '销售额', unit: '万元' },
          { key: 'sales', label: '销售笔数', unit: '笔' },
          { key: 'quantity', label: '销售量', unit: '吨' },
        ],
        rows: [
          { name: '苹果', values: { revenue_yuan: 1_986.3, sales: 3_812, quantity: 4_215.5 } },
          { name: '香菇', values: { revenue_yuan: 842.16, sales: 2_304, quantity: 1_130.2 } },
          { name: '核桃', values: { revenue_yuan: 517.4, sales: 1_420, quantity: 236.8 } },
          { name: '中药材', values: { revenue_yuan: 310.56, sales: 906, quantity: 98.4 } },
          { name: '其他', values: { revenue_yuan: 200, sales: 772, quantity: null } },
        ],
      },
      {
        title: '表4 合作社销售额分渠道情况',
        charts: ['revenue_yuan'],
        columns: [
          { key: 'revenue_yuan', label: '销售额', unit: '万元' },
          { key: 'sales', label: '销售笔数', unit: '笔' },
        ],
        rows: [
          { name: '线下批发', values: { revenue_yuan: 2_104.88, sales: 4_102 } },
          { name: '电商平台', values: { revenue_yuan: 1_203.54, sales: 4_236 } },
          { name: '订单收购', values: { revenue_yuan: 548, sales: 876 } },
        ],
      },
    ],
    definitions: [
      '走访巡查：网格员入户走访和网格巡查的次数。',
      '化解率：本期化解的矛盾纠纷件数÷本期受理的矛盾纠纷件数。',
      '合作社销售额：农民专业合作社本期销售收入合计。',
      '化解用时中位数：本期化解的矛盾纠纷自受理至化解所用天数的中位数。',
    ],
    quality: {
      eventsIngested: 118_472,
      deadLettered: 37,
      arrivedLate: 1_204,
      villagesTotal: 1_542,
      silentVillages: [
        { code: '411224206201', name: '卢氏县官坡镇兰西村' },
        { code: '411221203211', name: '渑池县段村乡赵沟村' },
      ],
    },
  };
}

/**
 * The urban/rural table (城乡分列) of the sample: rows are measures with their own units, additive
 * ones add up (urban + rural + above-village = total), distinct counts have no remainder (null).
 */
export function sampleUrbanRural(): Breakdown {
  return {
    title: '表5 主要指标城乡分列',
    charts: [],
    columns: [
      { key: 'urban', label: '城镇', unit: '' },
      { key: 'rural', label: '乡村', unit: '' },
      { key: 'above_village', label: '乡镇及以上', unit: '' },
      { key: 'total', label: '合计', unit: '' },
    ],
    rows: [
      { name: '走访巡查', key: 'visits', unit: '次', values: { urban: 30_120, rural: 54_300, above_village: 0, total: 84_420 } },
      {
        name: '开展工作的网格员',
        key: 'grid_members_active',
        unit: '人',
        values: { urban: 512, rural: 1_040, above_village: null, total: 1_540 },
      },
      { name: '参训', key: 'attendances', unit: '人次', values: { urban: 4_100, rural: 11_554, above_village: 3_000, total: 18_654 } },
      {
        name: '合作社销售收入',
        key: 'revenue_yuan',
        unit: '万元',
        values: { urban: 1_203.5, rural: 2_452.92, above_village: 200, total: 3_856.42 },
      },
    ],
  };
}
