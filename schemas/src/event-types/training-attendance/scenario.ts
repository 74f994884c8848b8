import { z } from 'zod';
import { HOUR_MS } from '../../core/china-time.ts';
import { PREFIX_LENGTH, ancestorCode, levelOfCode, type RollupLevel } from '../../core/division-code.ts';
import { defineScenarioPart, type Producer, type ScenarioPlace } from '../../core/scenario-part.ts';
import { part, slice, spreadBefore } from '../../core/scenario-calendar.ts';

/** Levels that can run training sessions: a village, or a township, county or city school. */
export const ORGANISER_LEVELS = ['village', 'township', 'county', 'city'] as const;

/** Exactly what one organiser of training (a village, or a township, county or city school) will run. */
interface TrainingPlan {
  organiser: ScenarioPlace;
  /** Villages its attendees come from: the organiser itself when it is a village. */
  attendeeVillages: string[];
  sessions: number;
  attendances: number;
  attendees: number;
  /** People in named roles (first secretaries, …), counted among the attendees. */
  roleAttendees: [string, number][];
}

const MEASURES = ['sessions', 'attendances', 'attendees'];
const COURSES = [
  '基层党组织建设专题培训',
  '网格化管理业务培训',
  '矛盾纠纷排查化解实务',
  '乡村振兴政策解读',
  '农村集体经济发展与合作社经营',
  '安全生产与风险隐患排查',
];
const OTHER_ROLES = ['party_member', 'village_cadre', 'resident', 'party_member', 'grid_member'];

/**
 * The organisers of training at the levels the scenario names: its villages, or the townships,
 * counties and cities over them. An organiser's weight is its level's share of the sessions
 * times the weight of the villages it draws attendees from.
 */
function trainingOrganisers(villages: ScenarioPlace[], organisedBy: Partial<Record<RollupLevel, number>>): Producer[] {
  const totalShare = Object.values(organisedBy).reduce((n, share) => n + (share ?? 0), 0);
  const organisers = new Map<string, Producer>();
  for (const [level, share] of Object.entries(organisedBy) as [RollupLevel, number][]) {
    for (const village of villages) {
      // A city without counties (东莞) has no county school apart from the city's own.
      const code = ancestorCode(village.code, level);
      const entry = organisers.get(code) ?? { place: { code, level: levelOfCode(code) as RollupLevel, weight: 0 }, villages: [] };
      entry.place.weight += (share / totalShare) * village.weight;
      if (!entry.villages.includes(village.code)) entry.villages.push(village.code);
      organisers.set(code, entry);
    }
  }
  return [...organisers.values()].sort((a, b) => a.place.code.localeCompare(b.place.code));
}

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

export const trainingAttendanceScenario = defineScenarioPart({
  activity: {
    training_sessions_per_village_per_year: z
      .number()
      .nonnegative()
      .default(6)
      .describe('sessions per village (or per village under a school) in a year'),
    attendances_per_session: z.int().positive().default(25).describe('attendances of an average session'),
    /**
     * Who runs training sessions, as relative shares of the sessions: villages by default; a
     * county party school or city school counts at its own level and above, and draws its
     * attendees from the villages under it.
     */
    training_organised_by: z
      .partialRecord(z.enum(ORGANISER_LEVELS), z.number().positive())
      .refine((shares) => Object.keys(shares).length > 0, 'name at least one level')
      .default({ village: 1 })
      .describe('who runs sessions, as shares: village, township, county, city'),
  },
  targets: [
    { measure: 'sessions', atMost: { measure: 'attendances', conflict: 'fewer attendances than sessions' } },
    { measure: 'attendances' },
    {
      measure: 'attendees',
      atMost: { measure: 'attendances', conflict: 'fewer attendances than distinct attendees' },
      filters: {
        accepts: (filter) => Object.keys(filter).length === 0 || (Object.keys(filter).length === 1 && filter.role !== undefined),
        described: 'role=*',
      },
    },
  ],

  producers: (villages, settings) => ({
    producers: trainingOrganisers(villages, settings.training_organised_by),
    noun: `training organiser (${Object.keys(settings.training_organised_by).join(', ')})`,
  }),

  /** Sessions, attendances and people of one organiser, each person attending a session at most once. */
  plan({ producer, settings, months, quota, targetedFilters, fail }): TrainingPlan {
    const attendanceTarget = quota('attendances');
    const sessionTarget = quota('sessions');
    // Unstated: each village's worth of the organiser's weight runs its yearly share of sessions.
    const sessions =
      sessionTarget ??
      (attendanceTarget !== undefined
        ? Math.ceil(attendanceTarget / settings.attendances_per_session)
        : Math.round(settings.training_sessions_per_village_per_year * (months / 12) * producer.place.weight));
    const attendances = attendanceTarget ?? sessions * settings.attendances_per_session;
    const roleAttendees = targetedFilters('attendees')
      .filter((filter) => filter.startsWith('role='))
      .map((filter) => [filter.slice('role='.length), quota('attendees', filter) ?? 0] as [string, number])
      .filter(([, n]) => n > 0);
    const roleTotal = roleAttendees.reduce((n, [, c]) => n + c, 0);
    const perSession = sessions > 0 ? Math.ceil(attendances / sessions) : 0;
    const attendees = quota('attendees') ?? Math.min(attendances, Math.max(perSession, roleTotal, Math.round(attendances / 4)));
    if (attendances > 0 && sessions === 0) fail('attendances without sessions', MEASURES);
    if (attendances < sessions || attendances < attendees) fail('fewer attendances than sessions or attendees', MEASURES);
    if (perSession > attendees) fail(`${attendees} people cannot fill sessions of ${perSession} without attending one twice`, MEASURES);
    if (roleTotal > attendees) fail('more attendees in named roles than attendees', MEASURES);
    return { organiser: producer.place, attendeeVillages: producer.villages, sessions, attendances, attendees, roleAttendees };
  },

  /**
   * One day of an organiser's sessions. A village's attendees are its own people; a township,
   * county or city school's come from the villages under it, each person numbered within the
   * organiser so distinct counts add up across organisers.
   */
  *emitDay(t, { day, dayStart, calendar, random }) {
    const code = t.organiser.code;
    const ownPeople = t.organiser.level === 'village';
    const personId = (person: number) =>
      ownPeople
        ? `${code}-P${person + 1}`
        : `${t.attendeeVillages[person % t.attendeeVillages.length]}-O${code.slice(0, PREFIX_LENGTH[t.organiser.level])}-${person + 1}`;
    const [s0, s1] = slice(t.sessions, calendar.work, day);
    for (let s = s0; s < s1; s++) {
      const start = dayStart + 8 * HOUR_MS + Math.floor(random.next() * 7 * HOUR_MS);
      const organisingLevel = ownPeople ? random.pick(['village', 'township', 'county'] as const) : t.organiser.level;
      const session = {
        session_id: `${code}-S${s + 1}`,
        course: random.pick(COURSES),
        organising_level: organisingLevel,
        mode: random.chance(0.3) ? 'online' : 'on_site',
        hours: random.pick([1, 1.5, 2, 3]),
      };
      const first = spreadBefore(s, t.sessions, t.attendances);
      for (let a = 0; a < part(t.attendances, t.sessions, s); a++) {
        const person = (first + a) % t.attendees;
        yield {
          key: `t${first + a}`,
          time: start,
          data: { ...session, attendee_id: personId(person), role: roleOf(person, t.roleAttendees) },
        };
      }
    }
  },
});
