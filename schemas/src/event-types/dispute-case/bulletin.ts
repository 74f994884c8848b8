import type { BulletinPart } from '../../core/bulletin-part.ts';

export const disputeCaseBulletin: BulletinPart = {
  title: '矛盾纠纷排查化解',
  headline: ['received', 'resolved', 'resolution_rate', 'median_days_to_resolve', 'village_resolution_share', 'escalated'],
  placeColumns: ['received', 'resolved', 'resolution_rate', 'village_resolution_share'],
  countyCharts: ['resolution_rate'],
  areaRows: ['resolved'],
  definitions: {
    resolution_rate: '化解率：本期化解的矛盾纠纷件数÷本期受理的矛盾纠纷件数。',
    median_days_to_resolve: '化解用时中位数：本期化解的矛盾纠纷自受理至化解所用天数的中位数。',
  },
};
