import { z } from 'zod';
import { HOUR_MS } from '../../core/china-time.ts';
import type { Random } from '../../core/random.ts';
import { ScenarioConflict, defineScenarioPart, type ScenarioTarget } from '../../core/scenario-part.ts';
import { part, spreadHit } from '../../core/scenario-calendar.ts';
import { SCHEME_RATES, STAR_SCHEMES, type StarScheme } from './contract.ts';

/**
 * One scheme's ratings in one village over the period, exactly. Entities 0 … inPlace − 1 hold a
 * rating at the period's end (endStars); the others are revoked after their last decision. Entity
 * e is decided part(decisions, entities, e) times, once in each of that many yearly rounds: the
 * last rounds for one still rated, the first ones for one revoked.
 */
interface SchemePlan {
  scheme: StarScheme;
  /** Branches, secretaries or households rated at some time in the period. */
  entities: number;
  inPlace: number;
  decisions: number;
  /** Stars at the period's end of each entity still rated. */
  endStars: number[];
  /** Stars each revoked entity held until it was revoked. */
  revokedStars: number[];
  /** Entities still rated whose last rating was adjusted up or down after it was decided. */
  adjustments: number;
}

interface StarPlan {
  code: string;
  rounds: number;
  /** Branches of the village, for the branch a rated secretary leads. */
  branches: number;
  schemes: SchemePlan[];
}

/** Per scheme: the state measure of its top rating, and of its "at least" band. */
const SCHEME_STATES: Record<StarScheme, { top: string; band: string; bandFrom: number; letter: string }> = {
  five_star_branch: { top: 'five_star_branches', band: 'branches_at_least_4_stars', bandFrom: 4, letter: 'b' },
  secretary_stars: { top: 'five_star_secretaries', band: 'secretaries_at_least_4_stars', bandFrom: 4, letter: 's' },
  ten_star_household: { top: 'ten_star_households', band: 'households_at_least_8_stars', bandFrom: 8, letter: 'h' },
};

/** How often each number of stars is given (index 0 is one star), by what is rated. */
const STAR_WEIGHTS: Record<StarScheme, number[]> = {
  five_star_branch: [0.02, 0.08, 0.3, 0.4, 0.2],
  secretary_stars: [0.02, 0.08, 0.35, 0.35, 0.2],
  ten_star_household: [0.005, 0.005, 0.01, 0.03, 0.08, 0.12, 0.2, 0.2, 0.2, 0.15],
};

const STAR_MEASURES = ['rated', 'rated_in_place', ...Object.values(SCHEME_STATES).flatMap((s) => [s.top, s.band])];

/** Within a yearly round, each step's window as fractions of the round, and the hour it is recorded. */
const STEP_TIMES = {
  declared: { from: 0, to: 0.06, hour: 9 },
  assessed: { from: 0.06, to: 0.12, hour: 10 },
  decided: { from: 0.12, to: 0.18, hour: 11 },
  published: { from: 0.18, to: 0.24, hour: 12 },
  awarded: { from: 0.28, to: 0.34, hour: 14 },
  adjusted: { from: 0.4, to: 0.95, hour: 15 },
  revoked: { from: 0.4, to: 0.95, hour: 16 },
} as const;
type PlannedStep = keyof typeof STEP_TIMES;

/** Branches and secretaries go through every step; households are decided and published, and ten-star ones awarded. */
const FULL_PROCESS: readonly PlannedStep[] = ['declared', 'assessed', 'decided', 'published', 'awarded', 'adjusted', 'revoked'];
const HOUSEHOLD_PROCESS: readonly PlannedStep[] = ['decided', 'published', 'awarded', 'adjusted', 'revoked'];

const bySchemes = {
  accepts: (filter: Record<string, string>) =>
    Object.keys(filter).length === 0 ||
    (Object.keys(filter).length === 1 && (STAR_SCHEMES as readonly string[]).includes(filter.scheme ?? '')),
  described: `scheme=${STAR_SCHEMES.join('|')}`,
};

/** Targets on rated and rated_in_place either all name a scheme or none does: a total could not be split otherwise. */
function checkSchemeFilters(targets: ScenarioTarget[]): void {
  const relevant = targets.filter((t) => t.measure === 'rated' || t.measure === 'rated_in_place');
  const named = relevant.find((t) => t.filter.scheme !== undefined);
  const total = relevant.find((t) => t.filter.scheme === undefined);
  if (named && total)
    throw new ScenarioConflict('targets on rated and rated_in_place must either all name a scheme or none of them may', [named, total]);
}

