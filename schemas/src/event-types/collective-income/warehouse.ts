import type { RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const collectiveIncomeTable: RawTableSpec = {
  name: 'collective_income_events',
  baseline: 6,
  columns: [
    { name: 'entry_id', type: 'String', description: 'entry id in the village books' },
    { name: 'amount_fen', type: 'Int64', description: 'amount in fen; negative for a correction taking income back' },
    // Not `source`: that common column is the producing system.
    {
      name: 'income_source',
      type: 'LowCardinality(String)',
      description: 'where the income comes from (the contract’s `source`): operations, contracting_leases, contract_cleanup, …',
    },
    { name: 'correction_of', type: 'String', description: 'entry this one corrects; empty for an ordinary entry' },
    { name: 'counterparty', type: 'String', description: 'who paid, pseudonymous; empty if not given' },
    { name: 'note', type: 'String', description: 'note as booked; empty if not given' },
  ],
};

/** Yuan thresholds of the published counts of villages by collective income, in fen. */
const FEN_PER_YUAN = 100;

export const collectiveIncomeRollup: RollupSpec = {
  table: 'collective_income_rollup',
  dimensions: [
    { name: 'income_source', expr: 'income_source', type: 'LowCardinality(String)', description: 'where the income comes from' },
  ],
  measures: [
    { kind: 'count', name: 'entries', label: '集体经济收入入账', unit: '笔', description: 'income entries booked, corrections included' },
    {
      kind: 'count',
      name: 'corrections',
      label: '更正入账',
      unit: '笔',
      description: 'entries correcting an earlier one',
      where: "correction_of != ''",
    },
    {
      kind: 'sum',
      name: 'income_fen',
      label: '集体经济收入',
      unit: '分',
      description: 'collective income in fen, net of corrections',
      expr: 'amount_fen',
      type: 'Int64',
    },
  ],
  eventsCountedBy: ['entries'],
  derived: [
    {
      name: 'income_yuan',
      label: '村集体经济收入',
      unit: '万元',
      scale: 1 / 10_000,
      description: 'collective income in yuan, net of corrections',
      expr: 'income_fen / 100',
      linear: true,
    },
  ],
  thresholds: [
    {
      name: 'villages_with_income',
      label: '有集体经济收入入账的村（社区）',
      unit: '个',
      description: 'villages and communities with any income entry in the period',
      measure: 'entries',
      atLeast: 1,
    },
    {
      name: 'villages_income_100k',
      label: '集体经济收入10万元以上的村（社区）',
      unit: '个',
      description: 'villages and communities whose collective income in the period is 100,000 yuan or more',
      measure: 'income_fen',
      atLeast: 100_000 * FEN_PER_YUAN,
    },
    {
      name: 'villages_income_500k',
      label: '集体经济收入50万元以上的村（社区）',
      unit: '个',
      description: 'villages and communities whose collective income in the period is 500,000 yuan or more',
      measure: 'income_fen',
      atLeast: 500_000 * FEN_PER_YUAN,
    },
    {
      name: 'villages_income_1m',
      label: '集体经济收入100万元以上的村（社区）',
      unit: '个',
      description: 'villages and communities whose collective income in the period is 1,000,000 yuan or more',
      measure: 'income_fen',
      atLeast: 1_000_000 * FEN_PER_YUAN,
    },
  ],
};
