import type { EventExamples } from '../../core/event-type.ts';

const decided = { scheme: 'five_star_branch', step: 'decided', branch_id: 'B-0421', stars: 5, previous_stars: 0 };
const adjusted = { scheme: 'ten_star_household', step: 'adjusted', household_id: 'hh000017', stars: 9, previous_stars: 8 };

export const starRatingExamples: EventExamples = {
  valid: [
    decided,
    adjusted,
    { scheme: 'ten_star_household', step: 'declared', household_id: 'hh000017', stars: 10 },
    { scheme: 'secretary_stars', step: 'decided', secretary_id: 'sec00042', branch_id: 'B-0421', stars: 4, previous_stars: 3 },
    { scheme: 'secretary_stars', step: 'revoked', secretary_id: 'sec00042', previous_stars: 4 },
    { scheme: 'five_star_branch', step: 'awarded', branch_id: 'B-0421', stars: 5 },
  ],
  invalid: [
    { what: 'six stars for a branch', data: { ...decided, stars: 6 }, error: '1–5 (1–10 for ten_star_household)' },
    { what: 'eleven stars for a household', data: { ...adjusted, stars: 11 }, error: 'stars' },
    { what: 'a decision without previous_stars', data: { ...decided, previous_stars: undefined }, error: 'required when decided' },
    { what: 'an adjustment without the rating it leaves', data: { ...adjusted, previous_stars: undefined }, error: 'previous_stars' },
    { what: 'an adjustment that changes nothing', data: { ...adjusted, stars: 8 }, error: 'must differ from previous_stars' },
    {
      what: 'a revocation that keeps stars',
      data: { scheme: 'five_star_branch', step: 'revoked', branch_id: 'B-0421', stars: 3, previous_stars: 3 },
      error: 'revoked rating has stars 0',
    },
    { what: 'a branch rating naming a household', data: { ...decided, household_id: 'hh000017' }, error: 'names branch_id' },
    { what: 'a household rating without a household', data: { ...adjusted, household_id: undefined }, error: 'names household_id' },
    { what: 'previous stars on a published step', data: { ...decided, step: 'published', previous_stars: 4 }, error: 'previous_stars' },
  ],
};
