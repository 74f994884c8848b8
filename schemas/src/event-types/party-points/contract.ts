import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** Members of village branches belong to their village; those of township organs (机关支部) to the township. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village', 'township'];

/** enrolled (纳入积分管理) → scored … (积分记录) → left (退出: transferred out, deceased, …) */
export const POINTS_STEPS = ['enrolled', 'scored', 'left'] as const;

export const POINTS_ITEMS = [
  'study', // 学习教育
  'theme_day', // 主题党日
  'volunteering', // 志愿服务
  'household_contact', // 联系服务群众
  'task', // 完成任务
  'deduction', // 扣分
  'other', // 其他
] as const;

/** The most points one entry may add or take away. */
export const MAX_POINTS_PER_ENTRY = 100;

/** One step in a party member's points record (党员积分制管理), version 1. */
export const partyPointsV1 = z
  .object({
    member_id: pseudonymousId.describe('party member, pseudonymous'),
    branch_id: recordId.describe('party branch keeping the member’s points'),
    step: z.enum(POINTS_STEPS),
    item: z.enum(POINTS_ITEMS).optional().describe('what the points are for; required when scored, absent otherwise'),
    points: z
      .int()
      .min(-MAX_POINTS_PER_ENTRY)
      .max(MAX_POINTS_PER_ENTRY)
      .optional()
      .describe(
        `points of the entry: negative (−${MAX_POINTS_PER_ENTRY}…−1) for a deduction, positive (1…${MAX_POINTS_PER_ENTRY}) otherwise; scored only`,
      ),
  })
  .strict()
  .refine((d) => (d.step === 'scored' ? d.item !== undefined && d.points !== undefined : d.item === undefined && d.points === undefined), {
    message: 'item and points are required when scored and belong to no other step',
    path: ['points'],
  })
  .refine((d) => d.points === undefined || (d.item === 'deduction' ? d.points < 0 : d.points > 0), {
    message: 'points must be negative for a deduction and positive for every other item',
    path: ['points'],
  });

export type PartyPointsV1 = z.output<typeof partyPointsV1>;

export const partyPointsContracts = [
  defineContractVersion(1, partyPointsV1, (d) => ({
    member_id: d.member_id,
    branch_id: d.branch_id,
    step: d.step,
    item: d.item ?? '',
    points: d.points ?? 0,
  })),
];
