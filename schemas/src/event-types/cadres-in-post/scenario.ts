import { z } from 'zod';
import type { Random } from '../../core/random.ts';
import { defineScenarioPart } from '../../core/scenario-part.ts';
import { eventsOnDay, momentAt } from '../../core/scenario-calendar.ts';
import { CADRE_ROLES, EMPLOYMENTS, type END_REASONS, type SENDING_UNITS } from './contract.ts';

type Role = (typeof CADRE_ROLES)[number];
type Employment = (typeof EMPLOYMENTS)[number];
type SendingUnit = (typeof SENDING_UNITS)[number];
type EndReason = (typeof END_REASONS)[number];

/** One posting of the period; `postedAt` and `endedAt` are places in the period, 0 (first moment) to 1. */
interface Posting {
  role: Role;
  employment: Employment;
  sendingUnit: SendingUnit;
  gridId?: string;
  postedAt: number;
  /** Absent: still in post at the end of the period. */
  endedAt?: number;
  endReason?: EndReason;
}

interface PostingStep {
  at: number;
  posting: number;
  ended: boolean;
}

interface CadrePlan {
  code: string;
  postings: Posting[];
  /** In time order. */
  steps: PostingStep[];
}

type ByEmployment = Record<Employment, number>;

/** Where-filtered states a target may name instead of `in_post` with a filter: the same figure. */
const STATE_ALIASES: Record<string, { role: Role; employment?: Employment }> = {
  first_secretaries_in_post: { role: 'first_secretary' },
  work_team_members_in_post: { role: 'work_team_member' },
  sunk_cadres_in_post: { role: 'sunk_cadre' },
  grid_members_in_post: { role: 'grid_member' },
  full_time_grid_members_in_post: { role: 'grid_member', employment: 'full_time' },
  micro_grid_members_in_post: { role: 'micro_grid_member' },
};

/** The filter key of a role, and employment if given, as targets spell it. */
function filterOf(role: Role, employment?: Employment): string {
  return employment ? `employment=${employment},role=${role}` : `role=${role}`;
}

const aliasOf = new Map(Object.entries(STATE_ALIASES).map(([measure, f]) => [filterOf(f.role, f.employment), measure]));

/** Postings are targeted per role, optionally per employment too. */
const byRole = {
  accepts: (filter: Record<string, string>) =>
    (CADRE_ROLES as readonly string[]).includes(filter.role ?? '') &&
    (filter.employment === undefined || (EMPLOYMENTS as readonly string[]).includes(filter.employment)) &&
    Object.keys(filter).every((k) => k === 'role' || k === 'employment'),
  described: `role (one of ${CADRE_ROLES.join(', ')}), with employment (full_time, part_time) optional`,
};

const SENDING_UNIT_WEIGHTS: Record<Role, Partial<Record<SendingUnit, number>>> = {
  first_secretary: { province: 1, city: 2, county: 6, enterprise: 1, institution: 1 },
  work_team_member: { county: 5, township: 3, enterprise: 1, institution: 1 },
  sunk_cadre: { city: 3, county: 4, township: 2, institution: 1 },
  grid_member: { village: 7, township: 3 },
  micro_grid_member: { village: 1 },
  contact_party_member: { village: 1 },
  contact_cadre: { township: 2, village: 3 },
};

/** Resident cadres rotate at the end of a term; grid workers leave or move. */
const END_REASON_WEIGHTS: Record<'sent' | 'local', Partial<Record<EndReason, number>>> = {
  sent: { term_completed: 3, recalled: 1, reassigned: 1 },
  local: { left: 3, reassigned: 2, other: 1 },
};
const SENT_ROLES: readonly Role[] = ['first_secretary', 'work_team_member', 'sunk_cadre'];

/** Roles that serve a grid of their own, with the prefix of its id. */
const GRID_PREFIX: Partial<Record<Role, string>> = { grid_member: 'G', micro_grid_member: 'M' };

/** How many of `n` draws come true, each with `probability` (posts changing hands, grid members who are full-time). */
function drawCount(n: number, probability: number, random: Random): number {
  let changed = 0;
  for (let i = 0; i < n; i++) if (random.chance(probability)) changed++;
  return changed;
}

/**
 * Holders of `final` posts that are filled at the end of the period, after `posted` postings in
 * it: every post is filled in the first days, and the postings beyond the final ones end within
 * the period, most of them replaced by the next holder a few days later.
 */
