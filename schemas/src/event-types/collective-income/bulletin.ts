import type { BulletinPart } from '../../core/bulletin-part.ts';

const SOURCE_NAMES: Record<string, string> = {
  operations: '经营收入',
  contracting_leases: '发包及上交收入',
  contract_cleanup: '清理合同增收',
  investment_returns: '投资收益',
  enterprise_profit_share: '村企利润分成',
  subsidy: '补助收入',
  cooperative_dividends: '合作社分红',
};

export const collectiveIncomeBulletin: BulletinPart = {
  title: '村级集体经济发展',
  headline: ['income_yuan', 'villages_with_income', 'villages_income_100k', 'villages_income_500k', 'villages_income_1m'],
  placeColumns: ['income_yuan', 'villages_income_100k', 'villages_income_500k'],
  countyCharts: ['income_yuan'],
  areaRows: ['income_yuan', 'villages_income_100k'],
  breakdowns: [
    {
      title: '村集体经济分来源收入情况',
      by: ['income_source'],
      columns: ['entries', 'income_yuan'],
      rowName: (d) => SOURCE_NAMES[d.income_source!] ?? d.income_source!,
      charts: ['income_yuan'],
    },
  ],
  definitions: {
    income_yuan:
      '村集体经济收入：村（社区）集体经济组织本期入账的经营收入、发包及上交收入、投资收益、补助收入等各项收入合计，更正冲减的金额已扣除。',
    villages_with_income: '有集体经济收入入账的村（社区）：本期至少入账一笔集体经济收入的村（社区）个数。',
    villages_income_100k: '集体经济收入10万元以上的村（社区）：本期村集体经济收入合计达到10万元及以上的村（社区）个数。',
    villages_income_500k: '集体经济收入50万元以上的村（社区）：本期村集体经济收入合计达到50万元及以上的村（社区）个数。',
    villages_income_1m: '集体经济收入100万元以上的村（社区）：本期村集体经济收入合计达到100万元及以上的村（社区）个数。',
  },
};
