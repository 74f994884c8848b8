import type { RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const partyPointsTable: RawTableSpec = {
  name: 'party_points_events',
  baseline: 6,
  columns: [
    { name: 'member_id', type: 'String', description: 'party member, pseudonymous' },
    { name: 'branch_id', type: 'String', description: 'party branch keeping the points' },
    { name: 'step', type: 'LowCardinality(String)', description: 'enrolled, scored or left' },
    { name: 'item', type: 'LowCardinality(String)', description: 'what the points are for; empty unless scored' },
    { name: 'points', type: 'Int16', description: 'points of the entry, negative for a deduction; 0 unless scored' },
  ],
};

const SCORED = "step = 'scored'";

export const partyPointsRollup: RollupSpec = {
  table: 'party_points_rollup',
  dimensions: [
    {
      name: 'item',
      expr: 'item',
      type: 'LowCardinality(String)',
      description: 'what the points are for (empty for enrolling and leaving, so members enrolled are all under "")',
    },
  ],
  measures: [
    {
      kind: 'count',
      name: 'enrolments',
      label: '新纳入积分管理党员',
      unit: '名',
      description: 'members enrolled in points management in the period',
      where: "step = 'enrolled'",
    },
    {
      kind: 'count',
      name: 'departures',
      label: '退出积分管理党员',
      unit: '名',
      description: 'members who left points management in the period (transferred out, deceased, …)',
      where: "step = 'left'",
    },
    { kind: 'count', name: 'entries', label: '积分记录', unit: '条', description: 'points entries recorded', where: SCORED },
    {
      kind: 'distinct',
      name: 'members_scored',
      label: '有积分记录的党员',
      unit: '名',
      description: 'distinct members with a points entry in the period',
      expr: 'member_id',
      where: SCORED,
    },
    {
      kind: 'distinct',
      name: 'branches_scoring',
      label: '开展积分管理的党支部',
      unit: '个',
      description: 'distinct branches recording a points entry in the period',
      expr: 'branch_id',
      where: SCORED,
    },
    {
      kind: 'sum',
      name: 'points_awarded',
      label: '加分',
      unit: '分',
      description: 'points added: the sum of positive entries',
      expr: 'toUInt64(greatest(points, 0))',
      type: 'UInt64',
      where: `${SCORED} AND points > 0`,
    },
    {
      kind: 'sum',
      name: 'points_deducted',
      label: '扣分',
      unit: '分',
      description: 'points taken away: the sum of the size of negative entries',
      expr: 'toUInt64(greatest(-points, 0))',
      type: 'UInt64',
      where: `${SCORED} AND points < 0`,
    },
    {
      kind: 'state',
      name: 'members_enrolled',
      label: '纳入积分管理党员',
      unit: '名',
      description: 'members in points management at period end: enrolled and not left',
      delta: "multiIf(step = 'enrolled', 1, step = 'left', -1, 0)",
    },
  ],
  thresholds: [
    {
      name: 'villages_scoring',
      label: '开展党员积分管理的村（社区）',
      unit: '个',
      description: 'villages and communities with at least one points entry in the period',
      measure: 'entries',
      atLeast: 1,
    },
  ],
  eventsCountedBy: ['enrolments', 'departures', 'entries'],
  derived: [
    {
      name: 'net_points',
      label: '净积分',
      unit: '分',
      description: 'points added − points taken away',
      expr: 'toInt64(points_awarded) - toInt64(points_deducted)',
    },
    {
      name: 'avg_points_per_member',
      label: '人均积分',
      unit: '分',
      description: 'net points ÷ members with an entry in the period',
      expr: 'round((toInt64(points_awarded) - toInt64(points_deducted)) / nullIf(members_scored, 0), 2)',
    },
    {
      name: 'members_scored_share',
      label: '党员积分覆盖率',
      unit: '%',
      description:
        'members with an entry in the period (including ones who left before its end) ÷ members enrolled at period end; may exceed 1',
      expr: 'round(members_scored / nullIf(members_enrolled, 0), 4)',
    },
  ],
};
