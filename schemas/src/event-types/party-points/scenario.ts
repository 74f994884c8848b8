import { z } from 'zod';
import { HOUR_MS } from '../../core/china-time.ts';
import { defineScenarioPart } from '../../core/scenario-part.ts';
import { part, spreadBefore, spreadHit, workingTime } from '../../core/scenario-calendar.ts';
import { MAX_POINTS_PER_ENTRY, type POINTS_ITEMS } from './contract.ts';

type Item = (typeof POINTS_ITEMS)[number];

/**
 * One village's party members and points entries over the period, exactly. Members 0 … members − 1
 * are enrolled in the first days; the first `leavers` of them leave later on, each replaced by a
 * new member (members + k) who is enrolled a week after. Entries are days with member and sign.
 */
interface PointsPlan {
  code: string;
  members: number;
  leavers: number;
  branches: number;
  entries: number;
  deductions: number;
  /** Exact sums when targeted; otherwise each entry has its item's usual points. */
  awarded?: number;
  deducted?: number;
  /** Entry indices in order of their day, and the day of each. */
  order: Int32Array;
  entryDay: Int32Array;
  entryMember: Int32Array;
}

const POINTS_MEASURES = ['members_enrolled', 'members_scored', 'entries', 'points_awarded', 'points_deducted'];

/** Positive items by how often they are recorded, with the points an entry usually earns. */
const ITEM_POINTS: Record<Exclude<Item, 'deduction'>, { weight: number; points: number }> = {
  study: { weight: 30, points: 2 },
  theme_day: { weight: 25, points: 3 },
  volunteering: { weight: 15, points: 5 },
  household_contact: { weight: 15, points: 3 },
  task: { weight: 10, points: 5 },
  other: { weight: 5, points: 2 },
};
const ITEM_WEIGHTS = Object.fromEntries(Object.entries(ITEM_POINTS).map(([k, v]) => [k, v.weight])) as Record<
  keyof typeof ITEM_POINTS,
  number
>;

/** Days of the period the first members are enrolled over. */
const enrolmentDays = (days: number) => Math.max(1, Math.min(14, Math.floor(days / 10)));
const enrolDay = (m: number, members: number, days: number) => Math.floor((m * enrolmentDays(days)) / Math.max(1, members));
/** Leavers leave from a third of the way through the period to its end. */
function leaveDay(k: number, plan: { members: number; leavers: number }, days: number): number {
  const from = Math.floor(days / 3);
  return Math.max(enrolDay(k, plan.members, days), from + Math.floor(((k + 0.5) * (days - from)) / plan.leavers));
}
const joinDay = (k: number, plan: { members: number; leavers: number }, days: number) => Math.min(days - 1, leaveDay(k, plan, days) + 7);

/** The days member m is enrolled, inclusive. */
function enrolledDays(m: number, plan: { members: number; leavers: number }, days: number): [number, number] {
  if (m >= plan.members) return [joinDay(m - plan.members, plan, days), days - 1];
  const start = enrolDay(m, plan.members, days);
  return [start, m < plan.leavers ? leaveDay(m, plan, days) : days - 1];
}

