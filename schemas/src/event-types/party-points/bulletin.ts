import type { BulletinPart } from '../../core/bulletin-part.ts';

const ITEM_NAMES: Record<string, string> = {
  study: '学习教育',
  theme_day: '主题党日',
  volunteering: '志愿服务',
  household_contact: '联系服务群众',
  task: '完成任务',
  deduction: '扣分',
  other: '其他',
};

export const partyPointsBulletin: BulletinPart = {
  title: '党员积分制管理',
  headline: [
    'members_enrolled',
    'members_scored',
    'members_scored_share',
    'entries',
    'points_awarded',
    'points_deducted',
    'avg_points_per_member',
  ],
  placeColumns: ['members_enrolled', 'members_scored', 'members_scored_share', 'avg_points_per_member'],
  countyCharts: ['avg_points_per_member'],
  areaRows: ['members_enrolled', 'points_awarded'],
  breakdowns: [
    {
      title: '党员积分分项目情况',
      by: ['item'],
      columns: ['entries', 'points_awarded', 'points_deducted'],
      // Enrolling and leaving carry no item: their row, if shown, has no entries or points.
      rowName: (d) => ITEM_NAMES[d.item!] ?? (d.item || '（非积分记录）'),
      sortBy: 'entries',
      charts: ['entries'],
    },
  ],
  definitions: {
    members_enrolled: '纳入积分管理党员：截至报告期末，纳入党员积分制管理且未退出（转出、去世等）的党员人数。',
    members_scored: '有积分记录的党员：本期至少有一条积分记录（加分或扣分）的党员人数。',
    members_scored_share:
      '党员积分覆盖率：本期有积分记录的党员人数（含期内有积分记录、期末前已退出积分管理的党员）÷截至报告期末纳入积分管理的党员人数。分子、分母口径不同，期内党员退出较多时可能超过100%。',
    points_awarded: '加分：本期各项加分记录的分值合计。',
    points_deducted: '扣分：本期扣分记录的分值（绝对值）合计。',
    net_points: '净积分：本期加分−扣分。',
    avg_points_per_member: '人均积分：本期净积分（加分−扣分）÷本期有积分记录的党员人数。',
    villages_scoring: '开展党员积分管理的村（社区）：本期至少有一条党员积分记录的村（社区）个数。',
  },
};
