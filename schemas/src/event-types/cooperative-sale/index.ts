import type { EventTypeDefinition } from '../../core/event-type.ts';
import { cooperativeSaleContracts } from './contract.ts';
import { sampleCooperativeSales } from './generator.ts';
import { cooperativeSaleRollup, cooperativeSaleTable } from './warehouse.ts';

export const cooperativeSale: EventTypeDefinition = {
  name: 'cooperative-sale',
  title: { en: 'Cooperative sales', zh: '合作社销售' },
  versions: cooperativeSaleContracts,
  rawTable: cooperativeSaleTable,
  rollup: cooperativeSaleRollup,
  sampleDay: sampleCooperativeSales,
};
