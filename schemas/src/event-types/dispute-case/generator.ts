import type { SampleContext, SampledEvent } from '../../core/event-type.ts';
import { DAY, workingTime } from '../../core/sample-time.ts';
import { DISPUTE_CATEGORIES } from './contract.ts';

/**
 * Cases arrive a few a week per village; most are settled in the village within days, some go up
 * to the township or county, a few close unresolved. Every step of a case is emitted with its own time.
 */
export function sampleDisputeCases({ random, village, dayStart }: SampleContext): SampledEvent[] {
  const events: SampledEvent[] = [];
  for (let n = random.poisson(0.12); n > 0; n--) {
    const receivedAt = workingTime(random, dayStart);
    const receivedIso = new Date(receivedAt).toISOString();
    const base = {
      case_id: `${village.code}-${random.id('C')}`,
      category: random.pick(DISPUTE_CATEGORIES),
      parties: random.chance(0.85) ? 2 : random.int(3, 8),
    };
    events.push({ time: receivedAt, data: { ...base, step: 'received', handling_level: 'village' } });
    let level: 'village' | 'township' | 'county' = 'village';
    let at = receivedAt;
    const path = random.weighted({ village: 75, township: 15, county: 4, unresolved: 6 });
    if (path === 'township' || path === 'county') {
      for (const next of path === 'county' ? (['township', 'county'] as const) : (['township'] as const)) {
        at += random.int(1, 3) * DAY + random.int(0, 8) * 3_600_000;
        level = next;
        events.push({ time: at, data: { ...base, step: 'escalated', handling_level: level, received_at: receivedIso } });
      }
    }
    at += random.int(0, path === 'village' ? 4 : 15) * DAY + random.int(1, 8) * 3_600_000;
    const step = path === 'unresolved' ? 'closed_unresolved' : 'resolved';
    events.push({ time: at, data: { ...base, step, handling_level: level, received_at: receivedIso } });
  }
  return events;
}
