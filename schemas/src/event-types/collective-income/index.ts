import type { EventTypeDefinition } from '../../core/event-type.ts';
import { collectiveIncomeBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, collectiveIncomeContracts } from './contract.ts';
import { collectiveIncomeExamples } from './examples.ts';
import { collectiveIncomeScenario } from './scenario.ts';
import { collectiveIncomeRollup, collectiveIncomeTable } from './warehouse.ts';

export const collectiveIncome: EventTypeDefinition = {
  name: 'collective-income',
  title: { en: 'Village collective income', zh: '村集体经济收入' },
  versions: collectiveIncomeContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: collectiveIncomeTable,
  rollup: collectiveIncomeRollup,
  scenario: collectiveIncomeScenario,
  bulletin: collectiveIncomeBulletin,
  demoColumns: ['entries', 'income_yuan'],
  examples: collectiveIncomeExamples,
};
