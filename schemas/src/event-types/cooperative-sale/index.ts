import type { EventTypeDefinition } from '../../core/event-type.ts';
import { SUBJECT_LEVELS, cooperativeSaleContracts } from './contract.ts';
import { sampleCooperativeSales } from './generator.ts';
import { cooperativeSaleRollup, cooperativeSaleTable } from './warehouse.ts';

export const cooperativeSale: EventTypeDefinition = {
  name: 'cooperative-sale',
  title: { en: 'Cooperative sales', zh: '合作社销售' },
  versions: cooperativeSaleContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: cooperativeSaleTable,
  rollup: cooperativeSaleRollup,
  sampleDay: sampleCooperativeSales,
};
