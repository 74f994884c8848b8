import type { SampleContext, SampledEvent } from '../../core/event-type.ts';
import { isWeekend, workingTime } from '../../core/sample-time.ts';

/** Each grid member makes a few visits on a working day and fewer at weekends. */
export function sampleGridVisits({ random, village, dayStart }: SampleContext): SampledEvent[] {
  const events: SampledEvent[] = [];
  const perMember = isWeekend(dayStart) ? 0.6 : 2.5;
  for (const grid of village.grids) {
    for (const member of grid.members) {
      for (let n = random.poisson(perMember); n > 0; n--) {
        const kind = random.weighted({
          household_visit: 6,
          patrol: 3,
          policy_publicity: 2,
          hazard_check: 2,
          dispute_screening: 1,
          service_delivery: 1,
        });
        const atHousehold = kind === 'household_visit' || kind === 'service_delivery';
        events.push({
          time: workingTime(random, dayStart),
          data: {
            grid_id: grid.id,
            member_id: member,
            household_id: atHousehold ? random.pick(village.households) : null,
            kind,
            issues_found: random.chance(0.25) ? random.int(1, 3) : 0,
            hazards_found: kind === 'hazard_check' || kind === 'patrol' ? (random.chance(0.2) ? 1 : 0) : 0,
            duration_minutes: random.int(10, kind === 'patrol' ? 120 : 60),
          },
        });
      }
    }
  }
  return events;
}
