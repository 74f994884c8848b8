import type { EventTypeDefinition } from '../../core/event-type.ts';
import { cadresInPostBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, cadresInPostContracts } from './contract.ts';
import { cadresInPostExamples } from './examples.ts';
import { cadresInPostScenario } from './scenario.ts';
import { cadresInPostRollup, cadresInPostTable } from './warehouse.ts';

export const cadresInPost: EventTypeDefinition = {
  name: 'cadres-in-post',
  title: { en: 'Cadres and grid workers in post', zh: '驻村干部和网格员在岗' },
  versions: cadresInPostContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: cadresInPostTable,
  rollup: cadresInPostRollup,
  scenario: cadresInPostScenario,
  bulletin: cadresInPostBulletin,
  demoColumns: ['posted', 'ended', 'in_post'],
  examples: cadresInPostExamples,
};
