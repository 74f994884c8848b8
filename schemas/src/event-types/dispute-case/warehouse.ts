import { VILLAGE_SUBJECT_SQL, type RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const disputeCaseTable: RawTableSpec = {
  name: 'dispute_events',
  columns: [
    { name: 'case_id', type: 'String', description: 'case id' },
    { name: 'category', type: 'LowCardinality(String)', description: 'kind of dispute' },
    { name: 'step', type: 'LowCardinality(String)', description: 'received, escalated, resolved or closed_unresolved' },
    { name: 'handling_level', type: 'LowCardinality(String)', description: 'village, township or county' },
    { name: 'received_at', type: "DateTime64(3, 'UTC')", description: 'when the case was received' },
    { name: 'mediator_id', type: 'String', description: 'mediator, pseudonymous; empty if not given' },
    { name: 'parties', type: 'UInt16', description: 'parties involved' },
  ],
};

const RESOLVED = "step = 'resolved'";

export const disputeCaseRollup: RollupSpec = {
  table: 'dispute_rollup',
  dimensions: [{ name: 'category', expr: 'category', type: 'LowCardinality(String)', description: 'kind of dispute' }],
  measures: [
    {
      kind: 'count',
      name: 'received',
      label: '受理矛盾纠纷',
      unit: '件',
      description: 'disputes received (受理)',
      where: "step = 'received'",
    },
    {
      kind: 'count',
      name: 'escalated',
      label: '上交上级',
      unit: '件',
      description: 'escalations to a higher level',
      where: "step = 'escalated'",
    },
    { kind: 'count', name: 'resolved', label: '化解矛盾纠纷', unit: '件', description: 'disputes resolved (化解)', where: RESOLVED },
    {
      kind: 'count',
      name: 'resolved_in_village',
      label: '村内化解',
      unit: '件',
      description: 'resolved at village level (小事不出村)',
      where: `${RESOLVED} AND handling_level = 'village'`,
    },
    {
      kind: 'count',
      name: 'closed_unresolved',
      label: '未化解结案',
      unit: '件',
      description: 'closed without resolution',
      where: "step = 'closed_unresolved'",
    },
    {
      kind: 'sum',
      name: 'resolve_seconds',
      label: '化解用时合计',
      unit: '秒',
      description: 'total time from receipt to resolution, seconds',
      expr: "toUInt64(greatest(0, dateDiff('second', received_at, event_time)))",
      type: 'UInt64',
      where: RESOLVED,
    },
    {
      kind: 'median',
      name: 'median_days_to_resolve',
      label: '化解用时中位数',
      unit: '天',
      description: 'median days from receipt to resolution',
      expr: "dateDiff('second', received_at, event_time) / 86400",
      where: RESOLVED,
    },
    {
      kind: 'distinct',
      name: 'villages_with_disputes',
      label: '受理矛盾纠纷的村（社区）',
      unit: '个',
      description: 'distinct villages and communities that received a dispute',
      expr: 'village_code',
      where: `step = 'received' AND ${VILLAGE_SUBJECT_SQL}`,
      since: 5,
    },
  ],
  eventsCountedBy: ['received', 'escalated', 'resolved', 'closed_unresolved'],
  derived: [
    {
      name: 'resolution_rate',
      label: '化解率',
      unit: '%',
      description: 'resolved ÷ received in the period',
      expr: 'round(resolved / nullIf(received, 0), 4)',
    },
    {
      name: 'village_resolution_share',
      label: '村内化解占比',
      unit: '%',
      description: 'share of resolutions at village level',
      expr: 'round(resolved_in_village / nullIf(resolved, 0), 4)',
    },
    {
      name: 'avg_days_to_resolve',
      label: '平均化解用时',
      unit: '天',
      description: 'mean days from receipt to resolution',
      expr: 'round(resolve_seconds / 86400 / nullIf(resolved, 0), 2)',
    },
  ],
};
