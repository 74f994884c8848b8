import { z } from 'zod';
import { HOUR_MS } from '../../core/china-time.ts';
import { defineScenarioPart } from '../../core/scenario-part.ts';
import { slice, workingTime } from '../../core/scenario-calendar.ts';
import { DISPUTE_CATEGORIES } from './contract.ts';

/** Exactly how many cases one village receives, resolves, and resolves without escalating. */
interface DisputePlan {
  code: string;
  received: number;
  resolved: number;
  resolvedInVillage: number;
}

const CATEGORIES = DISPUTE_CATEGORIES.filter((c) => c !== 'environment' && c !== 'other');

export const disputeCaseScenario = defineScenarioPart({
  activity: {
    disputes_per_village_per_year: z.number().nonnegative().default(6).describe('disputes an average village receives in a year'),
    resolution_rate: z.number().min(0).max(1).default(0.93).describe('share of received disputes resolved'),
    village_resolution_share: z
      .number()
      .min(0)
      .max(1)
      .default(0.8)
      .describe('share of resolutions made in the village (the rest go to the township)'),
  },
  targets: [
    { measure: 'received' },
    { measure: 'resolved', atMost: { measure: 'received', conflict: 'more disputes resolved than received' } },
    { measure: 'resolved_in_village', atMost: { measure: 'resolved', conflict: 'more resolved in the village than resolved' } },
  ],

  /** Cases received, then how many of them are resolved, and where. */
  plan({ producer: { place }, settings, months, quota, fail }): DisputePlan {
    const receivedTarget = quota('received');
    const resolvedTarget = quota('resolved');
    const defaultReceived = Math.round(settings.disputes_per_village_per_year * (months / 12) * place.weight);
    const resolved = resolvedTarget ?? Math.round((receivedTarget ?? defaultReceived) * settings.resolution_rate);
    const received =
      receivedTarget ?? Math.max(resolved, resolvedTarget !== undefined ? Math.ceil(resolved / settings.resolution_rate) : defaultReceived);
    const resolvedInVillage = quota('resolved_in_village') ?? Math.round(resolved * settings.village_resolution_share);
    if (resolved > received || resolvedInVillage > resolved) {
      fail('resolved exceeds received, or village resolutions exceed resolved', ['received', 'resolved', 'resolved_in_village']);
    }
    return { code: place.code, received, resolved, resolvedInVillage };
  },

  /** Every step of a case with its own time; resolved cases are received early enough to be resolved within the period. */
  *emitDay(c, { day, dayStart, calendar, random }) {
    const days = calendar.days.length;
    const receiptDays = Math.max(1, days > 42 ? days - 21 : Math.ceil(days / 2));
    const [c0, c1] = slice(c.received, calendar.every, day, receiptDays);
    for (let n = c0; n < c1; n++) {
      const receivedAt = workingTime(random, dayStart, 8, 17);
      const base = { case_id: `${c.code}-C${n + 1}`, category: random.pick(CATEGORIES), parties: 2 };
      yield { key: `d${n * 3}`, time: receivedAt, data: { ...base, step: 'received', handling_level: 'village' } };
      if (n >= c.resolved) continue;
      const receivedIso = new Date(receivedAt).toISOString();
      if (n < c.resolvedInVillage) {
        const data = { ...base, step: 'resolved', handling_level: 'village', received_at: receivedIso };
        yield { key: `d${n * 3 + 1}`, time: receivedAt + random.int(1, 5 * 24) * HOUR_MS, data };
      } else {
        const escalated = { ...base, step: 'escalated', handling_level: 'township', received_at: receivedIso };
        yield { key: `d${n * 3 + 1}`, time: receivedAt + random.int(12, 48) * HOUR_MS, data: escalated };
        const resolved = { ...base, step: 'resolved', handling_level: 'township', received_at: receivedIso };
        yield { key: `d${n * 3 + 2}`, time: receivedAt + random.int(3 * 24, 19 * 24) * HOUR_MS, data: resolved };
      }
    }
  },
});
