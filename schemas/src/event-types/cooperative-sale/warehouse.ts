import { VILLAGE_SUBJECT_SQL, type RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const cooperativeSaleTable: RawTableSpec = {
  name: 'cooperative_sales',
  columns: [
    { name: 'cooperative_id', type: 'String', description: 'cooperative id' },
    { name: 'product', type: 'LowCardinality(String)', description: 'product sold' },
    { name: 'quantity', type: 'Decimal(18, 3)', description: 'quantity in unit' },
    { name: 'unit', type: 'LowCardinality(String)', description: 'unit of quantity' },
    { name: 'amount_fen', type: 'UInt64', description: 'amount in fen' },
    { name: 'channel', type: 'LowCardinality(String)', description: 'sales channel' },
  ],
};

export const cooperativeSaleRollup: RollupSpec = {
  table: 'cooperative_sale_rollup',
  dimensions: [
    { name: 'product', expr: 'product', type: 'LowCardinality(String)', description: 'product sold' },
    { name: 'channel', expr: 'channel', type: 'LowCardinality(String)', description: 'sales channel' },
    { name: 'unit', expr: 'unit', type: 'LowCardinality(String)', description: 'unit of quantity' },
  ],
  measures: [
    { kind: 'count', name: 'sales', label: '销售', unit: '笔', description: 'sales recorded' },
    {
      kind: 'sum',
      name: 'revenue_fen',
      label: '销售收入',
      unit: '分',
      description: 'sales revenue in fen',
      expr: 'amount_fen',
      type: 'UInt64',
    },
    {
      kind: 'sum',
      name: 'quantity',
      label: '销售量',
      unit: '',
      description: 'quantity sold (meaningful per product and unit)',
      expr: 'quantity',
      type: 'Decimal(38, 3)',
    },
    {
      kind: 'distinct',
      name: 'cooperatives_selling',
      label: '有销售的合作社',
      unit: '个',
      description: 'distinct cooperatives with sales',
      expr: 'cooperative_id',
    },
    {
      kind: 'distinct',
      name: 'villages_selling',
      label: '有销售的村（社区）',
      unit: '个',
      description: 'distinct villages and communities whose cooperatives sold something',
      expr: 'village_code',
      where: VILLAGE_SUBJECT_SQL,
      since: 5,
    },
  ],
  eventsCountedBy: ['sales'],
  derived: [
    {
      name: 'revenue_yuan',
      label: '合作社销售收入',
      unit: '万元',
      scale: 1 / 10_000,
      description: 'sales revenue in yuan',
      expr: 'revenue_fen / 100',
      linear: true,
    },
  ],
};