export const partyPointsScenario = defineScenarioPart({
  activity: {
    points_party_members_per_village: z
      .int()
      .nonnegative()
      .max(10_000)
      .default(30)
      .describe('party members of an average village enrolled in points management (党员积分制管理)'),
    points_entries_per_member_per_month: z
      .number()
      .nonnegative()
      .max(100)
      .default(0.1)
      .describe('points entries per enrolled member per month'),
    points_member_turnover_per_year: z
      .number()
      .min(0)
      .max(1)
      .default(0.04)
      .describe('share of members leaving in a year (transferred out, deceased), each replaced by a new member'),
    points_deduction_share: z.number().min(0).max(1).default(0.05).describe('share of entries that are deductions (扣分)'),
  },
  targets: [
    { measure: 'members_enrolled' },
    { measure: 'entries' },
    { measure: 'members_scored', atMost: { measure: 'entries', conflict: 'more members scored than points entries' } },
    { measure: 'points_awarded' },
    { measure: 'points_deducted' },
  ],

  /** Members and leavers, then entries split into additions and deductions that can carry the targeted points. */
  plan({ producer: { place }, settings, months, random, quota, fail }): PointsPlan {
    const members = quota('members_enrolled') ?? Math.round(settings.points_party_members_per_village * place.weight);
    let leavers = Math.min(members, Math.floor(members * settings.points_member_turnover_per_year * (months / 12) + random.next()));
    const entriesTarget = quota('entries');
    const scoredTarget = quota('members_scored');
    const awarded = quota('points_awarded');
    const deducted = quota('points_deducted');
    // Each entry carries 1 … MAX points: the numbers of additions and deductions the sums allow.
    const low = (sum: number | undefined) => (sum === undefined || sum === 0 ? 0 : Math.ceil(sum / MAX_POINTS_PER_ENTRY));
    const high = (sum: number | undefined) => sum ?? Number.POSITIVE_INFINITY;
    const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));
    const wanted = entriesTarget ?? Math.round(members * settings.points_entries_per_member_per_month * months);
    const preferredDeductions = deducted !== undefined ? Math.round(deducted / 4) : Math.round(wanted * settings.points_deduction_share);
    let entries: number;
    let deductions: number;
    if (entriesTarget !== undefined) {
      entries = entriesTarget;
      const lo = Math.max(low(deducted), entries - high(awarded));
      const hi = Math.min(high(deducted), entries - low(awarded));
      if (lo > hi) fail(`${entries} entries cannot carry the targeted points (1 to ${MAX_POINTS_PER_ENTRY} each)`, POINTS_MEASURES);
      deductions = clamp(preferredDeductions, lo, hi);
    } else {
      deductions = clamp(preferredDeductions, low(deducted), high(deducted));
      let additions = clamp(wanted - deductions, low(awarded), high(awarded));
      // Enough entries for the members targeted as scored.
      const short = (scoredTarget ?? 0) - (additions + deductions);
      if (short > 0) {
        const more = Math.min(short, high(awarded) - additions);
        additions += more;
        deductions += Math.min(short - more, high(deducted) - deductions);
      }
      entries = additions + deductions;
    }
    if (entries > 0 && members + leavers === 0) fail(`${entries} points entries but no party member enrolled`, POINTS_MEASURES);
    const scored = scoredTarget ?? Math.min(entries, members + leavers);
    if (scored > entries) fail(`${scored} members scored with ${entries} entries`, POINTS_MEASURES);
    if (entries > 0 && scored === 0) fail(`${entries} entries but no member scored`, POINTS_MEASURES);
    // Members scored beyond those enrolled at the end are leavers, scored before they left.
    if (scored > members + leavers) leavers = scored - members;
    if (leavers > members) fail(`${scored} members scored but ${members} enrolled at period end`, POINTS_MEASURES);
    if ((awarded ?? 0) > 0 && entries === deductions) fail('points awarded without an entry to carry them', POINTS_MEASURES);
    if ((deducted ?? 0) > 0 && deductions === 0) fail('points deducted without an entry to carry them', POINTS_MEASURES);

    // Entries go round the scored members, each member's spread over the days they are enrolled:
    // those enrolled at the end first, then leavers.
    const days = Math.round(months * 30.44);
    const plan = { members, leavers };
    const slotMember = (slot: number) =>
      slot < members - leavers ? leavers + slot : slot < members ? members + (slot - (members - leavers)) : slot - members;
    const entryDay = new Int32Array(entries);
    const entryMember = new Int32Array(entries);
    for (let j = 0; j < entries; j++) {
      const slot = j % scored;
      const member = slotMember(slot);
      const count = Math.floor((entries - slot - 1) / scored) + 1;
      const [first, last] = enrolledDays(member, plan, days);
      entryMember[j] = member;
      entryDay[j] = first + Math.floor(((Math.floor(j / scored) + 0.5) * (last - first + 1)) / count);
    }
    const order = Int32Array.from({ length: entries }, (_, j) => j).sort((a, b) => entryDay[a]! - entryDay[b]! || a - b);
    return {
      code: place.code,
      members,
      leavers,
      branches: Math.max(1, Math.ceil((members + leavers) / 50)),
      entries,
      deductions,
      awarded,
      deducted,
      order,
      entryDay,
      entryMember,
    };
  },

  *emitDay(p, { day, dayStart, calendar, random }) {
    const days = calendar.days.length;
    const member = (m: number) => ({ member_id: `${p.code}M${m + 1}`, branch_id: `${p.code}-PB${(m % p.branches) + 1}` });
    for (let m = 0; m < p.members + p.leavers; m++) {
      const [first, last] = enrolledDays(m, p, days);
      if (first === day) yield { key: `e${m}`, time: workingTime(random, dayStart, 8, 10), data: { ...member(m), step: 'enrolled' } };
      if (m < p.leavers && last === day)
        yield { key: `l${m}`, time: workingTime(random, dayStart, 16, 18), data: { ...member(m), step: 'left' } };
    }
    // The entries of this day, found by binary search in day order.
    let lo = 0;
    let hi = p.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p.entryDay[p.order[mid]!]! < day) lo = mid + 1;
      else hi = mid;
    }
    const additions = p.entries - p.deductions;
    for (let i = lo; i < p.order.length && p.entryDay[p.order[i]!] === day; i++) {
      const j = p.order[i]!;
      const deduction = spreadHit(j, p.entries, p.deductions);
      let item: Item;
      let points: number;
      if (deduction) {
        item = 'deduction';
        points = -(p.deducted !== undefined ? part(p.deducted, p.deductions, spreadBefore(j, p.entries, p.deductions)) : random.int(1, 5));
      } else {
        item = random.weighted(ITEM_WEIGHTS);
        points =
          p.awarded !== undefined ? part(p.awarded, additions, j - spreadBefore(j + 1, p.entries, p.deductions)) : ITEM_POINTS[item].points;
      }
      yield {
        key: `p${j}`,
        time: dayStart + 10 * HOUR_MS + Math.floor(random.next() * 6 * HOUR_MS),
        data: { ...member(p.entryMember[j]!), step: 'scored', item, points },
      };
    }
  },
});