function postingsOf(role: Role, employment: Employment, final: number, posted: number, random: Random, nextGrid: () => number): Posting[] {
  const ended = posted - final;
  const slots = final > 0 ? final : Math.ceil(ended / 2);
  const holders = new Array<number>(slots).fill(final > 0 ? 1 : 0);
  const start = slots > 0 ? random.int(0, slots - 1) : 0;
  for (let k = 0; k < ended; k++) holders[(start + k) % slots]!++;
  const postings: Posting[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const live = slot < final;
    const h = holders[slot]!;
    const prefix = GRID_PREFIX[role];
    const gridId = prefix ? `${prefix}${nextGrid()}` : undefined;
    const first = 0.03 * random.next();
    // Changes of holder, spread over the rest of the period: the last holder stays if the post is still filled.
    const changes = live ? h - 1 : h;
    const span = (0.97 - first) / (changes + 1);
    let postedAt = first;
    for (let k = 1; k <= h; k++) {
      const posting: Posting = {
        role,
        employment,
        sendingUnit: random.weighted(SENDING_UNIT_WEIGHTS[role] as Record<SendingUnit, number>),
        gridId,
        postedAt,
      };
      if (k <= changes) {
        posting.endedAt = first + span * (k + 0.6 * (random.next() - 0.5));
        posting.endReason = random.weighted(END_REASON_WEIGHTS[SENT_ROLES.includes(role) ? 'sent' : 'local'] as Record<EndReason, number>);
        postedAt = posting.endedAt + span * (0.01 + 0.19 * random.next());
      }
      postings.push(posting);
    }
  }
  return postings;
}

