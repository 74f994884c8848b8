import { z } from 'zod';
import { defineContractVersion } from '../../core/event-type.ts';
import { pseudonymousId, recordId } from '../../core/pseudonym.ts';

export const VISIT_KINDS = [
  'household_visit', // 入户走访
  'patrol', // 巡查
  'policy_publicity', // 政策宣传
  'hazard_check', // 隐患排查
  'dispute_screening', // 矛盾排查
  'service_delivery', // 代办服务
] as const;

/** A grid member's visit or patrol (网格员走访/巡查), version 1. */
export const gridVisitV1 = z
  .object({
    grid_id: recordId.describe('grid (网格) the visit belongs to, unique within the village'),
    member_id: pseudonymousId.describe('grid member (网格员) who made the visit'),
    household_id: pseudonymousId
      .nullable()
      .describe('household visited; null for patrols and publicity not aimed at one household'),
    kind: z.enum(VISIT_KINDS).describe('what the visit was for'),
    issues_found: z.int().min(0).max(100).describe('residents\u2019 problems or requests recorded'),
    hazards_found: z.int().min(0).max(100).describe('safety risks and hazards found (风险隐患)'),
    duration_minutes: z.int().min(1).max(720).describe('time spent, in minutes'),
  })
  .strict()
  .refine((d) => d.kind !== 'household_visit' || d.household_id !== null, {
    message: 'a household_visit must name the household',
    path: ['household_id'],
  });

export type GridVisitV1 = z.output<typeof gridVisitV1>;

export const gridVisitContracts = [
  defineContractVersion(1, gridVisitV1, (d) => ({
    grid_id: d.grid_id,
    member_id: d.member_id,
    household_id: d.household_id ?? '',
    kind: d.kind,
    issues_found: d.issues_found,
    hazards_found: d.hazards_found,
    duration_minutes: d.duration_minutes,
  })),
];
