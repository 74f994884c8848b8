import type { EventExamples } from '../../core/event-type.ts';

const scored = { member_id: 'pm000123', branch_id: 'PB-07', step: 'scored', item: 'volunteering', points: 5 };

export const partyPointsExamples: EventExamples = {
  valid: [
    scored,
    { member_id: 'pm000123', branch_id: 'PB-07', step: 'enrolled' },
    { ...scored, item: 'deduction', points: -3 },
    { member_id: 'pm000123', branch_id: 'PB-07', step: 'left' },
  ],
  invalid: [
    { what: 'a positive deduction', data: { ...scored, item: 'deduction', points: 3 }, error: 'negative for a deduction' },
    { what: 'a negative study entry', data: { ...scored, item: 'study', points: -2 }, error: 'positive for every other item' },
    { what: 'an entry without points', data: { ...scored, points: undefined }, error: 'required when scored' },
    { what: 'points on an enrolment', data: { member_id: 'pm000123', branch_id: 'PB-07', step: 'enrolled', points: 5 }, error: 'points' },
    { what: 'an entry of 500 points', data: { ...scored, points: 500 }, error: 'points' },
    { what: 'a name as member id', data: { ...scored, member_id: '王五' }, error: 'member_id' },
  ],
};
