import type { EventTypeDefinition } from '../../core/event-type.ts';
import { disputeCaseContracts } from './contract.ts';
import { sampleDisputeCases } from './generator.ts';
import { disputeCaseRollup, disputeCaseTable } from './warehouse.ts';

export const disputeCase: EventTypeDefinition = {
  name: 'dispute-case',
  title: { en: 'Dispute mediation', zh: '矛盾纠纷化解' },
  versions: disputeCaseContracts,
  rawTable: disputeCaseTable,
  rollup: disputeCaseRollup,
  sampleDay: sampleDisputeCases,
};
