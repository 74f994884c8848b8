import type { RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const hazardTable: RawTableSpec = {
  name: 'hazard_events',
  baseline: 6,
  columns: [
    { name: 'hazard_id', type: 'String', description: 'hazard id' },
    { name: 'category', type: 'LowCardinality(String)', description: 'kind of hazard: fire_safety, building_safety, road_traffic, …' },
    { name: 'severity', type: 'LowCardinality(String)', description: 'minor, major or serious' },
    { name: 'found_by', type: 'LowCardinality(String)', description: 'grid_member, inspection or resident_report' },
    { name: 'step', type: 'LowCardinality(String)', description: 'found, escalated, rectified or verified_closed' },
    { name: 'handling_level', type: 'LowCardinality(String)', description: 'village, township, county or city handling it at this step' },
    { name: 'found_at', type: "DateTime64(3, 'UTC')", description: 'when the hazard was found' },
    { name: 'reporter_id', type: 'String', description: 'who found it, pseudonymous; empty if not given' },
    { name: 'closed_on_spot', type: 'UInt8', description: 'verified_closed steps: 1 when put right on the spot (立查立改), else 0' },
  ],
};

const CLOSED = "step = 'verified_closed'";
const MAJOR = "severity IN ('major', 'serious')";
/** +1 when a hazard is found, −1 when it is verified closed: what is still open. */
const OPEN_DELTA = "multiIf(step = 'found', 1, step = 'verified_closed', -1, 0)";

export const hazardRollup: RollupSpec = {
  table: 'hazard_rollup',
  dimensions: [
    { name: 'category', expr: 'category', type: 'LowCardinality(String)', description: 'kind of hazard' },
    { name: 'severity', expr: 'severity', type: 'LowCardinality(String)', description: 'minor, major or serious' },
    { name: 'found_by', expr: 'found_by', type: 'LowCardinality(String)', description: 'how it was found' },
  ],
  measures: [
    {
      kind: 'count',
      name: 'found',
      label: '排查发现风险隐患',
      unit: '处',
      description: 'hazards found (排查发现)',
      where: "step = 'found'",
    },
    {
      kind: 'count',
      name: 'major_found',
      label: '发现较大及以上隐患',
      unit: '处',
      description: 'major and serious hazards found',
      where: `step = 'found' AND ${MAJOR}`,
    },
    {
      kind: 'count',
      name: 'escalated',
      label: '上报上级处置',
      unit: '处',
      description: 'escalations to a higher level',
      where: "step = 'escalated'",
    },
    {
      kind: 'count',
      name: 'rectified',
      label: '完成整改',
      unit: '处',
      description: 'hazards rectified (整改到位)',
      where: "step = 'rectified'",
    },
    { kind: 'count', name: 'closed', label: '整改销号', unit: '处', description: 'hazards verified and closed (验收销号)', where: CLOSED },
    {
      kind: 'count',
      name: 'on_spot_closures',
      label: '立查立改',
      unit: '处',
      description: 'hazards put right and closed on the spot',
      where: `${CLOSED} AND closed_on_spot = 1`,
    },
    {
      kind: 'median',
      name: 'median_days_to_close',
      label: '整改销号用时中位数',
      unit: '天',
      description: 'median days from finding to verified closing',
      expr: "dateDiff('second', found_at, event_time) / 86400",
      where: CLOSED,
    },
    {
      kind: 'state',
      name: 'open_at_end',
      label: '未销号风险隐患',
      unit: '处',
      description: 'hazards found and not yet verified closed at the end of the period',
      delta: OPEN_DELTA,
    },
    {
      kind: 'state',
      name: 'major_open_at_end',
      label: '未销号较大及以上隐患',
      unit: '处',
      description: 'major and serious hazards still open at the end of the period',
      delta: OPEN_DELTA,
      where: MAJOR,
    },
  ],
  thresholds: [
    {
      name: 'villages_finding_hazards',
      label: '排查发现风险隐患的村（社区）',
      unit: '个',
      description: 'villages and communities where at least one hazard was found in the period',
      measure: 'found',
      atLeast: 1,
    },
  ],
  eventsCountedBy: ['found', 'escalated', 'rectified', 'closed'],
  derived: [
    {
      name: 'closure_rate',
      label: '隐患整改销号率',
      unit: '%',
      description: 'closed ÷ found in the period',
      expr: 'round(closed / nullIf(found, 0), 4)',
    },
    {
      name: 'on_spot_share',
      label: '立查立改占比',
      unit: '%',
      description: 'share of closings made on the spot',
      expr: 'round(on_spot_closures / nullIf(closed, 0), 4)',
    },
  ],
};
