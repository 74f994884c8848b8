import { VILLAGE_SUBJECT_SQL, type RawTableSpec } from '../../core/raw-table.ts';
import type { RollupSpec } from '../../core/rollup-spec.ts';

export const trainingAttendanceTable: RawTableSpec = {
  name: 'training_attendances',
  columns: [
    { name: 'session_id', type: 'String', description: 'training session id' },
    { name: 'course', type: 'String', description: 'course title' },
    { name: 'organising_level', type: 'LowCardinality(String)', description: 'organising level' },
    { name: 'attendee_id', type: 'String', description: 'attendee, pseudonymous' },
    { name: 'role', type: 'LowCardinality(String)', description: 'attendee role' },
    { name: 'mode', type: 'LowCardinality(String)', description: 'on_site or online' },
    { name: 'hours', type: 'Decimal(6, 2)', description: 'hours attended' },
  ],
};

export const trainingAttendanceRollup: RollupSpec = {
  table: 'training_rollup',
  dimensions: [{ name: 'role', expr: 'role', type: 'LowCardinality(String)', description: 'attendee role' }],
  measures: [
    { kind: 'count', name: 'attendances', label: '参训', unit: '人次', description: 'attendances, person-times (人次)' },
    {
      kind: 'count',
      name: 'online_attendances',
      label: '远程教育参训',
      unit: '人次',
      description: 'attendances online',
      where: "mode = 'online'",
    },
    { kind: 'distinct', name: 'attendees', label: '参训人员', unit: '人', description: 'distinct attendees (人数)', expr: 'attendee_id' },
    {
      kind: 'distinct',
      name: 'sessions',
      label: '举办培训',
      unit: '期',
      description: 'distinct training sessions (期/场次)',
      expr: 'session_id',
    },
    {
      kind: 'sum',
      name: 'hours',
      label: '培训学时',
      unit: '小时',
      description: 'person-hours of training',
      expr: 'hours',
      type: 'Decimal(38, 2)',
    },
    {
      kind: 'distinct',
      name: 'villages_training',
      label: '开展培训的村（社区）',
      unit: '个',
      description: 'distinct villages and communities that held training',
      expr: 'village_code',
      where: VILLAGE_SUBJECT_SQL,
      since: 5,
    },
  ],
  eventsCountedBy: ['attendances'],
  derived: [
    {
      name: 'attendances_per_session',
      label: '平均每期参训',
      unit: '人次',
      description: 'average attendances per session',
      expr: 'round(attendances / nullIf(sessions, 0), 1)',
    },
  ],
};
