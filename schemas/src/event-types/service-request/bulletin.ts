import type { BulletinPart } from '../../core/bulletin-part.ts';

const CHANNEL_NAMES: Record<string, string> = {
  hotline_12345: '12345热线',
  app: '网上平台（小程序、APP）',
  service_centre: '便民服务中心窗口',
  grid_member: '网格员收集',
  party_member_contact: '联系户党员收集',
  smart_community_task: '智慧社区任务认领',
};

const CATEGORY_NAMES: Record<string, string> = {
  policy_consultation: '政策咨询',
  infrastructure: '基础设施',
  environment_sanitation: '环境卫生',
  utilities: '水电气暖',
  property_housing: '物业与房屋',
  social_assistance: '社会保障与救助',
  elderly_disabled: '为老助残',
  employment: '就业创业',
  other: '其他',
};

export const serviceRequestBulletin: BulletinPart = {
  title: '群众诉求办理',
  headline: [
    'received',
    'completed',
    'completion_rate',
    'on_time_rate',
    'median_hours_to_complete',
    'satisfaction_rate',
    'claimed',
    'median_minutes_to_first_claim',
    'pending_at_end',
  ],
  placeColumns: ['received', 'completed', 'completion_rate', 'satisfaction_rate'],
  countyCharts: ['completion_rate'],
  areaRows: ['received', 'completed', 'pending_at_end'],
  breakdowns: [
    {
      title: '群众诉求分渠道办理情况',
      by: ['channel'],
      columns: ['received', 'completed', 'completion_rate', 'on_time_rate'],
      sortBy: 'received',
      rowName: (d) => CHANNEL_NAMES[d.channel!] ?? d.channel!,
      charts: ['received'],
    },
    {
      title: '群众诉求分类别办理情况',
      by: ['category'],
      columns: ['received', 'completed', 'completion_rate'],
      sortBy: 'received',
      rowName: (d) => CATEGORY_NAMES[d.category!] ?? d.category!,
    },
  ],
  definitions: {
    completion_rate: '办结率：本期办结的群众诉求件数÷本期受理的群众诉求件数。重新办理后再次办结的不重复计入办结件数。',
    on_time_rate: '按时办结率：本期在办理时限内办结的群众诉求件数÷本期办结的群众诉求件数。',
    satisfaction_rate: '满意率：本期群众评价为“满意”或“非常满意”（4分、5分）的件数÷本期评价件数。',
    median_hours_to_complete: '办结用时中位数：本期办结的群众诉求自受理至办结所用小时数的中位数。',
    median_minutes_to_first_claim: '任务认领用时中位数：本期被认领的智慧社区任务自发布至首次被志愿者、网格员认领所用分钟数的中位数。',
    pending_at_end: '期末在办群众诉求：截至报告期末已受理（含重新办理）但尚未办结或结案的群众诉求件数。',
  },
};
