import { VILLAGE_SUBJECT_SQL, type RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const gridVisitTable: RawTableSpec = {
  name: 'grid_visits',
  columns: [
    { name: 'grid_id', type: 'String', description: 'grid (网格) id' },
    { name: 'member_id', type: 'String', description: 'grid member (网格员), pseudonymous' },
    { name: 'household_id', type: 'String', description: 'household visited, pseudonymous; empty if none' },
    { name: 'kind', type: 'LowCardinality(String)', description: 'kind of visit' },
    { name: 'issues_found', type: 'UInt16', description: 'problems or requests recorded' },
    { name: 'hazards_found', type: 'UInt16', description: 'risks and hazards found' },
    { name: 'duration_minutes', type: 'UInt16', description: 'minutes spent' },
  ],
};

export const gridVisitRollup: RollupSpec = {
  table: 'grid_visit_rollup',
  dimensions: [{ name: 'kind', expr: 'kind', type: 'LowCardinality(String)', description: 'kind of visit' }],
  measures: [
    { kind: 'count', name: 'visits', label: '走访巡查', unit: '次', description: 'visits and patrols (走访巡查次数)' },
    {
      kind: 'count',
      name: 'household_visits',
      label: '入户走访',
      unit: '次',
      description: 'household visits (入户走访次数)',
      where: "kind = 'household_visit'",
    },
    {
      kind: 'distinct',
      name: 'households_visited',
      label: '走访农户',
      unit: '户',
      description: 'distinct households visited',
      expr: 'household_id',
      where: "household_id != ''",
    },
    {
      kind: 'distinct',
      name: 'grid_members_active',
      label: '开展工作的网格员',
      unit: '人',
      description: 'distinct grid members who reported',
      expr: 'member_id',
    },
    {
      kind: 'distinct',
      name: 'grids_active',
      label: '开展工作的网格',
      unit: '个',
      description: 'distinct grids with activity',
      expr: "concat(village_code, '/', grid_id)",
    },
    {
      kind: 'sum',
      name: 'issues_found',
      label: '收集群众诉求',
      unit: '件',
      description: 'problems and requests recorded',
      expr: 'issues_found',
      type: 'UInt64',
    },
    {
      kind: 'sum',
      name: 'hazards_found',
      label: '发现风险隐患',
      unit: '处',
      description: 'risks and hazards found (发现风险隐患)',
      expr: 'hazards_found',
      type: 'UInt64',
    },
    {
      kind: 'sum',
      name: 'minutes_spent',
      label: '走访巡查用时',
      unit: '分钟',
      description: 'minutes spent on visits',
      expr: 'duration_minutes',
      type: 'UInt64',
    },
    {
      kind: 'distinct',
      name: 'villages_active',
      label: '开展走访巡查的村（社区）',
      unit: '个',
      description: 'distinct villages and communities with visits',
      expr: 'village_code',
      where: VILLAGE_SUBJECT_SQL,
      since: 5,
    },
  ],
  eventsCountedBy: ['visits'],
  derived: [
    {
      name: 'avg_minutes_per_visit',
      label: '平均每次走访巡查用时',
      unit: '分钟',
      description: 'average minutes per visit',
      expr: 'round(minutes_spent / nullIf(visits, 0), 1)',
    },
  ],
};
