import type { SampleContext, SampledEvent } from '../../core/event-type.ts';
import { isWeekend, workingTime } from '../../core/sample-time.ts';

const COURSES = [
  '基层党组织建设专题培训',
  '网格化管理业务培训',
  '矛盾纠纷排查化解实务',
  '乡村振兴政策解读',
  '农村集体经济发展与合作社经营',
  '安全生产与风险隐患排查',
];

/** Now and then a village holds a session; cadres and grid members attend, residents sometimes. */
export function sampleTrainingAttendance({ random, village, dayStart }: SampleContext): SampledEvent[] {
  if (isWeekend(dayStart) || !random.chance(0.08)) return [];
  const start = workingTime(random, dayStart, 8, 15);
  const session = {
    session_id: `${village.code}-${random.id('S')}`,
    course: random.pick(COURSES),
    organising_level: random.weighted({ village: 5, township: 3, county: 1 }),
    mode: random.chance(0.3) ? 'online' : 'on_site',
    hours: random.pick([1, 1.5, 2, 3, 4]),
  };
  const members = village.grids.flatMap((g) => g.members);
  const events: SampledEvent[] = members
    .filter(() => random.chance(0.8))
    .map((attendee_id) => ({ time: start, data: { ...session, attendee_id, role: 'grid_member' } }));
  for (let n = random.int(5, 30); n > 0; n--) {
    events.push({
      time: start + random.int(0, 900_000),
      data: {
        ...session,
        attendee_id: random.pick(village.residents),
        role: random.weighted({ party_member: 5, village_cadre: 2, party_secretary: 1, resident: 3 }),
      },
    });
  }
  return dedupeAttendees(events);
}

/** A person attends a session once, whatever the random draws said. */
function dedupeAttendees(events: SampledEvent[]): SampledEvent[] {
  const seen = new Set<unknown>();
  return events.filter((e) => !seen.has(e.data.attendee_id) && seen.add(e.data.attendee_id));
}
