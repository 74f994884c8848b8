import type { EventTypeDefinition } from '../../core/event-type.ts';
import { gridRegisterBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, gridRegisterContracts } from './contract.ts';
import { gridRegisterExamples } from './examples.ts';
import { gridRegisterScenario } from './scenario.ts';
import { gridRegisterRollup, gridRegisterTable } from './warehouse.ts';

export const gridRegister: EventTypeDefinition = {
  name: 'grid-register',
  title: { en: 'Grid register', zh: '网格设置' },
  versions: gridRegisterContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: gridRegisterTable,
  rollup: gridRegisterRollup,
  scenario: gridRegisterScenario,
  bulletin: gridRegisterBulletin,
  demoColumns: ['grids_in_place', 'micro_grids', 'households_covered', 'members_assigned', 'members_per_grid'],
  examples: gridRegisterExamples,
};