/** Draws a number of stars from a scheme's weights, among stars in [from, to]. */
function drawStars(random: Random, scheme: StarScheme, from: number, to: number): number {
  const weights = STAR_WEIGHTS[scheme];
  let total = 0;
  for (let s = from; s <= to; s++) total += weights[s - 1]!;
  let roll = random.next() * total;
  for (let s = from; s <= to; s++) {
    roll -= weights[s - 1]!;
    if (roll < 0) return s;
  }
  return to;
}

/** Values at least `mins`, close to `prefs`, adding up to `total` (households absorb the rest); undefined if the minimums exceed it. */
function fitTotal(total: number, mins: number[], prefs: number[]): number[] | undefined {
  if (mins.reduce((n, m) => n + m, 0) > total) return undefined;
  const values = prefs.map((p, i) => Math.max(p, mins[i]!));
  let excess = values.reduce((n, v) => n + v, 0) - total;
  for (let i = values.length - 1; i >= 0 && excess > 0; i--) {
    const cut = Math.min(excess, values[i]! - mins[i]!);
    values[i] = values[i]! - cut;
    excess -= cut;
  }
  values[values.length - 1] = values[values.length - 1]! - excess;
  return values;
}

/** The stars entity e holds when it is decided in round r, and the rating that decision replaces. */
function decidedStars(p: SchemePlan, rounds: number, e: number, r: number): { stars: number; previous: number } {
  if (e >= p.inPlace) {
    const stars = p.revokedStars[e - p.inPlace]!;
    return { stars, previous: r > 0 ? stars : 0 };
  }
  const first = rounds - part(p.decisions, p.entities, e);
  const last = lastDecided(p, e);
  // A third of them climbed a star a year to where they are.
  const at = (round: number) => (e % 3 === 0 ? Math.max(1, last - (rounds - 1 - round)) : last);
  return { stars: at(r), previous: r > first ? at(r - 1) : 0 };
}

function isAdjusted(p: SchemePlan, e: number): boolean {
  return e < p.inPlace && spreadHit(e, p.inPlace, p.adjustments);
}

/** The stars an entity still rated was last decided at: its end stars, or a neighbour it was adjusted from. */
function lastDecided(p: SchemePlan, e: number): number {
  const end = p.endStars[e]!;
  if (!isAdjusted(p, e)) return end;
  const max = SCHEME_RATES[p.scheme].maxStars;
  return end === max || (e % 2 === 0 && end > 1) ? end - 1 : end + 1;
}

/** Does entity e take part in round r: the last rounds if still rated, the first ones if revoked. */
function ratedIn(p: SchemePlan, rounds: number, e: number, r: number): boolean {
  const k = part(p.decisions, p.entities, e);
  return e < p.inPlace ? r >= rounds - k : r < k;
}

