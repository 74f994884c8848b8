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
    { kind: 'count', name: 'visits', description: 'visits and patrols (走访巡查次数)' },
    { kind: 'count', name: 'household_visits', description: 'household visits (入户走访次数)', where: "kind = 'household_visit'" },
    { kind: 'distinct', name: 'households_visited', description: 'distinct households visited', expr: 'household_id', where: "household_id != ''" },
    { kind: 'distinct', name: 'grid_members_active', description: 'distinct grid members who reported', expr: 'member_id' },
    { kind: 'distinct', name: 'grids_active', description: 'distinct grids with activity', expr: 'concat(village_code, \'/\', grid_id)' },
    { kind: 'sum', name: 'issues_found', description: 'problems and requests recorded', expr: 'issues_found', type: 'UInt64' },
    { kind: 'sum', name: 'hazards_found', description: 'risks and hazards found (发现风险隐患)', expr: 'hazards_found', type: 'UInt64' },
    { kind: 'sum', name: 'minutes_spent', description: 'minutes spent on visits', expr: 'duration_minutes', type: 'UInt64' },
    { kind: 'distinct', name: 'villages_active', description: 'distinct villages and communities with visits', expr: 'village_code', where: VILLAGE_SUBJECT_SQL, since: 5 },
  ],
  derived: [
    { name: 'avg_minutes_per_visit', description: 'average minutes per visit', expr: 'round(minutes_spent / nullIf(visits, 0), 1)' },
  ],
};
