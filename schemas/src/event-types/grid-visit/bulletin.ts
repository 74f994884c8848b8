import type { BulletinPart } from '../../core/bulletin-part.ts';

export const gridVisitBulletin: BulletinPart = {
  title: '网格化服务管理',
  headline: ['visits', 'household_visits', 'households_visited', 'grid_members_active', 'grids_active', 'hazards_found', 'issues_found'],
  placeColumns: ['visits', 'hazards_found'],
  countyCharts: ['visits'],
  areaRows: ['visits', 'households_visited', 'grid_members_active', 'grids_active'],
  definitions: { visits: '走访巡查：网格员入户走访和网格巡查的次数。' },
};
