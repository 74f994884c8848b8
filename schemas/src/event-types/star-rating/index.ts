import type { EventTypeDefinition } from '../../core/event-type.ts';
import { starRatingBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, starRatingContracts } from './contract.ts';
import { starRatingExamples } from './examples.ts';
import { starRatingScenario } from './scenario.ts';
import { starRatingRollup, starRatingTable } from './warehouse.ts';

export const starRating: EventTypeDefinition = {
  name: 'star-rating',
  title: { en: 'Star ratings of branches, secretaries and households', zh: '星级化管理（五星支部、星级书记、十星级文明户）' },
  versions: starRatingContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: starRatingTable,
  rollup: starRatingRollup,
  scenario: starRatingScenario,
  bulletin: starRatingBulletin,
  demoColumns: ['rated', 'five_star_branches', 'branches_at_least_4_stars', 'ten_star_households'],
  examples: starRatingExamples,
};
