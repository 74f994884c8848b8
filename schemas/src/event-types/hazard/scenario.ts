import { z } from 'zod';
import { DAY_MS, HOUR_MS } from '../../core/china-time.ts';
import { ScenarioConflict, defineScenarioPart, type ScenarioTarget } from '../../core/scenario-part.ts';
import { slice, spreadHit, workingTime } from '../../core/scenario-calendar.ts';
import type { HAZARD_CATEGORIES, HAZARD_FINDERS, HAZARD_SEVERITIES } from './contract.ts';

/** Exactly how many hazards one village finds, closes, and closes on the spot; the rest are open at the end. */
interface HazardPlan {
  code: string;
  found: number;
  closed: number;
  onSpot: number;
}

const CATEGORY_WEIGHTS: Record<(typeof HAZARD_CATEGORIES)[number], number> = {
  fire_safety: 30,
  building_safety: 15,
  road_traffic: 12,
  flood_geological: 10,
  food_safety: 5,
  gas: 13,
  production_safety: 8,
  other: 7,
};
const SEVERITY_WEIGHTS: Record<(typeof HAZARD_SEVERITIES)[number], number> = { minor: 80, major: 16, serious: 4 };
const FINDER_WEIGHTS: Record<(typeof HAZARD_FINDERS)[number], number> = { grid_member: 60, inspection: 25, resident_report: 15 };

/** Of the hazards still open at the end of the period, those already rectified and awaiting verification. */
const RECTIFIED_OPEN_SHARE = 0.4;

/** Found, closed and open at end hang together (open = found − closed): two of them fix the third. */
function checkOpenTargets(targets: ScenarioTarget[]): void {
  const on = (measure: string) => targets.filter((t) => t.measure === measure);
  const [found, closed, open] = [on('found'), on('closed'), on('open_at_end')];
  if (found.length > 0 && closed.length > 0 && open.length > 0) {
    throw new ScenarioConflict(
      'target at most two of hazard found, closed and open_at_end: hazards open at the end are those found and not closed, so two of them fix the third',
      [found[0]!, closed[0]!, open[0]!].map((t) => ({ ...t, measure: `hazard.${t.measure}` })),
    );
  }
}

