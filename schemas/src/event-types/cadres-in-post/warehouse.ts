import type { RawTableSpec } from '../../core/raw-table.ts';
import type { Measure, RollupSpec } from '../../core/rollup-spec.ts';

export const cadresInPostTable: RawTableSpec = {
  name: 'cadre_posting_events',
  baseline: 6,
  columns: [
    { name: 'posting_id', type: 'String', description: 'posting id' },
    { name: 'person_id', type: 'String', description: 'person posted, pseudonymous' },
    { name: 'step', type: 'LowCardinality(String)', description: 'posted or ended' },
    { name: 'role', type: 'LowCardinality(String)', description: 'role of the posting: first_secretary, grid_member, …' },
    { name: 'employment', type: 'LowCardinality(String)', description: 'full_time or part_time' },
    {
      name: 'sending_unit',
      type: 'LowCardinality(String)',
      description: 'level of the sending unit: province, city, county, township, village, …',
    },
    { name: 'grid_id', type: 'String', description: 'grid or micro-grid served; empty if none' },
    { name: 'posted_at', type: "DateTime64(3, 'UTC')", description: 'when the posting began (the event time on `posted`)' },
    { name: 'end_reason', type: 'LowCardinality(String)', description: 'why the posting ended; empty on `posted`' },
  ],
};

/** +1 when a posting begins, −1 when it ends: the sum up to a date is the number in post on it. */
const IN_POST_DELTA = "multiIf(step = 'posted', 1, step = 'ended', -1, 0)";

const inPost = (name: string, label: string, description: string, where: string): Measure => ({
  kind: 'state',
  name,
  label,
  unit: '名',
  description,
  delta: IN_POST_DELTA,
  where,
});

export const cadresInPostRollup: RollupSpec = {
  table: 'cadre_posting_rollup',
  dimensions: [
    { name: 'role', expr: 'role', type: 'LowCardinality(String)', description: 'role of the posting' },
    { name: 'employment', expr: 'employment', type: 'LowCardinality(String)', description: 'full_time or part_time' },
    { name: 'sending_unit', expr: 'sending_unit', type: 'LowCardinality(String)', description: 'level of the sending unit' },
  ],
  measures: [
    {
      kind: 'count',
      name: 'posted',
      label: '新选派（配备）上岗',
      unit: '人次',
      description: 'postings begun in the period',
      where: "step = 'posted'",
    },
    { kind: 'count', name: 'ended', label: '离岗', unit: '人次', description: 'postings ended in the period', where: "step = 'ended'" },
    {
      kind: 'state',
      name: 'in_post',
      label: '在岗人员',
      unit: '名',
      description: 'people in post at the end of the period, all roles',
      delta: IN_POST_DELTA,
    },
    inPost(
      'first_secretaries_in_post',
      '在岗驻村第一书记',
      'first secretaries in post at the end of the period',
      "role = 'first_secretary'",
    ),
    inPost(
      'work_team_members_in_post',
      '在岗驻村工作队队员',
      'village work team members in post at the end of the period',
      "role = 'work_team_member'",
    ),
    inPost(
      'sunk_cadres_in_post',
      '在岗下沉干部',
      'cadres sunk to villages and communities, in post at the end of the period',
      "role = 'sunk_cadre'",
    ),
    inPost(
      'grid_members_in_post',
      '在岗网格员',
      'grid members (full- and part-time) in post at the end of the period',
      "role = 'grid_member'",
    ),
    inPost(
      'full_time_grid_members_in_post',
      '在岗专职网格员',
      'full-time grid members in post at the end of the period',
      "role = 'grid_member' AND employment = 'full_time'",
    ),
    inPost(
      'micro_grid_members_in_post',
      '在岗微网格员',
      'micro-grid members in post at the end of the period',
      "role = 'micro_grid_member'",
    ),
    inPost(
      'household_contacts_in_post',
      '联系农户党员干部',
      'party members and cadres in contact with households (联户党员, 包联干部) at the end of the period',
      "role IN ('contact_party_member', 'contact_cadre')",
    ),
  ],
  eventsCountedBy: ['posted', 'ended'],
  derived: [
    {
      name: 'full_time_grid_share',
      label: '专职网格员占比',
      unit: '%',
      description: 'full-time grid members ÷ grid members, at the end of the period',
      expr: 'round(full_time_grid_members_in_post / nullIf(grid_members_in_post, 0), 4)',
    },
  ],
};