export const starRatingScenario = defineScenarioPart({
  activity: {
    star_households_per_village: z
      .int()
      .nonnegative()
      .max(10_000)
      .default(10)
      .describe(
        'households of an average village rated each year under the ten-star scheme (十星级文明户); each village also rates its branch and secretary',
      ),
    star_adjustments_per_village_per_year: z
      .number()
      .nonnegative()
      .max(1_000)
      .default(1)
      .describe('household ratings adjusted up or down (动态调整) after the yearly rating, per average village and year'),
    star_revocations_per_village_per_year: z
      .number()
      .nonnegative()
      .max(1_000)
      .default(0.05)
      .describe('household ratings revoked (摘星) per average village and year'),
  },
  targets: [
    { measure: 'rated', filters: bySchemes },
    {
      measure: 'rated_in_place',
      atMost: {
        measure: 'rated',
        conflict: 'more ratings in place at period end than decided in the period (a scenario starts with none)',
      },
      filters: bySchemes,
    },
    {
      measure: 'branches_at_least_4_stars',
      atMost: { measure: 'rated_in_place', conflict: 'more branches of four stars or more than ratings in place' },
    },
    {
      measure: 'five_star_branches',
      atMost: { measure: 'branches_at_least_4_stars', conflict: 'more five-star branches than branches of four stars or more' },
    },
    {
      measure: 'secretaries_at_least_4_stars',
      atMost: { measure: 'rated_in_place', conflict: 'more secretaries of four stars or more than ratings in place' },
    },
    {
      measure: 'five_star_secretaries',
      atMost: { measure: 'secretaries_at_least_4_stars', conflict: 'more five-star secretaries than secretaries of four stars or more' },
    },
    {
      measure: 'households_at_least_8_stars',
      atMost: { measure: 'rated_in_place', conflict: 'more households of eight stars or more than ratings in place' },
    },
    {
      measure: 'ten_star_households',
      atMost: { measure: 'households_at_least_8_stars', conflict: 'more ten-star households than households of eight stars or more' },
    },
  ],
  checkTargets: checkSchemeFilters,

  /**
   * Per scheme: how many are rated at the end (and at which stars), how many decisions there are,
   * and from those how many entities there were and how many were revoked. Every entity is rated
   * once in each yearly round it takes part in; totals are split branch, secretary, households.
   */
  plan({ producer: { place }, settings, months, random, quota, fail }): StarPlan {
    const rounds = Math.max(1, Math.round(months / 12));
    const years = months / 12;
    const schemes = STAR_SCHEMES.map((scheme) => {
      const { top: topMeasure, band: bandMeasure } = SCHEME_STATES[scheme];
      const top = quota(topMeasure);
      const band = quota(bandMeasure);
      if (top !== undefined && band !== undefined && top > band)
        fail(`${top} at the top rating but ${band} at the top band`, [topMeasure, bandMeasure]);
      const household = scheme === 'ten_star_household';
      return {
        scheme,
        top,
        band,
        minInPlace: Math.max(top ?? 0, band ?? 0),
        inPlace: quota('rated_in_place', `scheme=${scheme}`),
        decisions: quota('rated', `scheme=${scheme}`),
        defaultEntities: household ? Math.round(settings.star_households_per_village * place.weight) : 1,
        defaultRevoked: household ? Math.floor(settings.star_revocations_per_village_per_year * years * place.weight + random.next()) : 0,
      };
    });
    // Totals over the schemes: the branch and the secretary first, households take the rest.
    const totalInPlace = quota('rated_in_place');
    if (totalInPlace !== undefined) {
      const prefs = schemes.map((s) => Math.max(0, s.defaultEntities - s.defaultRevoked));
      const split = fitTotal(
        totalInPlace,
        schemes.map((s) => s.minInPlace),
        prefs,
      );
      if (!split) return fail(`${totalInPlace} ratings in place cannot hold the ratings at the top levels`, STAR_MEASURES);
      for (const [i, s] of schemes.entries()) s.inPlace = split[i];
    }
    const totalRated = quota('rated');
    if (totalRated !== undefined) {
      const mins = schemes.map((s) => s.inPlace ?? s.minInPlace);
      const prefs = schemes.map((s) => rounds * (s.inPlace !== undefined ? s.inPlace + s.defaultRevoked : s.defaultEntities));
      const split = fitTotal(totalRated, mins, prefs);
      if (!split) return fail(`${totalRated} ratings decided cannot give the ratings in place at period end`, STAR_MEASURES);
      for (const [i, s] of schemes.entries()) s.decisions = split[i];
    }

    const plans = schemes.map((s): SchemePlan => {
      let entities: number;
      let inPlace: number;
      let decisions: number;
      if (s.inPlace !== undefined && s.inPlace < s.minInPlace)
        fail(`${s.inPlace} ${s.scheme} ratings in place cannot hold ${s.minInPlace} at the top levels`, STAR_MEASURES);
      if (s.inPlace !== undefined && s.decisions !== undefined) {
        if (s.inPlace > s.decisions) fail(`${s.inPlace} ${s.scheme} ratings in place but ${s.decisions} decided`, STAR_MEASURES);
        inPlace = s.inPlace;
        decisions = s.decisions;
        entities = Math.max(inPlace, Math.ceil(decisions / rounds));
      } else if (s.inPlace !== undefined) {
        inPlace = s.inPlace;
        entities = inPlace + s.defaultRevoked;
        decisions = rounds * entities;
      } else if (s.decisions !== undefined) {
        decisions = s.decisions;
        if (decisions < s.minInPlace)
          fail(`${decisions} ${s.scheme} ratings decided cannot give ${s.minInPlace} at the top levels`, STAR_MEASURES);
        entities = Math.max(s.minInPlace, Math.ceil(decisions / rounds));
        inPlace = entities - Math.min(s.defaultRevoked, entities - s.minInPlace);
      } else {
        entities = Math.max(s.defaultEntities, s.minInPlace + s.defaultRevoked);
        inPlace = entities - Math.min(s.defaultRevoked, entities - s.minInPlace);
        decisions = rounds * entities;
      }
      const max = SCHEME_RATES[s.scheme].maxStars;
      const { bandFrom } = SCHEME_STATES[s.scheme];
      // Which of those still rated are at the top, in the band below it, or lower.
      const topCount = s.top;
      const bandCount = s.band;
      const endStars: number[] = [];
      for (let e = 0; e < inPlace; e++) {
        let stars: number;
        if (topCount !== undefined && bandCount !== undefined) {
          stars =
            e < topCount
              ? max
              : e < bandCount
                ? drawStars(random, s.scheme, bandFrom, max - 1)
                : drawStars(random, s.scheme, 1, bandFrom - 1);
        } else if (topCount !== undefined) {
          stars = e < topCount ? max : drawStars(random, s.scheme, 1, max - 1);
        } else if (bandCount !== undefined) {
          stars = e < bandCount ? drawStars(random, s.scheme, bandFrom, max) : drawStars(random, s.scheme, 1, bandFrom - 1);
        } else {
          stars = drawStars(random, s.scheme, 1, max);
        }
        endStars.push(stars);
      }
      const revokedStars = Array.from({ length: entities - inPlace }, () => drawStars(random, s.scheme, 1, max));
      const adjustments =
        s.scheme === 'ten_star_household'
          ? Math.min(inPlace, Math.floor(settings.star_adjustments_per_village_per_year * years * place.weight + random.next()))
          : 0;
      return { scheme: s.scheme, entities, inPlace, decisions, endStars, revokedStars, adjustments };
    });
    return { code: place.code, rounds, branches: plans[0]!.entities, schemes: plans };
  },

  /** Each round's steps in their windows of the round, entity by entity, at the step's hour. */
  *emitDay(plan, { day, dayStart, calendar, random }) {
    const days = calendar.days.length;
    const round = Math.min(plan.rounds - 1, Math.floor((day * plan.rounds) / days));
    const start = Math.ceil((round * days) / plan.rounds);
    const length = Math.ceil(((round + 1) * days) / plan.rounds) - start;
    if (day < start || day >= start + length) return;
    for (const p of plan.schemes) {
      if (p.entities === 0) continue;
      const kind = SCHEME_RATES[p.scheme].kind;
      const max = SCHEME_RATES[p.scheme].maxStars;
      const { letter } = SCHEME_STATES[p.scheme];
      const steps = kind === 'household' ? HOUSEHOLD_PROCESS : FULL_PROCESS;
      const idOf = (e: number) => {
        if (kind === 'branch') return { branch_id: `${plan.code}-B${e + 1}` };
        if (kind === 'secretary')
          return {
            secretary_id: `${plan.code}S${e + 1}`,
            ...(plan.branches > 0 ? { branch_id: `${plan.code}-B${(e % plan.branches) + 1}` } : {}),
          };
        return { household_id: `${plan.code}H${e + 1}` };
      };
      for (const step of steps) {
        const window = STEP_TIMES[step];
        const from = start + Math.floor(window.from * length);
        const width = Math.max(1, start + Math.floor(window.to * length) - from);
        const x = day - from;
        if (x < 0 || x >= width) continue;
        // Entity e of the scheme falls on day from + floor(e × width / entities).
        const e0 = Math.ceil((x * p.entities) / width);
        const e1 = Math.ceil(((x + 1) * p.entities) / width);
        for (let e = e0; e < e1; e++) {
          if (!ratedIn(p, plan.rounds, e, round)) continue;
          const { stars, previous } = decidedStars(p, plan.rounds, e, round);
          let data: Record<string, unknown> | undefined;
          switch (step) {
            case 'declared':
              data = { stars: Math.min(max, stars + (e % 4 === 0 ? 1 : 0)) };
              break;
            case 'assessed':
            case 'published':
              data = { stars };
              break;
            case 'decided':
              data = { stars, previous_stars: previous };
              break;
            case 'awarded':
              if (kind !== 'household' || stars === max) data = { stars };
              break;
            case 'adjusted':
              if (round === plan.rounds - 1 && isAdjusted(p, e)) data = { stars: p.endStars[e], previous_stars: stars };
              break;
            case 'revoked':
              if (e >= p.inPlace && round === part(p.decisions, p.entities, e) - 1) data = { previous_stars: stars };
              break;
          }
          if (!data) continue;
          yield {
            key: `${letter}${e}.${round}.${step}`,
            time: dayStart + window.hour * HOUR_MS + Math.floor(random.next() * 50 * 60_000),
            data: { scheme: p.scheme, step, ...idOf(e), ...data },
          };
        }
      }
    }
  },
});
