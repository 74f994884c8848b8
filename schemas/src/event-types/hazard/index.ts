import type { EventTypeDefinition } from '../../core/event-type.ts';
import { hazardBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, hazardContracts } from './contract.ts';
import { hazardExamples } from './examples.ts';
import { hazardScenario } from './scenario.ts';
import { hazardRollup, hazardTable } from './warehouse.ts';

export const hazard: EventTypeDefinition = {
  name: 'hazard',
  title: { en: 'Risks and hazards', zh: '风险隐患排查整治' },
  versions: hazardContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: hazardTable,
  rollup: hazardRollup,
  scenario: hazardScenario,
  bulletin: hazardBulletin,
  demoColumns: ['found', 'closed', 'closure_rate', 'open_at_end'],
  examples: hazardExamples,
};
