import type { EventTypeDefinition } from '../../core/event-type.ts';
import { disputeCaseBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, disputeCaseContracts } from './contract.ts';
import { disputeCaseExamples } from './examples.ts';
import { disputeCaseScenario } from './scenario.ts';
import { disputeCaseRollup, disputeCaseTable } from './warehouse.ts';

export const disputeCase: EventTypeDefinition = {
  name: 'dispute-case',
  title: { en: 'Dispute mediation', zh: '矛盾纠纷化解' },
  versions: disputeCaseContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: disputeCaseTable,
  rollup: disputeCaseRollup,
  scenario: disputeCaseScenario,
  bulletin: disputeCaseBulletin,
  demoColumns: ['received', 'resolved', 'resolution_rate', 'village_resolution_share'],
  examples: disputeCaseExamples,
};
