import type { EventTypeDefinition } from '../../core/event-type.ts';
import { SUBJECT_LEVELS, trainingAttendanceContracts } from './contract.ts';
import { sampleTrainingAttendance } from './generator.ts';
import { trainingAttendanceRollup, trainingAttendanceTable } from './warehouse.ts';

export const trainingAttendance: EventTypeDefinition = {
  name: 'training-attendance',
  title: { en: 'Training attendance', zh: '党员干部培训' },
  versions: trainingAttendanceContracts,
  subjectLevels: SUBJECT_LEVELS,
  rawTable: trainingAttendanceTable,
  rollup: trainingAttendanceRollup,
  sampleDay: sampleTrainingAttendance,
};
