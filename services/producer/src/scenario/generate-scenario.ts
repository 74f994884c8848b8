import { NATIONAL_EDITION, nationalCatalogue } from '@govstats/divisions';
import { EVENT_TYPES, PREFIX_LENGTH, Random, ancestorCode, levelOfCode, type Envelope, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import { toEnvelope } from '../envelope.ts';
import { allocateTargets, type ScenarioPlace } from './allocate.ts';
import { buildCalendar, part, slice, spreadBefore, spreadHit, type Calendar } from './calendar.ts';
import type { Scenario } from './scenario-file.ts';
import { planTraining, type TrainingPlan } from './training-plan.ts';
import { checkFilters, planVillage, type VillagePlan } from './village-plan.ts';

const HOUR = 3_600_000;
const typeNamed = (name: string): EventTypeDefinition => EVENT_TYPES.find((t) => t.name === name)!;
const [GRID, DISPUTE, TRAINING, SALE] = ['grid-visit', 'dispute-case', 'training-attendance', 'cooperative-sale'].map(typeNamed) as [
  EventTypeDefinition, EventTypeDefinition, EventTypeDefinition, EventTypeDefinition,
];

export interface PreparedScenario {
  scenario: Scenario;
  seed: number;
  plans: VillagePlan[];
  training: TrainingPlan[];
  calendar: Calendar;
}

/**
 * The organisers of training at the levels the scenario names: its villages, or the townships,
 * counties and cities over them. An organiser's weight is its level's share of the sessions
 * times the weight of the villages it draws attendees from.
 */
function trainingOrganisers(villages: ScenarioPlace[], organisedBy: Partial<Record<RollupLevel, number>>): { organiser: ScenarioPlace; villages: string[] }[] {
  const totalShare = Object.values(organisedBy).reduce((n, share) => n + (share ?? 0), 0);
  const organisers = new Map<string, { organiser: ScenarioPlace; villages: string[] }>();
  for (const [level, share] of Object.entries(organisedBy) as [RollupLevel, number][]) {
    for (const village of villages) {
      // A city without counties (东莞) has no county school apart from the city's own.
      const code = ancestorCode(village.code, level);
      const entry = organisers.get(code) ?? { organiser: { code, level: levelOfCode(code) as RollupLevel, weight: 0 }, villages: [] };
      entry.organiser.weight += (share / totalShare) * village.weight;
      if (!entry.villages.includes(village.code)) entry.villages.push(village.code);
      organisers.set(code, entry);
    }
  }
  return [...organisers.values()].sort((a, b) => a.organiser.code.localeCompare(b.organiser.code));
}

/**
 * Checks every target and works out each village's plan. Throws ScenarioConflict, naming the
 * targets, before a single event exists: a scenario either produces all its figures or nothing.
 */
export function prepareScenario(scenario: Scenario, seed = scenario.seed): PreparedScenario {
  const catalogue = nationalCatalogue();
  for (const code of scenario.places) {
    if (!catalogue.has(code)) throw new Error(`place ${code} is not in the division catalogue (${NATIONAL_EDITION.title}); find codes with \`govstats divisions search NAME\``);
  }
  const random = new Random(seed);
  const villages: ScenarioPlace[] = [...new Set(scenario.places)]
    .flatMap((code) => catalogue.within(code))
    .filter((d) => d.level === 'village')
    .map((d) => ({ code: d.code, level: 'village', urban: d.area === 'urban', weight: 0.5 + random.next() }));
  if (villages.length === 0) throw new Error(`no village or community of the division catalogue lies under ${scenario.places.join(', ')}`);
  checkFilters(scenario.targets);
  const organisedBy = scenario.activity.training_organised_by;
  const organisers = trainingOrganisers(villages, organisedBy);
  const organiserNoun = `training organiser (${Object.keys(organisedBy).join(', ')})`;
  const allocation = allocateTargets(scenario.targets, (measure) =>
    measure.startsWith('training-attendance.')
      ? { places: organisers.map((o) => o.organiser), noun: organiserNoun }
      : { places: villages, noun: 'village or community' },
  );
  const withSeed = { ...scenario, seed };
  return {
    scenario,
    seed,
    plans: villages.map((v) => planVillage(v, withSeed, allocation, scenario.targets)),
    training: organisers.map((o) => planTraining(o.organiser, o.villages, withSeed, allocation, scenario.targets)),
    calendar: buildCalendar(scenario.period.from, scenario.period.to),
  };
}

/** Events of the prepared scenario, day by day, each village in turn; memory does not grow with the stream. */
export function* scenarioEvents({ scenario, seed, plans, training, calendar }: PreparedScenario): Generator<Envelope> {
  const source = `urn:govstats:scenario:${scenario.name.replace(/[^A-Za-z0-9._:-]+/g, '-')}`;
  const days = calendar.days.length;
  // Resolved cases are received early enough to be resolved within the period.
  const receiptDays = Math.max(1, days > 42 ? days - 21 : Math.ceil(days / 2));
  for (let d = 0; d < days; d++) {
    const dayStart = calendar.days[d]!;
    for (const plan of plans) {
      const code = plan.village.code;
      const random = new Random(seed ^ Number(code.slice(3)) ^ Math.imul(d + 1, 2654435761));
      const id = (kind: string, n: number) => `s${seed}-${code}-${kind}${n}`;
      const at = (from: number, to: number) => dayStart + from * HOUR + Math.floor(random.next() * (to - from) * HOUR);
      const emit = (type: EventTypeDefinition, eventId: string, time: number, data: Record<string, unknown>) =>
        toEnvelope(type, { id: eventId, subject: code, time, data }, source, 1); // the generator writes contract v1 data

      const g = plan.grid;
      const [v0, v1] = slice(g.visits, calendar.work, d);
      for (let j = v0; j < v1; j++) {
        const service = spreadHit(j, g.visits, g.serviceVisits);
        const k = j - spreadBefore(j + 1, g.visits, g.serviceVisits);
        const household = !service && spreadHit(k, g.visits - g.serviceVisits, g.householdVisits);
        // The first visits bearing a household reach every household once; later ones revisit.
        const servicesBefore = spreadBefore(j, g.visits, g.serviceVisits);
        const ordinal = servicesBefore + spreadBefore(j - servicesBefore, g.visits - g.serviceVisits, g.householdVisits);
        const kind = service ? 'service_delivery' : household ? 'household_visit' : random.pick(['patrol', 'policy_publicity', 'hazard_check', 'dispute_screening'] as const);
        yield emit(GRID, id('v', j), at(8, 18), {
          grid_id: `G${(j < g.grids ? j : random.int(0, g.grids - 1)) + 1}`,
          member_id: `${code}-M${(j < g.members ? j : random.int(0, g.members - 1)) + 1}`,
          household_id: service || household ? `${code}-H${(ordinal < g.households ? ordinal : random.int(0, g.households - 1)) + 1}` : null,
          kind,
          issues_found: random.chance(0.2) ? 1 : 0,
          hazards_found: part(g.hazards, g.visits, j),
          duration_minutes: random.int(10, 90),
        });
      }

      const c = plan.dispute;
      const [c0, c1] = slice(c.received, calendar.every, d, receiptDays);
      for (let n = c0; n < c1; n++) {
        const receivedAt = at(8, 17);
        const base = { case_id: `${code}-C${n + 1}`, category: random.pick(['neighbourhood', 'marriage_family', 'land_resources', 'housing_boundary', 'labour_wages', 'contract_debt'] as const), parties: 2 };
        yield emit(DISPUTE, id('d', n * 3), receivedAt, { ...base, step: 'received', handling_level: 'village' });
        if (n >= c.resolved) continue;
        const receivedIso = new Date(receivedAt).toISOString();
        if (n < c.resolvedInVillage) {
          yield emit(DISPUTE, id('d', n * 3 + 1), receivedAt + random.int(1, 5 * 24) * HOUR, { ...base, step: 'resolved', handling_level: 'village', received_at: receivedIso });
        } else {
          yield emit(DISPUTE, id('d', n * 3 + 1), receivedAt + random.int(12, 48) * HOUR, { ...base, step: 'escalated', handling_level: 'township', received_at: receivedIso });
          yield emit(DISPUTE, id('d', n * 3 + 2), receivedAt + random.int(3 * 24, 19 * 24) * HOUR, { ...base, step: 'resolved', handling_level: 'township', received_at: receivedIso });
        }
      }

      for (let k = 0; k < plan.sales.length; k++) {
        const stream = plan.sales[k]!;
        const [i0, i1] = slice(stream.sales, calendar.every, d);
        for (let i = i0; i < i1; i++) {
          yield emit(SALE, id(`k${k}-`, i), at(7, 20), {
            cooperative_id: stream.cooperativeId,
            product: stream.product,
            quantity: part(stream.quantityMilli, stream.sales, i) / 1000,
            unit: stream.unit,
            amount_fen: part(stream.revenueFen, stream.sales, i),
            channel: stream.channel ?? random.pick(['wholesale', 'wholesale', 'e_commerce', 'retail', 'contract_purchase', 'livestream'] as const),
          });
        }
      }
    }
    for (const t of training) yield* trainingDay(t, seed, source, calendar, d);
  }
}

/**
 * One day of an organiser's sessions. A village's attendees are its own people; a township,
 * county or city school's come from the villages under it, each person numbered within the
 * organiser so distinct counts add up across organisers.
 */
function* trainingDay(t: TrainingPlan, seed: number, source: string, calendar: Calendar, d: number): Generator<Envelope> {
  const code = t.organiser.code;
  const dayStart = calendar.days[d]!;
  const random = new Random(seed ^ Number(code.slice(3)) ^ Math.imul(d + 1, 2654435761) ^ 0x7a11);
  const ownPeople = t.organiser.level === 'village';
  const personId = (person: number) =>
    ownPeople ? `${code}-P${person + 1}` : `${t.attendeeVillages[person % t.attendeeVillages.length]}-O${code.slice(0, PREFIX_LENGTH[t.organiser.level])}-${person + 1}`;
  const [s0, s1] = slice(t.sessions, calendar.work, d);
  for (let s = s0; s < s1; s++) {
    const start = dayStart + 8 * HOUR + Math.floor(random.next() * 7 * HOUR);
    const organisingLevel = ownPeople ? random.pick(['village', 'township', 'county'] as const) : t.organiser.level;
    const session = { session_id: `${code}-S${s + 1}`, course: random.pick(COURSES), organising_level: organisingLevel, mode: random.chance(0.3) ? 'online' : 'on_site', hours: random.pick([1, 1.5, 2, 3]) };
    const first = spreadBefore(s, t.sessions, t.attendances);
    for (let a = 0; a < part(t.attendances, t.sessions, s); a++) {
      const person = (first + a) % t.attendees;
      const data = { ...session, attendee_id: personId(person), role: roleOf(person, t.roleAttendees) };
      yield toEnvelope(TRAINING, { id: `s${seed}-${code}-t${first + a}`, subject: code, time: start, data }, source, 1);
    }
  }
}

const COURSES = ['基层党组织建设专题培训', '网格化管理业务培训', '矛盾纠纷排查化解实务', '乡村振兴政策解读', '农村集体经济发展与合作社经营', '安全生产与风险隐患排查'];
const OTHER_ROLES = ['party_member', 'village_cadre', 'resident', 'party_member', 'grid_member'];

/** A person keeps one role: the first ones fill the roles a target names, the rest take others. */
function roleOf(person: number, named: [string, number][]): string {
  let offset = person;
  for (const [role, count] of named) {
    if (offset < count) return role;
    offset -= count;
  }
  const free = OTHER_ROLES.filter((r) => !named.some(([n]) => n === r));
  return free[person % free.length] ?? 'other';
}
