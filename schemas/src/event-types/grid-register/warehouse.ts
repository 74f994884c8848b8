import type { RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const gridRegisterTable: RawTableSpec = {
  name: 'grid_register_events',
  baseline: 6,
  columns: [
    { name: 'grid_id', type: 'String', description: 'grid id, unique within the village or community' },
    { name: 'parent_grid_id', type: 'String', description: 'grid or area (片区) this grid subdivides; empty if none' },
    {
      name: 'kind',
      type: 'LowCardinality(String)',
      description: 'villager_group (村民小组网格), urban (城市社区网格), area (片区), micro (微网格) or street_station (街巷服务站)',
    },
    { name: 'step', type: 'LowCardinality(String)', description: 'created, changed or retired' },
    {
      name: 'households',
      type: 'UInt32',
      description: 'households covered: after the step for created and changed, what the grid had for retired',
    },
    {
      name: 'members',
      type: 'UInt16',
      description: 'grid members assigned: after the step for created and changed, what the grid had for retired',
    },
    { name: 'previous_households', type: 'UInt32', description: 'changed: households covered before the change; 0 for other steps' },
    { name: 'previous_members', type: 'UInt16', description: 'changed: grid members assigned before the change; 0 for other steps' },
  ],
};

/** +1 a grid set up, −1 a grid retired. */
const GRID_DELTA = "multiIf(step = 'created', 1, step = 'retired', -1, 0)";

/** The signed change of a quantity the grid carries: all of it when created or retired, the difference when changed. */
const quantityDelta = (column: string, previous: string) =>
  `multiIf(step = 'created', toInt64(${column}), step = 'retired', -toInt64(${column}), step = 'changed', toInt64(${column}) - toInt64(${previous}), 0)`;

/** Base grids partition a village or community; areas group them, micro-grids and street stations subdivide or overlay them. */
const BASE_GRIDS = "kind IN ('villager_group', 'urban')";

export const gridRegisterRollup: RollupSpec = {
  table: 'grid_register_rollup',
  dimensions: [{ name: 'kind', expr: 'kind', type: 'LowCardinality(String)', description: 'kind of grid' }],
  measures: [
    { kind: 'count', name: 'created', label: '新设网格', unit: '个', description: 'grids set up (新设)', where: "step = 'created'" },
    {
      kind: 'count',
      name: 'changed',
      label: '调整网格',
      unit: '次',
      description: 'changes to a grid’s households or members (调整)',
      where: "step = 'changed'",
    },
    { kind: 'count', name: 'retired', label: '撤销网格', unit: '个', description: 'grids retired (撤销)', where: "step = 'retired'" },
    {
      kind: 'state',
      name: 'grids_in_place',
      label: '网格总数',
      unit: '个',
      description: 'grids of every kind in place at the end of the period (split by kind for one kind)',
      delta: GRID_DELTA,
    },
    {
      kind: 'state',
      name: 'villager_group_grids',
      label: '村民小组网格',
      unit: '个',
      description: 'villager-group grids (村民小组网格) in place at the end of the period',
      delta: GRID_DELTA,
      where: "kind = 'villager_group'",
    },
    {
      kind: 'state',
      name: 'urban_grids',
      label: '城市社区网格',
      unit: '个',
      description: 'urban community grids (城市社区网格) in place at the end of the period',
      delta: GRID_DELTA,
      where: "kind = 'urban'",
    },
    {
      kind: 'state',
      name: 'area_grids',
      label: '片区',
      unit: '个',
      description: 'areas (片区) in place at the end of the period',
      delta: GRID_DELTA,
      where: "kind = 'area'",
    },
    {
      kind: 'state',
      name: 'micro_grids',
      label: '微网格',
      unit: '个',
      description: 'micro-grids (微网格) in place at the end of the period',
      delta: GRID_DELTA,
      where: "kind = 'micro'",
    },
    {
      kind: 'state',
      name: 'street_stations',
      label: '街巷服务站',
      unit: '个',
      description: 'street service stations (街巷服务站) in place at the end of the period',
      delta: GRID_DELTA,
      where: "kind = 'street_station'",
    },
    {
      kind: 'state',
      name: 'households_covered',
      label: '基础网格覆盖户数',
      unit: '户',
      description:
        'households covered by the base grids (villager_group and urban) in place at the end of the period; areas, micro-grids and street stations group, subdivide or overlay base grids, so their households are not added again',
      delta: quantityDelta('households', 'previous_households'),
      where: BASE_GRIDS,
    },
    {
      kind: 'state',
      name: 'members_assigned',
      label: '配备网格员',
      unit: '名',
      description: 'grid members (网格员) assigned to the grids of every kind in place at the end of the period',
      delta: quantityDelta('members', 'previous_members'),
    },
  ],
  eventsCountedBy: ['created', 'changed', 'retired'],
  derived: [
    {
      name: 'members_per_grid',
      label: '平均每个网格配备网格员',
      unit: '名',
      description: 'grid members assigned ÷ grids in place, at the end of the period',
      expr: 'round(members_assigned / nullIf(grids_in_place, 0), 2)',
    },
    {
      name: 'households_per_grid',
      label: '平均每个基础网格覆盖户数',
      unit: '户',
      description: 'households covered ÷ base grids (villager_group and urban) in place, at the end of the period',
      expr: 'round(households_covered / nullIf(villager_group_grids + urban_grids, 0), 1)',
    },
  ],
};
