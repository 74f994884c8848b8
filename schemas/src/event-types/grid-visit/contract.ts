import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import type { Envelope } from '../../core/envelope.ts';
import { defineContractVersion, type FedEvent } from '../../core/event-type.ts';
import { label, pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** Grid work happens in a village or community (grids sit below villages). */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village'];

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
    household_id: pseudonymousId.nullable().describe('household visited; null for patrols and publicity not aimed at one household'),
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

export const HAZARD_CATEGORIES = ['fire', 'gas', 'electrical', 'building', 'flood', 'road', 'food', 'other'] as const;

/**
 * Version 2, sent by the newer grid apps: start and end time instead of a duration, and each
 * problem and hazard itemised instead of counted. It lands in the same raw columns and rollups as v1.
 */
export const gridVisitV2 = z
  .object({
    grid_id: recordId,
    member_id: pseudonymousId,
    household_id: pseudonymousId.nullable(),
    kind: z.enum(VISIT_KINDS),
    started_at: z.iso.datetime({ offset: true }),
    ended_at: z.iso.datetime({ offset: true }),
    issues: z.array(z.object({ category: recordId, note: label(200).optional() }).strict()).max(100),
    hazards: z.array(z.object({ category: z.enum(HAZARD_CATEGORIES), handled: z.boolean() }).strict()).max(100),
  })
  .strict()
  .refine((d) => d.kind !== 'household_visit' || d.household_id !== null, {
    message: 'a household_visit must name the household',
    path: ['household_id'],
  })
  .refine(
    (d) => {
      const minutes = (Date.parse(d.ended_at) - Date.parse(d.started_at)) / 60_000;
      return minutes > 0 && minutes <= 720;
    },
    { message: 'ended_at must be after started_at, at most 12 hours later', path: ['ended_at'] },
  );

export type GridVisitV2 = z.output<typeof gridVisitV2>;

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
  defineContractVersion(
    2,
    gridVisitV2,
    (d) => ({
      grid_id: d.grid_id,
      member_id: d.member_id,
      household_id: d.household_id ?? '',
      kind: d.kind,
      issues_found: d.issues.length,
      hazards_found: d.hazards.length,
      duration_minutes: Math.max(1, Math.round((Date.parse(d.ended_at) - Date.parse(d.started_at)) / 60_000)),
    }),
    hazardsFound,
  ),
];

/** The hazard type's category for each itemised one: an electrical hazard is a fire hazard (电气火灾隐患). */
const HAZARD_CATEGORY: Record<(typeof HAZARD_CATEGORIES)[number], string> = {
  fire: 'fire_safety',
  gas: 'gas',
  electrical: 'fire_safety',
  building: 'building_safety',
  flood: 'flood_geological',
  road: 'road_traffic',
  food: 'food_safety',
  other: 'other',
};

/**
 * Each hazard a v2 visit itemises is a hazard: found by the grid member at the visit, and when it
 * was handled there, closed on the spot (立查立改) as the visit ended. A patrol's finds are recorded
 * as general hazards (一般隐患); a major one is reported through the hazard type itself.
 */
function hazardsFound(d: GridVisitV2, event: Envelope): FedEvent[] {
  // The hazard id is the visit's, digested to fit a record id, and the item's number.
  const visit = createHash('sha256').update(`${event.source}\u0000${event.id}`).digest('hex').slice(0, 32);
  return d.hazards.flatMap((hazard, i) => {
    const found = {
      hazard_id: `gv-${visit}-${i + 1}`,
      category: HAZARD_CATEGORY[hazard.category],
      severity: 'minor',
      found_by: 'grid_member',
      reporter_id: d.member_id,
    };
    const closedAt = Date.parse(d.ended_at) > Date.parse(event.time) ? d.ended_at : event.time;
    return [
      { type: 'hazard', key: `hazard-${i + 1}`, data: { ...found, step: 'found' } },
      ...(hazard.handled
        ? [
            {
              type: 'hazard',
              key: `hazard-${i + 1}-closed`,
              time: closedAt,
              data: { ...found, step: 'verified_closed', found_at: event.time, closed_on_spot: true },
            },
          ]
        : []),
    ];
  });
}
