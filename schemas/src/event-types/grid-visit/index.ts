import type { EventTypeDefinition } from '../../core/event-type.ts';
import { SUBJECT_LEVELS, gridVisitContracts } from './contract.ts';
import { sampleGridVisits } from './generator.ts';
import { gridVisitRollup, gridVisitTable } from './warehouse.ts';

export const gridVisit: EventTypeDefinition = {
  name: 'grid-visit',
  title: { en: 'Grid visits and patrols', zh: '网格走访巡查' },
  versions: gridVisitContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: gridVisitTable,
  rollup: gridVisitRollup,
  sampleDay: sampleGridVisits,
};
