import type { BulletinPart } from '../../core/bulletin-part.ts';

const KIND_NAMES: Record<string, string> = {
  villager_group: '村民小组网格',
  urban: '城市社区网格',
  area: '片区',
  micro: '微网格',
  street_station: '街巷服务站',
};

export const gridRegisterBulletin: BulletinPart = {
  title: '网格设置',
  headline: [
    'grids_in_place',
    'villager_group_grids',
    'urban_grids',
    'area_grids',
    'micro_grids',
    'street_stations',
    'households_covered',
    'households_per_grid',
    'members_assigned',
    'members_per_grid',
    'created',
    'retired',
  ],
  placeColumns: ['grids_in_place', 'micro_grids', 'households_covered', 'members_assigned'],
  countyCharts: ['grids_in_place'],
  areaRows: ['grids_in_place', 'households_covered', 'members_assigned'],
  breakdowns: [
    {
      title: '分类型网格设置情况',
      by: ['kind'],
      columns: ['grids_in_place', 'members_assigned', 'created', 'retired'],
      rowName: (d) => KIND_NAMES[d.kind!] ?? d.kind!,
      sortBy: 'grids_in_place',
      charts: ['grids_in_place'],
    },
  ],
  definitions: {
    grids_in_place:
      '期末网格总数：截至报告期末已设置且未撤销的各类网格个数，含村民小组网格、城市社区网格、片区、微网格和街巷服务站；网格类型调整按撤销原网格、新设网格计。',
    villager_group_grids: '期末村民小组网格：截至报告期末农村以村民小组为单元设置且未撤销的网格个数。',
    urban_grids: '期末城市社区网格：截至报告期末城市社区设置且未撤销的网格个数。',
    area_grids: '期末片区：截至报告期末村（社区）划分且未撤销的片区个数。',
    micro_grids: '期末微网格：截至报告期末在片区或基础网格之下细分且未撤销的微网格个数。',
    street_stations: '期末街巷服务站：截至报告期末设置且未撤销的街巷服务站个数。',
    households_covered:
      '期末基础网格覆盖户数：截至报告期末村民小组网格和城市社区网格（基础网格）覆盖的户数之和；片区、微网格和街巷服务站覆盖的户已在基础网格中，不重复计算。',
    members_assigned: '期末配备网格员：截至报告期末各类网格配备的网格员人数之和，一人兼任多个网格的按网格分别计算。',
    households_per_grid: '平均每个基础网格覆盖户数：期末基础网格覆盖户数÷期末村民小组网格和城市社区网格个数之和。',
    members_per_grid: '平均每个网格配备网格员：期末配备网格员人数÷期末网格总数。',
    created: '新设网格：本期新设立的各类网格个数。',
    retired: '撤销网格：本期撤销（含合并、调整类型）的各类网格个数。',
  },
};
