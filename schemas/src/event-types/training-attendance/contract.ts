import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { label, pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** Sessions belong to their organiser: a village, or a township, county or city school whose attendees come from many villages. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village', 'township', 'county', 'city'];

export const ORGANISING_LEVELS = ['village', 'township', 'county', 'city', 'province'] as const;

export const ATTENDEE_ROLES = [
  'party_member', // 党员
  'village_cadre', // 村干部
  'party_secretary', // 村党组织书记
  'first_secretary', // 驻村第一书记
  'grid_member', // 网格员
  'resident', // 群众
  'other',
] as const;

export const ATTENDANCE_MODES = ['on_site', 'online'] as const;

/** One person attending one training session (培训), version 1. */
export const trainingAttendanceV1 = z
  .object({
    session_id: recordId.describe('training session, the same for all its attendees'),
    course: label(200).describe('course title as announced'),
    organising_level: z.enum(ORGANISING_LEVELS).describe('level that organised the session'),
    attendee_id: pseudonymousId.describe('attendee, pseudonymous'),
    role: z.enum(ATTENDEE_ROLES),
    mode: z.enum(ATTENDANCE_MODES).describe('on site or online (远程教育)'),
    hours: z
      .number()
      .positive()
      .max(24)
      .refine((h) => Number.isInteger(h * 4), 'must be a whole number of quarter hours')
      .describe('hours attended'),
  })
  .strict();

export type TrainingAttendanceV1 = z.output<typeof trainingAttendanceV1>;

export const trainingAttendanceContracts = [
  defineContractVersion(1, trainingAttendanceV1, (d) => ({
    session_id: d.session_id,
    course: d.course,
    organising_level: d.organising_level,
    attendee_id: d.attendee_id,
    role: d.role,
    mode: d.mode,
    hours: d.hours.toFixed(2),
  })),
];