export const cadresInPostScenario = defineScenarioPart({
  activity: {
    first_secretary_village_share: z
      .number()
      .min(0)
      .max(1)
      .default(0.33)
      .describe('share of rural villages with a resident first secretary (驻村第一书记)'),
    work_team_members_per_first_secretary: z
      .int()
      .min(0)
      .max(20)
      .default(2)
      .describe('work team members (驻村工作队) besides each first secretary'),
    sunk_cadres_per_community: z.number().min(0).max(100).default(1).describe('cadres sunk (下沉) to an average urban community'),
    posted_grid_members_per_village: z
      .number()
      .min(0)
      .max(200)
      .default(2)
      .describe('grid members (网格员) of an average village or community'),
    full_time_grid_member_share: z
      .object({ urban: z.number().min(0).max(1), rural: z.number().min(0).max(1) })
      .strict()
      .default({ urban: 0.6, rural: 0 })
      .describe('share of grid members who are full-time (专职), in communities and in villages'),
    posted_micro_grid_members_per_village: z
      .number()
      .min(0)
      .max(1000)
      .default(0)
      .describe('micro-grid members (微网格员) of an average village'),
    contact_party_members_per_village: z
      .number()
      .min(0)
      .max(1000)
      .default(0)
      .describe('party members in contact with households (联户党员) of an average village'),
    contact_cadres_per_village: z
      .number()
      .min(0)
      .max(1000)
      .default(0)
      .describe('cadres in contact with households (包联干部) of an average village'),
    posting_turnover_per_year: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('share of posts that change hands in a year (a posting ends and a new one begins)'),
  },
  targets: [
    { measure: 'posted', filters: byRole },
    {
      measure: 'in_post',
      filters: byRole,
      atMost: {
        measure: 'posted',
        conflict: 'more in post at the end of the period than posted in it (a scenario begins with nobody in post)',
      },
    },
    ...Object.keys(STATE_ALIASES).map((measure) => ({ measure })),
  ],

  /**
   * For each role and employment, the number in post at the end of the period (targeted, or a
   * plausible default) and the postings in the period (targeted, or those plus some turnover). All
   * posts are filled in the first days; postings beyond the final number end within the period.
   */
  plan({ producer: { place }, settings, months, random, quota, fail }): CadrePlan {
    const years = months / 12;
    const urban = place.urban === true;
    const inPostQuota = (role: Role, employment?: Employment) => {
      const key = filterOf(role, employment);
      const direct = quota('in_post', key);
      const alias = aliasOf.get(key);
      const named = alias ? quota(alias) : undefined;
      if (direct !== undefined && named !== undefined && direct !== named)
        fail(`in_post [${key}] and ${alias} are the same figure but were given ${direct} and ${named}`, ['in_post', alias!]);
      return direct ?? named;
    };
    const measuresOf = (role: Role) => ['in_post', 'posted', ...Object.keys(STATE_ALIASES).filter((m) => STATE_ALIASES[m]!.role === role)];
    const fullTimeShare = (role: Role): number => {
      if (role === 'first_secretary' || role === 'work_team_member') return 1;
      if (role === 'grid_member') return urban ? settings.full_time_grid_member_share.urban : settings.full_time_grid_member_share.rural;
      return 0;
    };
    const byDefault = (role: Role, firstSecretaries: number): number => {
      switch (role) {
        case 'first_secretary':
          return !urban && random.chance(settings.first_secretary_village_share) ? 1 : 0;
        case 'work_team_member':
          return firstSecretaries * settings.work_team_members_per_first_secretary;
        case 'sunk_cadre':
          return urban ? Math.round(settings.sunk_cadres_per_community * place.weight) : 0;
        case 'grid_member':
          return settings.posted_grid_members_per_village > 0
            ? Math.max(1, Math.round(settings.posted_grid_members_per_village * place.weight))
            : 0;
        case 'micro_grid_member':
          return Math.round(settings.posted_micro_grid_members_per_village * place.weight);
        case 'contact_party_member':
          return Math.round(settings.contact_party_members_per_village * place.weight);
        case 'contact_cadre':
          return Math.round(settings.contact_cadres_per_village * place.weight);
      }
    };
    const turnoverChance = Math.min(1, settings.posting_turnover_per_year * years);

    const postings: Posting[] = [];
    let firstSecretaries = 0;
    for (const role of CADRE_ROLES) {
      const share = fullTimeShare(role);
      const split = (n: number): ByEmployment => {
        const full = drawCount(n, share, random);
        return { full_time: full, part_time: n - full };
      };
      // In post at the end, by employment.
      const all = inPostQuota(role);
      const given = { full_time: inPostQuota(role, 'full_time'), part_time: inPostQuota(role, 'part_time') };
      let final: ByEmployment;
      if (given.full_time !== undefined && given.part_time !== undefined) {
        if (all !== undefined && all !== given.full_time + given.part_time)
          fail(`${role}: full-time and part-time in post add up to ${given.full_time + given.part_time}, not ${all}`, measuresOf(role));
        final = { full_time: given.full_time, part_time: given.part_time };
      } else if (all !== undefined) {
        const full = given.full_time ?? (given.part_time !== undefined ? all - given.part_time : Math.round(all * share));
        if (full < 0 || full > all) fail(`${role}: more in post by employment than in post in all`, measuresOf(role));
        final = { full_time: full, part_time: all - full };
      } else {
        const drawn = split(byDefault(role, firstSecretaries));
        final = { full_time: given.full_time ?? drawn.full_time, part_time: given.part_time ?? drawn.part_time };
      }
      // Postings in the period, by employment: at least those in post at the end.
      const postedAll = quota('posted', filterOf(role));
      const postedGiven = {
        full_time: quota('posted', filterOf(role, 'full_time')),
        part_time: quota('posted', filterOf(role, 'part_time')),
      };
      const finalAll = final.full_time + final.part_time;
      let posted: ByEmployment;
      if (postedAll !== undefined) {
        let full: number;
        if (postedGiven.full_time !== undefined) full = postedGiven.full_time;
        else if (postedGiven.part_time !== undefined) full = postedAll - postedGiven.part_time;
        else {
          const extra = postedAll - finalAll;
          full = final.full_time + Math.round(Math.max(0, extra) * (finalAll > 0 ? final.full_time / finalAll : share));
        }
        posted = { full_time: full, part_time: postedAll - full };
        if (postedGiven.part_time !== undefined && postedGiven.part_time !== posted.part_time)
          fail(`${role}: full-time and part-time postings add up to ${full + postedGiven.part_time}, not ${postedAll}`, measuresOf(role));
      } else {
        posted = {
          full_time: postedGiven.full_time ?? final.full_time + drawCount(final.full_time, turnoverChance, random),
          part_time: postedGiven.part_time ?? final.part_time + drawCount(final.part_time, turnoverChance, random),
        };
      }
      for (const employment of EMPLOYMENTS) {
        if (posted[employment] < final[employment])
          fail(
            `${role} (${employment}): ${final[employment]} in post at the end of the period but only ${posted[employment]} posted in it`,
            measuresOf(role),
          );
      }
      if (role === 'first_secretary') firstSecretaries = finalAll;
      let grids = 0;
      for (const employment of EMPLOYMENTS)
        postings.push(...postingsOf(role, employment, final[employment], posted[employment], random, () => ++grids));
    }

    const steps: PostingStep[] = [];
    postings.forEach((p, i) => {
      steps.push({ at: p.postedAt, posting: i, ended: false });
      if (p.endedAt !== undefined) steps.push({ at: p.endedAt, posting: i, ended: true });
    });
    steps.sort((a, b) => a.at - b.at || Number(a.ended) - Number(b.ended));
    return { code: place.code, postings, steps };
  },

  *emitDay(plan, { day, calendar }) {
    const days = calendar.days.length;
    // Steps are in time order.
    const [first, end] = eventsOnDay(plan.steps.length, (i) => plan.steps[i]!.at, day, days);
    for (let i = first; i < end; i++) {
      const { at, posting: n, ended } = plan.steps[i]!;
      const posting = plan.postings[n]!;
      yield {
        key: `${ended ? 'e' : 'p'}${n}`,
        time: momentAt(at, calendar),
        data: {
          posting_id: `${plan.code}-P${n + 1}`,
          person_id: `cadre-${plan.code}-${n + 1}`,
          step: ended ? 'ended' : 'posted',
          role: posting.role,
          employment: posting.employment,
          sending_unit: posting.sendingUnit,
          ...(posting.gridId ? { grid_id: `${plan.code}-${posting.gridId}` } : {}),
          ...(ended ? { posted_at: new Date(momentAt(posting.postedAt, calendar)).toISOString(), end_reason: posting.endReason } : {}),
        },
      };
    }
  },
});