export const hazardScenario = defineScenarioPart({
  activity: {
    hazards_per_village_per_year: z
      .number()
      .nonnegative()
      .max(100_000)
      .default(8)
      .describe('risks and hazards an average village finds in a year'),
    hazard_closure_rate: z
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe('share of hazards found that are verified closed within the period'),
    hazard_on_spot_share: z.number().min(0).max(1).default(0.3).describe('share of closings made on the spot (立查立改)'),
  },
  targets: [
    { measure: 'found' },
    { measure: 'closed', atMost: { measure: 'found', conflict: 'more hazards closed than found' } },
    { measure: 'on_spot_closures', atMost: { measure: 'closed', conflict: 'more hazards closed on the spot than closed' } },
    { measure: 'open_at_end', atMost: { measure: 'found', conflict: 'more hazards open at the end than found' } },
  ],
  checkTargets: checkOpenTargets,

  /** Hazards found, how many of them are closed (and on the spot); the others are still open when the period ends. */
  plan({ producer: { place }, settings, months, quota, fail }): HazardPlan {
    const [f, c, s, o] = ['found', 'closed', 'on_spot_closures', 'open_at_end'].map((m) => quota(m));
    const rate = settings.hazard_closure_rate;
    const base = Math.round(settings.hazards_per_village_per_year * (months / 12) * place.weight);
    let found: number;
    let closed: number;
    if (f !== undefined) {
      found = f;
      closed = c ?? (o !== undefined ? f - o : Math.min(f, Math.max(s ?? 0, Math.round(f * rate))));
    } else if (c !== undefined) {
      closed = c;
      found = o !== undefined ? c + o : Math.max(c, rate > 0 ? Math.ceil(c / rate) : c);
    } else if (o !== undefined) {
      // Only the open ones are targeted: close as many as the closure rate implies besides them.
      closed = Math.max(s ?? 0, base - o, rate < 1 ? Math.round((o * rate) / (1 - rate)) : base);
      found = closed + o;
    } else {
      found = Math.max(base, s ?? 0);
      closed = Math.max(s ?? 0, Math.round(found * rate));
    }
    const onSpot = s ?? Math.round(closed * settings.hazard_on_spot_share);
    if (closed < 0 || closed > found || onSpot > closed) {
      fail('hazards closed must lie between those closed on the spot and those found', [
        'found',
        'closed',
        'on_spot_closures',
        'open_at_end',
      ]);
    }
    return { code: place.code, found, closed, onSpot };
  },

  /**
   * Every step of a hazard with its own time. Hazards closed in the period are found first and
   * early enough to be rectified and verified inside it; the last ones found are those still open.
   */
  *emitDay(plan, { day, dayStart, calendar, random }) {
    const days = calendar.days.length;
    const periodEnd = calendar.days[days - 1]! + DAY_MS;
    const findingDays = Math.max(1, days > 80 ? days - 40 : Math.ceil(days / 2));
    const [n0, n1] = slice(plan.found, calendar.work, day, findingDays);
    for (let n = n0; n < n1; n++) {
      const foundAt = workingTime(random, dayStart, 8, 18);
      const closed = n < plan.closed;
      const onSpot = closed && spreadHit(n, plan.closed, plan.onSpot);
      const severity = onSpot ? 'minor' : random.weighted(SEVERITY_WEIGHTS);
      const foundBy = random.weighted(FINDER_WEIGHTS);
      const reporter =
        foundBy === 'grid_member'
          ? `${plan.code}G${random.int(1, 6)}`
          : foundBy === 'inspection'
            ? `${plan.code.slice(0, 9)}I${random.int(1, 9)}`
            : random.id('res');
      const steps: { at: number; step: string; extra: Record<string, unknown> }[] = [];
      if (onSpot) {
        steps.push({ at: random.int(10, 90) * 60_000, step: 'verified_closed', extra: { closed_on_spot: true } });
      } else {
        const escalate = severity === 'serious' || (severity === 'major' && random.chance(0.5)) || random.chance(0.02);
        const level = severity === 'serious' ? 'county' : 'township';
        if (escalate) steps.push({ at: random.int(2, 48) * HOUR_MS, step: 'escalated', extra: { handling_level: level } });
        const handling = escalate ? { handling_level: level } : {};
        const rectifyDays = severity === 'serious' ? random.int(7, 30) : random.int(2, 20);
        const rectifiedAt = rectifyDays * DAY_MS + random.int(0, 8) * HOUR_MS;
        if (closed) {
          steps.push({ at: rectifiedAt, step: 'rectified', extra: handling });
          steps.push({ at: rectifiedAt + random.int(1, 5) * DAY_MS, step: 'verified_closed', extra: handling });
        } else if (random.chance(RECTIFIED_OPEN_SHARE)) {
          steps.push({ at: rectifiedAt, step: 'rectified', extra: handling });
        }
      }
      // In a short period every offset shrinks alike, so the steps stay in order and inside it.
      const span = Math.max(1, ...steps.map((x) => x.at));
      const shrink = Math.min(1, (periodEnd - 60_000 - foundAt) / span);
      const base = {
        hazard_id: `${plan.code}-H${n + 1}`,
        category: random.weighted(CATEGORY_WEIGHTS),
        severity,
        found_by: foundBy,
        reporter_id: reporter,
      };
      yield { key: `${n}-0`, time: foundAt, data: { ...base, step: 'found', handling_level: 'village' } };
      const foundIso = new Date(foundAt).toISOString();
      for (let j = 0; j < steps.length; j++) {
        const { at, step, extra } = steps[j]!;
        yield { key: `${n}-${j + 1}`, time: foundAt + Math.round(at * shrink), data: { ...base, step, found_at: foundIso, ...extra } };
      }
    }
  },
});
