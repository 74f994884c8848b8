import type { EventExamples } from '../../core/event-type.ts';

const attendance = {
  session_id: 'S1',
  course: '网格化管理业务培训',
  organising_level: 'township',
  attendee_id: 'p0000001',
  role: 'party_member',
  mode: 'on_site',
  hours: 2.5,
};

export const trainingAttendanceExamples: EventExamples = {
  valid: [attendance, { ...attendance, attendee_id: 'p0000002', role: 'first_secretary', mode: 'online', hours: 1 }],
  invalid: [
    { what: 'a fraction of a quarter hour', data: { ...attendance, hours: 1.1 }, error: 'quarter' },
    { what: 'markup in a course title', data: { ...attendance, course: '<script>x</script>' }, error: 'injection' },
  ],
};
