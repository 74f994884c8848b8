import type { EventTypeDefinition } from '../../core/event-type.ts';
import { SUBJECT_LEVELS, disputeCaseContracts } from './contract.ts';
import { sampleDisputeCases } from './generator.ts';
import { disputeCaseRollup, disputeCaseTable } from './warehouse.ts';

export const disputeCase: EventTypeDefinition = {
  name: 'dispute-case',
  title: { en: 'Dispute mediation', zh: '矛盾纠纷化解' },
  versions: disputeCaseContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: disputeCaseTable,
  rollup: disputeCaseRollup,
  sampleDay: sampleDisputeCases,
};
