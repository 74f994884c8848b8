import type { EventTypeDefinition } from '../../core/event-type.ts';
import { partyPointsBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, partyPointsContracts } from './contract.ts';
import { partyPointsExamples } from './examples.ts';
import { partyPointsScenario } from './scenario.ts';
import { partyPointsRollup, partyPointsTable } from './warehouse.ts';

export const partyPoints: EventTypeDefinition = {
  name: 'party-points',
  title: { en: 'Party member points', zh: '党员积分制管理' },
  versions: partyPointsContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: partyPointsTable,
  rollup: partyPointsRollup,
  scenario: partyPointsScenario,
  bulletin: partyPointsBulletin,
  demoColumns: ['members_enrolled', 'entries', 'points_awarded', 'avg_points_per_member'],
  examples: partyPointsExamples,
};
