import type { EventTypeDefinition } from '../../core/event-type.ts';
import { trainingAttendanceBulletin } from './bulletin.ts';
import { SUBJECT_LEVELS, trainingAttendanceContracts } from './contract.ts';
import { trainingAttendanceExamples } from './examples.ts';
import { trainingAttendanceScenario } from './scenario.ts';
import { trainingAttendanceRollup, trainingAttendanceTable } from './warehouse.ts';

export const trainingAttendance: EventTypeDefinition = {
  name: 'training-attendance',
  title: { en: 'Training attendance', zh: '党员干部培训' },
  versions: trainingAttendanceContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: trainingAttendanceTable,
  rollup: trainingAttendanceRollup,
  scenario: trainingAttendanceScenario,
  bulletin: trainingAttendanceBulletin,
  demoColumns: ['attendances', 'attendees'],
  examples: trainingAttendanceExamples,
};
