import type { EventExamples } from '../../core/event-type.ts';

const householdVisit = {
  grid_id: 'G01',
  member_id: 'gm000001',
  household_id: 'hh000001',
  kind: 'household_visit',
  issues_found: 1,
  hazards_found: 0,
  duration_minutes: 30,
};

export const gridVisitExamples: EventExamples = {
  valid: [householdVisit, { ...householdVisit, household_id: null, kind: 'patrol', hazards_found: 2 }],
  invalid: [
    { what: 'a zero-minute visit', data: { ...householdVisit, duration_minutes: 0 }, error: 'data.duration_minutes' },
    { what: 'a household visit without household', data: { ...householdVisit, household_id: null }, error: 'household_id' },
  ],
};
