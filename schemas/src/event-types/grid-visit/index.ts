import type { EventTypeDefinition } from '../../core/event-type.ts';
import { gridVisitBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, gridVisitContracts } from './contract.ts';
import { gridVisitExamples } from './examples.ts';
import { gridVisitScenario } from './scenario.ts';
import { gridVisitRollup, gridVisitTable } from './warehouse.ts';

export const gridVisit: EventTypeDefinition = {
  name: 'grid-visit',
  title: { en: 'Grid visits and patrols', zh: '网格走访巡查' },
  versions: gridVisitContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: gridVisitTable,
  rollup: gridVisitRollup,
  scenario: gridVisitScenario,
  bulletin: gridVisitBulletin,
  demoColumns: ['visits', 'households_visited', 'hazards_found'],
  examples: gridVisitExamples,
};
