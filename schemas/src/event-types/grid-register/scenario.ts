import { z } from 'zod';
import { HOUR_MS } from '../../core/china-time.ts';
import type { Random } from '../../core/random.ts';
import { ScenarioConflict, defineScenarioPart, type ScenarioTarget } from '../../core/scenario-part.ts';
import { part, workingTime } from '../../core/scenario-calendar.ts';
import { GRID_KINDS, MAX_GRID_HOUSEHOLDS, MAX_GRID_MEMBERS, type GridKind } from './contract.ts';

/** One grid of a village's plan: its final values, or for a retired one what it had. */
interface Grid {
  seq: number;
  id: string;
  kind: GridKind;
  parent?: string;
  households: number;
  members: number;
  /** Set when the grid is changed in the period: its values when created. */
  initial?: { households: number; members: number };
}

/** Something that happens to grids after they are set up. */
type Move = { change: Grid } | { retire: Grid; replacement?: Grid };

/**
 * A village's grid register over the period: first-layer grids set up early, micro-grids and
 * street stations after their parents, then changes and retirements (some replaced at once).
 */
interface RegisterPlan {
  early: Grid[];
  later: Grid[];
  moves: Move[];
}

const ID_PREFIX: Record<GridKind, string> = { villager_group: 'VG', urban: 'UG', area: 'PQ', micro: 'MG', street_station: 'JX' };
/** Plausible households of one grid of each kind, for grids whose households no figure fixes. */
const HOUSEHOLDS: Record<GridKind, [number, number]> = {
  villager_group: [30, 120],
  urban: [250, 500],
  area: [100, 400],
  micro: [10, 30],
  street_station: [40, 200],
};
const MEMBERS: Record<GridKind, [number, number]> = {
  villager_group: [1, 1],
  urban: [1, 2],
  area: [1, 2],
  micro: [1, 1],
  street_station: [2, 3],
};
const GRID_MEASURES = ['grids_in_place', 'created'];

/** Grids are targeted in total or for one kind. */
const byKind = {
  accepts: (filter: Record<string, string>) =>
    Object.keys(filter).length === 0 || (Object.keys(filter).length === 1 && (GRID_KINDS as readonly string[]).includes(filter.kind ?? '')),
  described: `kind (${GRID_KINDS.join(', ')})`,
};

/** Villager-group grids are rural and urban community grids urban: a target scoped the other way cannot hold. */
function checkKindScopes(targets: ScenarioTarget[]): void {
  for (const target of targets) {
    if (!GRID_MEASURES.includes(target.measure) || target.value === 0) continue;
    if (target.filter.kind === 'villager_group' && target.scope === 'urban')
      throw new ScenarioConflict('villager-group grids (村民小组网格) are only in rural villages, not in urban communities', [target]);
    if (target.filter.kind === 'urban' && target.scope === 'rural')
      throw new ScenarioConflict('urban community grids (城市社区网格) are only in urban communities, not in rural villages', [target]);
  }
}

/** `total` split into `n` uneven whole parts (±30%), none above `max`; even parts when uneven ones would be. */
function split(total: number, n: number, random: Random, max: number): number[] {
  if (n <= 0) return [];
  const weights = Array.from({ length: n }, () => 0.7 + 0.6 * random.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  for (let i = 0, rest = total - parts.reduce((a, b) => a + b, 0); rest > 0; i = (i + 1) % n, rest--) parts[i]!++;
  return parts.some((p) => p > max) ? parts.map((_, i) => part(total, n, i)) : parts;
}

/** How many of `n` grids a chance `p` hits. */
function hits(n: number, p: number, random: Random): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (random.chance(p)) count++;
  return count;
}

/** Days [start, end) of a calendar of `days` days between two fractions of it, never empty. */
function window(days: number, from: number, to: number): [number, number] {
  const start = Math.min(days - 1, Math.floor(days * from));
  return [start, Math.min(days, Math.max(start + 1, Math.floor(days * to)))];
}

/** Items [first, end) of `total` spread over the days of a window that fall on day `d`. */
function windowSlice(total: number, cumulative: number[], d: number, [start, end]: [number, number]): [number, number] {
  if (total === 0 || d < start || d >= end) return [0, 0];
  const base = cumulative[start]!;
  const whole = cumulative[end]! - base;
  const at = (i: number) => (i >= end ? total : Math.floor((total * (cumulative[i]! - base)) / whole + 1e-9));
  return [at(d), at(d + 1)];
}

