import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { eventTime } from '../../core/envelope.ts';
import { pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** Hazards belong to the village or community where they are; township and county inspections may report their own finds. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village', 'township', 'county'];

/** Kinds of risk and hazard (风险隐患类别). */
export const HAZARD_CATEGORIES = [
  'fire_safety', // 消防安全
  'building_safety', // 房屋建筑安全
  'road_traffic', // 道路交通安全
  'flood_geological', // 防汛与地质灾害
  'food_safety', // 食品安全
  'gas', // 燃气安全
  'production_safety', // 安全生产
  'other', // 其他
] as const;

/** 一般隐患、较大隐患、重大隐患 */
export const HAZARD_SEVERITIES = ['minor', 'major', 'serious'] as const;

/** Who found it: a grid member's patrol (网格员巡查), an inspection (部门检查、专项排查), a resident's report (群众举报). */
export const HAZARD_FINDERS = ['grid_member', 'inspection', 'resident_report'] as const;

/**
 * found → (escalated →)* rectified → verified_closed (整改验收销号). The `found` step is always sent
 * first, even for a hazard put right on the spot (立查立改): such a hazard is sent as found, then
 * verified_closed with `closed_on_spot` (no rectified step). Hazards open at period end are those
 * found minus those verified closed, split by category, severity and found_by, so those three
 * stay as recorded on the found step on every later step.
 */
export const HAZARD_STEPS = ['found', 'escalated', 'rectified', 'verified_closed'] as const;

/** Level handling the hazard at this step. */
export const HAZARD_HANDLING_LEVELS = ['village', 'township', 'county', 'city'] as const;

/** One step in the life of a risk or hazard found and put right (风险隐患排查整治), version 1. */
export const hazardV1 = z
  .object({
    hazard_id: recordId.describe('hazard id, the same for every step of one hazard'),
    category: z.enum(HAZARD_CATEGORIES).describe('kind of hazard, as recorded when found; the same on every step of one hazard'),
    severity: z
      .enum(HAZARD_SEVERITIES)
      .describe('minor (一般), major (较大) or serious (重大), as graded when found; the same on every step of one hazard'),
    found_by: z.enum(HAZARD_FINDERS).describe('how it was found, as recorded when found; the same on every step of one hazard'),
    step: z.enum(HAZARD_STEPS),
    handling_level: z.enum(HAZARD_HANDLING_LEVELS).optional().describe('level handling it at this step (default village)'),
    found_at: eventTime.optional().describe('when it was found; required after the first step, to compute time to close'),
    reporter_id: pseudonymousId.optional().describe('grid member, inspector or resident who found it, pseudonymous'),
    closed_on_spot: z
      .boolean()
      .optional()
      .describe('verified_closed steps only: put right and closed on the spot (立查立改); its found step is still sent first'),
  })
  .strict()
  .refine((d) => d.step === 'found' || d.found_at !== undefined, {
    message: 'found_at is required for escalated, rectified and verified_closed steps',
    path: ['found_at'],
  })
  .refine((d) => d.step === 'verified_closed' || d.closed_on_spot === undefined, {
    message: 'closed_on_spot is only allowed on verified_closed steps',
    path: ['closed_on_spot'],
  });

export type HazardV1 = z.output<typeof hazardV1>;

export const hazardContracts = [
  defineContractVersion(1, hazardV1, (d, event) => {
    const foundAt = d.found_at ?? event.time;
    if (Date.parse(foundAt) > Date.parse(event.time)) {
      // Thrown as a validation failure by the ingest decoder: time to close cannot be negative.
      throw new RangeError(`found_at ${foundAt} is after the event time ${event.time}`);
    }
    return {
      hazard_id: d.hazard_id,
      category: d.category,
      severity: d.severity,
      found_by: d.found_by,
      step: d.step,
      handling_level: d.handling_level ?? 'village',
      found_at: new Date(foundAt).toISOString(),
      reporter_id: d.reporter_id ?? '',
      closed_on_spot: d.closed_on_spot === true ? 1 : 0,
    };
  }),
];
