import type { EventTypeDefinition } from '../../core/event-type.ts';
import { serviceRequestBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, serviceRequestContracts } from './contract.ts';
import { serviceRequestExamples } from './examples.ts';
import { serviceRequestScenario } from './scenario.ts';
import { serviceRequestRollup, serviceRequestTable } from './warehouse.ts';

export const serviceRequest: EventTypeDefinition = {
  name: 'service-request',
  title: { en: 'Residents’ requests', zh: '群众诉求办理' },
  versions: serviceRequestContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: serviceRequestTable,
  rollup: serviceRequestRollup,
  scenario: serviceRequestScenario,
  bulletin: serviceRequestBulletin,
  demoColumns: ['received', 'completed', 'completion_rate', 'satisfaction_rate', 'pending_at_end'],
  examples: serviceRequestExamples,
};
