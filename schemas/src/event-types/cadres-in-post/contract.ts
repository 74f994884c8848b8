import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { eventTime } from '../../core/envelope.ts';
import { pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** A posting is to a village or community, where the person works; the sending unit is a field. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village'];

/** What the person is posted as. */
export const CADRE_ROLES = [
  'first_secretary', // 驻村第一书记
  'work_team_member', // 驻村工作队队员
  'sunk_cadre', // 下沉干部
  'grid_member', // 网格员（专职或兼职）
  'micro_grid_member', // 微网格员
  'contact_party_member', // 联户党员
  'contact_cadre', // 包联干部
] as const;

export const EMPLOYMENTS = [
  'full_time', // 专职
  'part_time', // 兼职
] as const;

/** Level of the unit that sends the person (选派单位). */
export const SENDING_UNITS = [
  'province', // 省直单位
  'city', // 市直单位
  'county', // 县直单位
  'township', // 乡镇（街道）
  'village', // 本村（社区）
  'enterprise', // 国有企业
  'institution', // 事业单位、高校
] as const;

/** posted → ended */
export const POSTING_STEPS = ['posted', 'ended'] as const;

/** Why a posting ended. */
export const END_REASONS = [
  'term_completed', // 任期届满轮换
  'reassigned', // 调整岗位
  'recalled', // 召回
  'left', // 辞职、离职
  'other',
] as const;

/**
 * One step of a posting (选派、配备) of a cadre or grid worker to a village or community, version 1.
 * `ended` repeats the role, employment and sending unit of the posting it ends, so the number in post at any date
 * is the sum of +1 and −1 over the steps before it.
 */
export const cadresInPostV1 = z
  .object({
    posting_id: recordId.describe('posting id, the same for both steps of one posting'),
    person_id: pseudonymousId.describe('the person posted, pseudonymous'),
    step: z.enum(POSTING_STEPS),
    role: z.enum(CADRE_ROLES).describe('role of the posting; on `ended`, the role of the posting that ends'),
    employment: z.enum(EMPLOYMENTS).describe('full-time (专职) or part-time (兼职); on `ended`, that of the posting that ends'),
    sending_unit: z.enum(SENDING_UNITS).describe('level of the unit that sends the person; on `ended`, that of the posting that ends'),
    grid_id: recordId.optional().describe('grid or micro-grid the person serves, if any'),
    posted_at: eventTime.optional().describe('when the posting began; required on `ended`'),
    end_reason: z.enum(END_REASONS).optional().describe('why the posting ended; only on `ended`'),
  })
  .strict()
  .refine((d) => d.step === 'posted' || d.posted_at !== undefined, {
    message: 'posted_at is required when a posting ends',
    path: ['posted_at'],
  })
  .refine((d) => d.step === 'ended' || d.end_reason === undefined, {
    message: 'end_reason is only given when a posting ends',
    path: ['end_reason'],
  });

export type CadresInPostV1 = z.output<typeof cadresInPostV1>;

export const cadresInPostContracts = [
  defineContractVersion(1, cadresInPostV1, (d, event) => {
    const postedAt = d.posted_at ?? event.time;
    if (Date.parse(postedAt) > Date.parse(event.time)) {
      // Thrown as a validation failure by the ingest decoder: a posting cannot end before it began.
      throw new RangeError(`posted_at ${postedAt} is after the event time ${event.time}`);
    }
    return {
      posting_id: d.posting_id,
      person_id: d.person_id,
      step: d.step,
      role: d.role,
      employment: d.employment,
      sending_unit: d.sending_unit,
      grid_id: d.grid_id ?? '',
      posted_at: new Date(postedAt).toISOString(),
      end_reason: d.end_reason ?? '',
    };
  }),
];
