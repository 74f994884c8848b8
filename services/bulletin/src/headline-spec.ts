import type { Domain } from './document.ts';

/**
 * Which rollup measures a bulletin shows, under which Chinese label and unit. `scale` converts
 * the stored unit for display (fen → 万元 is done on revenue_yuan with 1/10,000).
 */
export interface FigureSpec {
  type: string;
  measure: string;
  label: string;
  unit: string;
  scale?: number;
}

/** A stored figure in its display unit (revenue: yuan → 万元, to 2 decimals). */
export function scaled(value: number | null | undefined, spec: FigureSpec): number | null {
  if (value === null || value === undefined) return null;
  return spec.scale ? Math.round(value * spec.scale * 100) / 100 : value;
}

export const HEADLINE: { domain: Domain; title: string; figures: FigureSpec[] }[] = [
  {
    domain: 'grid',
    title: '网格化服务管理',
    figures: [
      { type: 'grid-visit', measure: 'visits', label: '走访巡查', unit: '次' },
      { type: 'grid-visit', measure: 'household_visits', label: '入户走访', unit: '次' },
      { type: 'grid-visit', measure: 'households_visited', label: '走访农户', unit: '户' },
      { type: 'grid-visit', measure: 'grid_members_active', label: '开展工作的网格员', unit: '人' },
      { type: 'grid-visit', measure: 'grids_active', label: '开展工作的网格', unit: '个' },
      { type: 'grid-visit', measure: 'hazards_found', label: '发现风险隐患', unit: '处' },
      { type: 'grid-visit', measure: 'issues_found', label: '收集群众诉求', unit: '件' },
    ],
  },
  {
    domain: 'dispute',
    title: '矛盾纠纷排查化解',
    figures: [
      { type: 'dispute-case', measure: 'received', label: '受理矛盾纠纷', unit: '件' },
      { type: 'dispute-case', measure: 'resolved', label: '化解矛盾纠纷', unit: '件' },
      { type: 'dispute-case', measure: 'resolution_rate', label: '化解率', unit: '%' },
      { type: 'dispute-case', measure: 'median_days_to_resolve', label: '化解用时中位数', unit: '天' },
      { type: 'dispute-case', measure: 'village_resolution_share', label: '村内化解占比', unit: '%' },
      { type: 'dispute-case', measure: 'escalated', label: '上交上级', unit: '件' },
    ],
  },
  {
    domain: 'training',
    title: '党员干部教育培训',
    figures: [
      { type: 'training-attendance', measure: 'sessions', label: '举办培训', unit: '期' },
      { type: 'training-attendance', measure: 'attendances', label: '参训', unit: '人次' },
      { type: 'training-attendance', measure: 'attendees', label: '参训人员', unit: '人' },
      { type: 'training-attendance', measure: 'hours', label: '培训学时', unit: '小时' },
      { type: 'training-attendance', measure: 'online_attendances', label: '远程教育参训', unit: '人次' },
    ],
  },
  {
    domain: 'cooperative',
    title: '农民合作社发展',
    figures: [
      { type: 'cooperative-sale', measure: 'revenue_yuan', label: '合作社销售收入', unit: '万元', scale: 1 / 10_000 },
      { type: 'cooperative-sale', measure: 'sales', label: '销售', unit: '笔' },
      { type: 'cooperative-sale', measure: 'cooperatives_selling', label: '有销售的合作社', unit: '个' },
      { type: 'cooperative-sale', measure: 'villages_selling', label: '有销售的村（社区）', unit: '个' },
    ],
  },
];

/** Columns of the tables by county and by township. */
export const PLACE_COLUMNS: FigureSpec[] = [
  { type: 'grid-visit', measure: 'visits', label: '走访巡查', unit: '次' },
  { type: 'grid-visit', measure: 'hazards_found', label: '发现隐患', unit: '处' },
  { type: 'dispute-case', measure: 'received', label: '受理纠纷', unit: '件' },
  { type: 'dispute-case', measure: 'resolved', label: '化解纠纷', unit: '件' },
  { type: 'dispute-case', measure: 'resolution_rate', label: '化解率', unit: '%' },
  { type: 'dispute-case', measure: 'village_resolution_share', label: '村内化解占比', unit: '%' },
  { type: 'training-attendance', measure: 'attendances', label: '培训人次', unit: '人次' },
  { type: 'cooperative-sale', measure: 'revenue_yuan', label: '合作社销售收入', unit: '万元', scale: 1 / 10_000 },
];

/**
 * Rows of the urban/rural table (城乡分列). `additive`: counts and sums, where the events of
 * townships, counties and the city themselves are the total minus urban minus rural. Distinct
 * counts are not: one grid member can work in a community and in a village.
 */
export const AREA_ROWS: (FigureSpec & { additive: boolean })[] = [
  { type: 'grid-visit', measure: 'visits', label: '走访巡查', unit: '次', additive: true },
  { type: 'grid-visit', measure: 'households_visited', label: '走访农户', unit: '户', additive: false },
  { type: 'grid-visit', measure: 'grid_members_active', label: '开展工作的网格员', unit: '人', additive: false },
  { type: 'grid-visit', measure: 'grids_active', label: '开展工作的网格', unit: '个', additive: false },
  { type: 'dispute-case', measure: 'resolved', label: '化解矛盾纠纷', unit: '件', additive: true },
  { type: 'training-attendance', measure: 'attendances', label: '参训', unit: '人次', additive: true },
  { type: 'cooperative-sale', measure: 'revenue_yuan', label: '合作社销售收入', unit: '万元', scale: 1 / 10_000, additive: true },
  { type: 'cooperative-sale', measure: 'villages_selling', label: '有销售的村（社区）', unit: '个', additive: false },
];
