import type { BulletinPart } from '../../core/bulletin-part.ts';

const CHANNEL_NAMES: Record<string, string> = {
  wholesale: '批发',
  e_commerce: '电商',
  livestream: '直播带货',
  export: '出口',
  retail: '零售',
  contract_purchase: '订单收购',
};

export const cooperativeSaleBulletin: BulletinPart = {
  title: '农民合作社发展',
  headline: ['revenue_yuan', 'sales', 'cooperatives_selling', 'villages_selling'],
  placeColumns: ['revenue_yuan'],
  areaRows: ['revenue_yuan', 'villages_selling'],
  breakdowns: [
    {
      title: '合作社分产品销售情况',
      by: ['product', 'unit'],
      columns: ['quantity', 'revenue_yuan'],
      rowName: (d) => `${d.product}（${d.unit}）`,
      charts: ['revenue_yuan'],
    },
    {
      title: '合作社分渠道销售情况',
      by: ['channel'],
      columns: ['sales', 'revenue_yuan'],
      rowName: (d) => CHANNEL_NAMES[d.channel!] ?? d.channel!,
      charts: ['revenue_yuan'],
    },
  ],
  definitions: { revenue_yuan: '合作社销售额：农民专业合作社本期销售收入合计。' },
};