export const gridRegisterScenario = defineScenarioPart({
  activity: {
    villager_group_grids_per_village: z
      .number()
      .nonnegative()
      .default(5)
      .describe('villager-group grids (村民小组网格) of an average rural village'),
    urban_grids_per_community: z.number().nonnegative().default(4).describe('urban grids (城市社区网格) of an average urban community'),
    grid_households_per_village: z
      .int()
      .nonnegative()
      .default(400)
      .describe('households of an average village or community, shared among its base grids'),
    area_village_share: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('share of villages and communities divided into areas (片区), 2–3 each'),
    micro_grid_village_share: z
      .number()
      .min(0)
      .max(1)
      .default(0.08)
      .describe('share of villages and communities whose grids are divided into micro-grids (微网格), 3 per area or base grid'),
    street_station_village_share: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('share of villages and communities with street service stations (街巷服务站), 1–3 each'),
    grid_retire_rate_per_year: z.number().min(0).max(1).default(0.05).describe('share of grids retired (most replaced at once) in a year'),
    grid_change_rate_per_year: z
      .number()
      .min(0)
      .max(1)
      .default(0.15)
      .describe('share of grids whose households or members are adjusted in a year'),
  },
  targets: [
    {
      measure: 'grids_in_place',
      filters: byKind,
      atMost: { measure: 'created', conflict: 'more grids in place at the end than created in the period (a scenario starts with none)' },
    },
    { measure: 'created', filters: byKind },
    { measure: 'households_covered' },
    { measure: 'members_assigned' },
  ],
  checkTargets: checkKindScopes,

  plan({ producer: { place }, settings, months, random, quota, fail }): RegisterPlan {
    const urban = place.urban === true;
    const base: GridKind = urban ? 'urban' : 'villager_group';
    const other: GridKind = urban ? 'villager_group' : 'urban';
    const endQuota = (kind: GridKind) => quota('grids_in_place', `kind=${kind}`);
    const createdQuota = (kind: GridKind) => quota('created', `kind=${kind}`);
    if ((endQuota(other) ?? 0) > 0 || (createdQuota(other) ?? 0) > 0)
      fail(
        urban
          ? 'an urban community has no villager-group grids (村民小组网格): scope the target rural'
          : 'a rural village has no urban community grids (城市社区网格): scope the target urban',
        GRID_MEASURES,
      );
    const totalEnd = quota('grids_in_place');
    const totalCreated = quota('created');
    const stateFixed = (kind: GridKind) => totalEnd !== undefined || endQuota(kind) !== undefined;

    // Grids in place at the end, kind by kind: targeted, else defaults (all absorbed by a total if one is targeted).
    const perPlace = urban ? settings.urban_grids_per_community : settings.villager_group_grids_per_village;
    const end: Record<GridKind, number> = { villager_group: 0, urban: 0, area: 0, micro: 0, street_station: 0 };
    end[base] = Math.max(1, Math.round(perPlace * place.weight));
    if (random.chance(settings.area_village_share)) end.area = random.int(2, 3);
    if (random.chance(settings.micro_grid_village_share)) end.micro = 3 * (end.area || end[base]);
    if (random.chance(settings.street_station_village_share)) end.street_station = random.int(1, 3);
    if (totalEnd !== undefined) for (const kind of GRID_KINDS) end[kind] = 0;
    for (const kind of GRID_KINDS) end[kind] = endQuota(kind) ?? end[kind];
    if (totalEnd !== undefined) {
      const rest = totalEnd - GRID_KINDS.reduce((n, k) => n + end[k], 0);
      const absorbing = ([base, 'area', 'street_station'] as const).find((k) => endQuota(k) === undefined);
      if (rest < 0 || (rest > 0 && absorbing === undefined))
        fail(`grids of the targeted kinds cannot add up to ${totalEnd} grids in place`, ['grids_in_place']);
      if (absorbing) end[absorbing] = rest;
    }

    // Grids set up in the period: those in place at the end plus those retired on the way.
    const retireChance = Math.min(1, (settings.grid_retire_rate_per_year * months) / 12);
    const retire: Record<GridKind, number> = { villager_group: 0, urban: 0, area: 0, micro: 0, street_station: 0 };
    for (const kind of GRID_KINDS) {
      const created = createdQuota(kind);
      if (created === undefined) retire[kind] = hits(end[kind], retireChance, random);
      else {
        if (!stateFixed(kind)) end[kind] = Math.min(end[kind], created);
        if (created < end[kind]) fail(`${created} ${kind} grids created cannot leave ${end[kind]} in place`, GRID_MEASURES);
        retire[kind] = created - end[kind];
      }
    }
    if (totalCreated !== undefined) {
      const adjustable = GRID_KINDS.filter((k) => createdQuota(k) === undefined && k !== other);
      let diff = totalCreated - GRID_KINDS.reduce((n, k) => n + end[k] + retire[k], 0);
      // Fewer set up than planned: fewer retirements, then fewer of the grids no figure fixes.
      for (const kind of adjustable) {
        const less = Math.min(retire[kind], Math.max(0, -diff));
        retire[kind] -= less;
        diff += less;
      }
      for (const kind of (['street_station', 'micro', 'area', base] as const).filter((k) => adjustable.includes(k) && !stateFixed(k))) {
        const less = Math.min(end[kind], Math.max(0, -diff));
        end[kind] -= less;
        diff += less;
      }
      // More set up than planned: more grids set up and retired again.
      const extra = ([base, 'area', 'street_station'] as const).find((k) => adjustable.includes(k));
      if (diff > 0 && extra) retire[extra] += diff;
      else if (diff !== 0) fail(`the grids set up by kind cannot add up to ${totalCreated} created`, GRID_MEASURES);
    }
    const parentKind: GridKind = end.area > 0 ? 'area' : base;
    if (end.micro + retire.micro > 0 && end[parentKind] === 0)
      fail('micro-grids (微网格) need an area or a base grid in place to belong to', [...GRID_MEASURES]);

    // Households: the base grids share the village's households; areas divide them, micro-grids their parent's.
    const householdsTarget = quota('households_covered');
    const villageHouseholds = Math.max(
      Math.round(settings.grid_households_per_village * place.weight),
      end[base] * HOUSEHOLDS[base][0],
      end.micro * 12,
    );
    const covered = householdsTarget ?? (end[base] > 0 ? Math.min(villageHouseholds, end[base] * MAX_GRID_HOUSEHOLDS) : 0);
    if (covered > end[base] * MAX_GRID_HOUSEHOLDS)
      fail(`${covered} households cannot be covered by ${end[base]} base grids (at most ${MAX_GRID_HOUSEHOLDS} each)`, [
        'households_covered',
        ...GRID_MEASURES,
      ]);

    let seq = 0;
    const grids = new Map<GridKind, Grid[]>(GRID_KINDS.map((k) => [k, []]));
    const make = (kind: GridKind, households: number, parent?: string): Grid => {
      seq++;
      const grid: Grid = { seq, id: `${ID_PREFIX[kind]}${String(seq).padStart(3, '0')}`, kind, households, members: 0 };
      if (parent !== undefined) grid.parent = parent;
      return grid;
    };
    const plausible = (kind: GridKind) => random.int(...HOUSEHOLDS[kind]);
    const baseHouseholds = split(covered, end[base], random, MAX_GRID_HOUSEHOLDS);
    const areaHouseholds = split(covered || villageHouseholds, end.area, random, MAX_GRID_HOUSEHOLDS);
    for (const h of baseHouseholds) grids.get(base)!.push(make(base, h));
    for (const h of areaHouseholds) grids.get('area')!.push(make('area', h));
    const parents = grids.get(parentKind)!;
    const children = (i: number) => Math.floor(end.micro / parents.length) + (i < end.micro % parents.length ? 1 : 0);
    parents.forEach((p, i) => {
      for (const h of split(p.households, children(i), random, MAX_GRID_HOUSEHOLDS)) grids.get('micro')!.push(make('micro', h, p.id));
    });
    for (let i = 0; i < end.street_station; i++) grids.get('street_station')!.push(make('street_station', plausible('street_station')));

    // Members: targeted, spread over every grid in place; else a plausible number per grid.
    const survivors = GRID_KINDS.flatMap((k) => grids.get(k)!);
    const membersTarget = quota('members_assigned');
    if (membersTarget !== undefined && membersTarget > survivors.length * MAX_GRID_MEMBERS)
      fail(`${membersTarget} grid members cannot be assigned to ${survivors.length} grids (at most ${MAX_GRID_MEMBERS} each)`, [
        'members_assigned',
        ...GRID_MEASURES,
      ]);
    survivors.forEach((g, i) => {
      g.members = membersTarget !== undefined ? part(membersTarget, survivors.length, i) : random.int(...MEMBERS[g.kind]);
    });

    // Retired grids, each replaced at once by one of the same kind in place at the end when one is free (never a parent).
    const moves: Move[] = [];
    const replacements = new Set<Grid>();
    const isParent = new Set(grids.get('micro')!.map((g) => g.parent));
    for (const kind of GRID_KINDS) {
      const free = grids
        .get(kind)!
        .filter((g) => !isParent.has(g.id))
        .reverse();
      for (let i = 0; i < retire[kind]; i++) {
        const parent = kind === 'micro' ? parents[i % parents.length]!.id : undefined;
        const gone = make(kind, plausible(kind), parent);
        gone.members = random.int(...MEMBERS[kind]);
        const replacement = free[i];
        if (replacement) replacements.add(replacement);
        moves.push(replacement ? { retire: gone, replacement } : { retire: gone });
        grids.get(kind)!.push(gone);
      }
    }
    // Changes: households or members adjusted on grids set up at the start.
    const changeChance = Math.min(1, (settings.grid_change_rate_per_year * months) / 12);
    for (const grid of survivors) {
      if (replacements.has(grid) || !random.chance(changeChance)) continue;
      const step = Math.max(1, Math.round(grid.households * 0.1));
      const households = grid.households + (grid.households >= step && random.chance(0.5) ? -1 : 1) * random.int(1, step);
      const members = random.chance(0.3)
        ? Math.min(MAX_GRID_MEMBERS, Math.max(0, grid.members + (random.chance(0.5) ? 1 : -1)))
        : grid.members;
      grid.initial = { households: Math.min(MAX_GRID_HOUSEHOLDS, households), members };
      moves.push({ change: grid });
    }
    // Shuffled so changes and retirements mix over the period.
    const order = moves.map((move) => ({ move, at: random.next() })).sort((a, b) => a.at - b.at);

    const all = [...grids.values()].flat().filter((g) => !replacements.has(g));
    return {
      early: all.filter((g) => g.kind === 'villager_group' || g.kind === 'urban' || g.kind === 'area'),
      later: all.filter((g) => g.kind === 'micro' || g.kind === 'street_station'),
      moves: order.map((o) => o.move),
    };
  },

  /** First-layer grids early in the period, their subdivisions after them, changes and retirements later. */
  *emitDay(plan, { day, dayStart, calendar, random }) {
    const days = calendar.days.length;
    const created = (g: Grid) => ({
      grid_id: g.id,
      ...(g.parent !== undefined ? { parent_grid_id: g.parent } : {}),
      kind: g.kind,
      step: 'created',
      households: g.initial?.households ?? g.households,
      members: g.initial?.members ?? g.members,
    });
    // Hour bands keep the order when the phases share a day: set up 8–10, subdivisions 10:30–12, the rest 13:30–17.
    const [e0, e1] = windowSlice(plan.early.length, calendar.work, day, window(days, 0, 0.15));
    for (let i = e0; i < e1; i++) {
      const grid = plan.early[i]!;
      yield { key: `c${grid.seq}`, time: workingTime(random, dayStart, 8, 10), data: created(grid) };
    }
    const [l0, l1] = windowSlice(plan.later.length, calendar.work, day, window(days, 0.15, 0.35));
    for (let i = l0; i < l1; i++) {
      const grid = plan.later[i]!;
      yield { key: `c${grid.seq}`, time: workingTime(random, dayStart, 10.5, 12), data: created(grid) };
    }
    const [m0, m1] = windowSlice(plan.moves.length, calendar.work, day, window(days, 0.4, 1));
    for (let i = m0; i < m1; i++) {
      const move = plan.moves[i]!;
      const time = workingTime(random, dayStart, 13.5, 17);
      if ('change' in move) {
        const g = move.change;
        const data = {
          ...created(g),
          step: 'changed',
          households: g.households,
          members: g.members,
          previous_households: g.initial!.households,
          previous_members: g.initial!.members,
        };
        yield { key: `x${g.seq}`, time, data };
      } else {
        yield { key: `r${move.retire.seq}`, time, data: { ...created(move.retire), step: 'retired' } };
        if (move.replacement) yield { key: `c${move.replacement.seq}`, time: time + HOUR_MS / 3, data: created(move.replacement) };
      }
    }
  },
});
