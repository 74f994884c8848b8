import { z } from 'zod';
import { levelOfCode, type RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { pseudonymousId, recordId } from '../../core/pseudonym.ts';

/**
 * Ratings of a village's party branch, its secretary and its households belong to the village; a
 * township may also rate the branches of its own organs (机关、站所支部), never a secretary or household.
 */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village', 'township'];

export const STAR_SCHEMES = [
  'five_star_branch', // 五星支部创建: the village party branch, 1–5 stars
  'secretary_stars', // 村党组织书记星级化管理: the branch secretary, 1–5 stars
  'ten_star_household', // 十星级文明户: a household, 1–10 stars
] as const;
export type StarScheme = (typeof STAR_SCHEMES)[number];

/** What each scheme rates, and the most stars it gives. */
export const SCHEME_RATES = {
  five_star_branch: { kind: 'branch', maxStars: 5 },
  secretary_stars: { kind: 'secretary', maxStars: 5 },
  ten_star_household: { kind: 'household', maxStars: 10 },
} as const satisfies Record<StarScheme, { kind: string; maxStars: number }>;

/**
 * declared (农户认星 / 支部申报) → assessed (小组评星 / 评定) → decided (两委定星) → published
 * (公示亮星) → awarded (激励挂星); between ratings adjusted (动态调整, up or down) or revoked (摘星).
 * Only decided, adjusted and revoked change the rating in place.
 */
export const STAR_STEPS = ['declared', 'assessed', 'decided', 'published', 'awarded', 'adjusted', 'revoked'] as const;

/** Steps that change the rating in place; each carries the rating it leaves in `previous_stars`. */
export const RATING_CHANGES = ['decided', 'adjusted', 'revoked'] as const;

const maxStars = (scheme: StarScheme) => SCHEME_RATES[scheme].maxStars;

/** One step in the star rating (星级评定) of a branch, a secretary or a household, version 1. */
export const starRatingV1 = z
  .object({
    scheme: z.enum(STAR_SCHEMES),
    step: z.enum(STAR_STEPS),
    branch_id: recordId.optional().describe('the party branch rated (five_star_branch), or the branch a rated secretary leads'),
    secretary_id: pseudonymousId.optional().describe('the secretary rated (secretary_stars), pseudonymous'),
    household_id: pseudonymousId.optional().describe('the household rated (ten_star_household), pseudonymous'),
    stars: z
      .int()
      .min(0)
      .max(10)
      .optional()
      .describe(
        'stars declared, assessed, decided, published, awarded or adjusted to: 1–5, or 1–10 for ten-star households; 0 or absent when revoked',
      ),
    previous_stars: z
      .int()
      .min(0)
      .max(10)
      .optional()
      .describe(
        'the rating in place before this step, required on every decided, adjusted and revoked step: on decided, the rating a new annual decision replaces (0 for a first rating)',
      ),
  })
  .strict()
  .refine(
    (d) => d.scheme !== 'five_star_branch' || (d.branch_id !== undefined && d.secretary_id === undefined && d.household_id === undefined),
    {
      message: 'a five_star_branch rating names branch_id and no secretary_id or household_id',
      path: ['branch_id'],
    },
  )
  .refine((d) => d.scheme !== 'secretary_stars' || (d.secretary_id !== undefined && d.household_id === undefined), {
    message: 'a secretary_stars rating names secretary_id (and optionally the branch_id they lead), no household_id',
    path: ['secretary_id'],
  })
  .refine(
    (d) => d.scheme !== 'ten_star_household' || (d.household_id !== undefined && d.branch_id === undefined && d.secretary_id === undefined),
    {
      message: 'a ten_star_household rating names household_id and no branch_id or secretary_id',
      path: ['household_id'],
    },
  )
  .refine((d) => d.step === 'revoked' || (d.stars !== undefined && d.stars >= 1 && d.stars <= maxStars(d.scheme)), {
    message: 'stars must be 1–5 (1–10 for ten_star_household) on every step but revoked',
    path: ['stars'],
  })
  .refine((d) => d.step !== 'revoked' || (d.stars ?? 0) === 0, {
    message: 'a revoked rating has stars 0 (or none): the stars taken away are previous_stars',
    path: ['stars'],
  })
  .refine((d) => d.step !== 'decided' || (d.previous_stars !== undefined && d.previous_stars <= maxStars(d.scheme)), {
    message:
      'previous_stars (the rating a decision replaces, 0 for a first rating, at most 5 or 10 for ten_star_household) is required when decided',
    path: ['previous_stars'],
  })
  .refine(
    (d) =>
      (d.step !== 'adjusted' && d.step !== 'revoked') ||
      (d.previous_stars !== undefined && d.previous_stars >= 1 && d.previous_stars <= maxStars(d.scheme)),
    {
      message: 'previous_stars (the rating in place, 1–5 or 1–10 for ten_star_household) is required when adjusted or revoked',
      path: ['previous_stars'],
    },
  )
  .refine((d) => (RATING_CHANGES as readonly string[]).includes(d.step) || d.previous_stars === undefined, {
    message: 'previous_stars belongs only to decided, adjusted and revoked steps',
    path: ['previous_stars'],
  })
  .refine((d) => d.step !== 'adjusted' || d.stars !== d.previous_stars, {
    message: 'an adjusted rating moves up or down: stars must differ from previous_stars',
    path: ['stars'],
  });

export type StarRatingV1 = z.output<typeof starRatingV1>;

export const starRatingContracts = [
  defineContractVersion(1, starRatingV1, (d, event) => {
    const { kind } = SCHEME_RATES[d.scheme];
    if (kind !== 'branch' && levelOfCode(event.subject) !== 'village') {
      // Thrown as a validation failure by the ingest decoder.
      throw new RangeError(`a ${d.scheme} rating belongs to a village or community; subject ${event.subject} is not one`);
    }
    return {
      scheme: d.scheme,
      rated_kind: kind,
      rated_id: (kind === 'branch' ? d.branch_id : kind === 'secretary' ? d.secretary_id : d.household_id) ?? '',
      branch_id: d.branch_id ?? '',
      step: d.step,
      stars: d.stars ?? 0,
      previous_stars: d.previous_stars ?? 0,
    };
  }),
];
