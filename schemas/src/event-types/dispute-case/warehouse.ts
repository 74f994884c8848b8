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
    { kind: 'count', name: 'received', description: 'disputes received (受理)', where: "step = 'received'" },
    { kind: 'count', name: 'escalated', description: 'escalations to a higher level', where: "step = 'escalated'" },
    { kind: 'count', name: 'resolved', description: 'disputes resolved (化解)', where: RESOLVED },
    { kind: 'count', name: 'resolved_in_village', description: 'resolved at village level (小事不出村)', where: `${RESOLVED} AND handling_level = 'village'` },
    { kind: 'count', name: 'closed_unresolved', description: 'closed without resolution', where: "step = 'closed_unresolved'" },
    { kind: 'sum', name: 'resolve_seconds', description: 'total time from receipt to resolution, seconds', expr: "toUInt64(greatest(0, dateDiff('second', received_at, event_time)))", type: 'UInt64', where: RESOLVED },
    { kind: 'median', name: 'median_days_to_resolve', description: 'median days from receipt to resolution', expr: "dateDiff('second', received_at, event_time) / 86400", where: RESOLVED },
    { kind: 'distinct', name: 'villages_with_disputes', description: 'distinct villages and communities that received a dispute', expr: 'village_code', where: `step = 'received' AND ${VILLAGE_SUBJECT_SQL}`, since: 5 },
  ],
  derived: [
    { name: 'resolution_rate', description: 'resolved ÷ received in the period', expr: 'round(resolved / nullIf(received, 0), 4)' },
    { name: 'village_resolution_share', description: 'share of resolutions at village level', expr: 'round(resolved_in_village / nullIf(resolved, 0), 4)' },
    { name: 'avg_days_to_resolve', description: 'mean days from receipt to resolution', expr: 'round(resolve_seconds / 86400 / nullIf(resolved, 0), 2)' },
  ],
};
