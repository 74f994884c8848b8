import type { EventTypeDefinition } from '../../core/event-type.ts';
import { cooperativeSaleBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, cooperativeSaleContracts } from './contract.ts';
import { cooperativeSaleExamples } from './examples.ts';
import { cooperativeSaleScenario } from './scenario.ts';
import { cooperativeSaleRollup, cooperativeSaleTable } from './warehouse.ts';

export const cooperativeSale: EventTypeDefinition = {
  name: 'cooperative-sale',
  title: { en: 'Cooperative sales', zh: '合作社销售' },
  versions: cooperativeSaleContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: cooperativeSaleTable,
  rollup: cooperativeSaleRollup,
  scenario: cooperativeSaleScenario,
  bulletin: cooperativeSaleBulletin,
  demoColumns: ['revenue_yuan'],
  examples: cooperativeSaleExamples,
};
