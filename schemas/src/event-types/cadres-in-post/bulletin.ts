import type { BulletinPart } from '../../core/bulletin-part.ts';

const ROLE_NAMES: Record<string, string> = {
  first_secretary: '驻村第一书记',
  work_team_member: '驻村工作队队员',
  sunk_cadre: '下沉干部',
  grid_member: '网格员',
  micro_grid_member: '微网格员',
  contact_party_member: '联户党员',
  contact_cadre: '包联干部',
};

const EMPLOYMENT_NAMES: Record<string, string> = { full_time: '专职', part_time: '兼职' };

const SENDING_UNIT_NAMES: Record<string, string> = {
  province: '省直单位',
  city: '市直单位',
  county: '县直单位',
  township: '乡镇（街道）',
  village: '本村（社区）',
  enterprise: '国有企业',
  institution: '事业单位、高校',
};

export const cadresInPostBulletin: BulletinPart = {
  title: '驻村帮扶和网格力量配备',
  headline: [
    'first_secretaries_in_post',
    'work_team_members_in_post',
    'sunk_cadres_in_post',
    'grid_members_in_post',
    'full_time_grid_members_in_post',
    'full_time_grid_share',
    'micro_grid_members_in_post',
    'household_contacts_in_post',
    'posted',
    'ended',
  ],
  placeColumns: ['first_secretaries_in_post', 'grid_members_in_post', 'full_time_grid_members_in_post', 'household_contacts_in_post'],
  countyCharts: ['grid_members_in_post'],
  areaRows: ['grid_members_in_post', 'full_time_grid_members_in_post', 'sunk_cadres_in_post', 'household_contacts_in_post'],
  breakdowns: [
    {
      title: '分岗位在岗人员情况',
      by: ['role', 'employment'],
      columns: ['posted', 'ended', 'in_post'],
      rowName: (d) => `${ROLE_NAMES[d.role!] ?? d.role!}（${EMPLOYMENT_NAMES[d.employment!] ?? d.employment!}）`,
      sortBy: 'in_post',
      charts: ['in_post'],
    },
    {
      title: '驻村第一书记和工作队分选派单位情况',
      by: ['sending_unit'],
      columns: ['first_secretaries_in_post', 'work_team_members_in_post'],
      rowName: (d) => SENDING_UNIT_NAMES[d.sending_unit!] ?? d.sending_unit!,
      sortBy: 'first_secretaries_in_post',
    },
  ],
  definitions: {
    in_post: '期末在岗人员：截至报告期末在岗的驻村干部、网格员和联户党员干部人数，即累计选派（配备）上岗人数减去累计离岗人数。',
    first_secretaries_in_post: '期末在岗驻村第一书记：截至报告期末在岗的驻村第一书记人数（任期届满轮换、召回等离岗的不计）。',
    work_team_members_in_post: '期末在岗驻村工作队队员：截至报告期末在岗的驻村工作队队员人数，不含第一书记。',
    sunk_cadres_in_post: '期末在岗下沉干部：截至报告期末下沉到村（社区）在岗的机关企事业单位干部人数。',
    grid_members_in_post: '期末在岗网格员：截至报告期末在岗的专职和兼职网格员人数，不含微网格员。',
    full_time_grid_members_in_post: '期末在岗专职网格员：截至报告期末在岗的专职网格员人数。',
    full_time_grid_share: '专职网格员占比：期末在岗专职网格员人数÷期末在岗网格员人数。',
    micro_grid_members_in_post: '期末在岗微网格员：截至报告期末在岗的微网格员（微网格长）人数。',
    household_contacts_in_post: '期末联系农户党员干部：截至报告期末承担联户、包联任务的党员（联户党员）和干部（包联干部）人数。',
    posted: '新选派（配备）上岗：报告期内开始的驻村、下沉、网格和联户岗位人次。',
    ended: '离岗：报告期内结束的上述岗位人次（期满轮换、调整、召回、离职等）。',
  },
};
