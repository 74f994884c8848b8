import type { BulletinPart } from '../../core/bulletin-part.ts';

export const trainingAttendanceBulletin: BulletinPart = {
  title: '党员干部教育培训',
  headline: ['sessions', 'attendances', 'attendees', 'hours', 'online_attendances'],
  placeColumns: ['attendances'],
  areaRows: ['attendances'],
};
