import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { eventTime } from '../../core/envelope.ts';
import { pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** Requests belong to the village or community they concern, or to a township or county service centre. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village', 'township', 'county'];

/** How the request reached the grassroots (诉求来源渠道). */
export const REQUEST_CHANNELS = [
  'hotline_12345', // 12345政务服务便民热线
  'app', // 小程序、APP、网上诉求平台
  'service_centre', // 党群服务中心、便民服务中心窗口
  'grid_member', // 网格员收集
  'party_member_contact', // 联系户党员收集
  'smart_community_task', // 智慧社区任务（志愿者、网格员认领）
] as const;

/** What residents ask for (诉求类别). */
export const REQUEST_CATEGORIES = [
  'policy_consultation', // 政策咨询
  'infrastructure', // 基础设施（道路、路灯、管网）
  'environment_sanitation', // 环境卫生
  'utilities', // 水电气暖
  'property_housing', // 物业与房屋
  'social_assistance', // 社会保障与救助
  'elderly_disabled', // 为老助残
  'employment', // 就业创业
  'other', // 其他
] as const;

/** Level handling the request at this step (村（社区）、乡镇（街道）、县（区）、市). */
export const REQUEST_HANDLING_LEVELS = ['village', 'township', 'county', 'city'] as const;

/**
 * received → assigned | claimed → (escalated →)* completed | closed_unresolved; a completed
 * request may be reopened (重新办理) and completed again; rated (评价) after completion.
 * `claimed` is a smart-community task picked up by a volunteer or grid member (任务认领).
 */
export const REQUEST_STEPS = [
  'received',
  'assigned',
  'claimed',
  'escalated',
  'completed',
  'closed_unresolved',
  'reopened',
  'rated',
] as const;

/** Steps that must say when the request is due (办理时限), so on-time completion is computable. */
const STEPS_WITH_DUE = new Set(['assigned', 'claimed', 'completed']);

/** One step in the handling of a resident's request (群众诉求、便民服务), version 1. */
export const serviceRequestV1 = z
  .object({
    request_id: recordId.describe('request (work order, 工单) id, the same for every step of one request'),
    channel: z.enum(REQUEST_CHANNELS).describe('how the request came in; the same on every step of one request'),
    category: z.enum(REQUEST_CATEGORIES).describe('kind of request; the same on every step of one request'),
    step: z.enum(REQUEST_STEPS),
    handling_level: z.enum(REQUEST_HANDLING_LEVELS).describe('level handling the request at this step'),
    received_at: eventTime.optional().describe('when the request was received; required after the first step'),
    due_at: eventTime
      .optional()
      .describe('deadline for completing it (办理时限); required on assigned, claimed and completed steps, optional elsewhere'),
    claimant_id: pseudonymousId.optional().describe('claimed steps only: volunteer or grid member who claimed the task, pseudonymous'),
    previous_claimant_id: pseudonymousId
      .optional()
      .describe('claimed steps only: who held the task before, when it was released and claimed again'),
    after_reopen: z
      .boolean()
      .optional()
      .describe(
        'completed steps only, required there: true when the request had been completed before (this completion follows a reopen, 重办办结), false for its first completion',
      ),
    satisfaction: z
      .int()
      .min(1)
      .max(5)
      .optional()
      .describe('rated steps only, required there: 1 (very dissatisfied) to 5 (very satisfied)'),
  })
  .strict()
  .refine((d) => d.step === 'received' || d.received_at !== undefined, {
    message: 'received_at is required for every step after received',
    path: ['received_at'],
  })
  .refine((d) => !STEPS_WITH_DUE.has(d.step) || d.due_at !== undefined, {
    message: 'due_at is required for assigned, claimed and completed steps',
    path: ['due_at'],
  })
  .refine((d) => d.due_at === undefined || d.received_at === undefined || Date.parse(d.due_at) > Date.parse(d.received_at), {
    message: 'due_at must be after received_at',
    path: ['due_at'],
  })
  .refine((d) => d.step !== 'claimed' || d.channel === 'smart_community_task', {
    message: 'only smart_community_task requests are claimed; others are assigned',
    path: ['step'],
  })
  .refine((d) => (d.step === 'claimed') === (d.claimant_id !== undefined), {
    message: 'claimant_id is required for claimed steps and only allowed there',
    path: ['claimant_id'],
  })
  .refine((d) => d.step === 'claimed' || d.previous_claimant_id === undefined, {
    message: 'previous_claimant_id is only allowed on claimed steps',
    path: ['previous_claimant_id'],
  })
  .refine((d) => (d.step === 'completed') === (d.after_reopen !== undefined), {
    message: 'after_reopen is required for completed steps (true when the request had been completed before) and only allowed there',
    path: ['after_reopen'],
  })
  .refine((d) => (d.step === 'rated') === (d.satisfaction !== undefined), {
    message: 'satisfaction is required for rated steps and only allowed there',
    path: ['satisfaction'],
  });

export type ServiceRequestV1 = z.output<typeof serviceRequestV1>;

/** Stored for steps without a deadline; only completed steps are read against due_at. */
export const NO_DUE_AT = '1970-01-01T00:00:00.000Z';

export const serviceRequestContracts = [
  defineContractVersion(1, serviceRequestV1, (d, event) => {
    const receivedAt = d.received_at ?? event.time;
    if (Date.parse(receivedAt) > Date.parse(event.time)) {
      // Thrown as a validation failure by the ingest decoder: time to complete cannot be negative.
      throw new RangeError(`received_at ${receivedAt} is after the event time ${event.time}`);
    }
    return {
      request_id: d.request_id,
      channel: d.channel,
      category: d.category,
      step: d.step,
      handling_level: d.handling_level,
      received_at: new Date(receivedAt).toISOString(),
      due_at: d.due_at === undefined ? NO_DUE_AT : new Date(d.due_at).toISOString(),
      claimant_id: d.claimant_id ?? '',
      previous_claimant_id: d.previous_claimant_id ?? '',
      // Set on every completed step; 0 on the other steps.
      after_reopen: d.after_reopen ? 1 : 0,
      satisfaction: d.satisfaction ?? 0,
    };
  }),
];
