import type { RollupLevel } from '@govstats/schemas';
import { targetLabel, type Target } from './scenario-file.ts';

/** Targets that cannot all hold; the message names them, and nothing is produced. */
export class ScenarioConflict extends Error {
  constructor(message: string, readonly targets: Target[]) {
    super(`${message}\n${targets.map((t) => `  - ${targetLabel(t)}`).join('\n')}`);
  }
}

/**
 * A place that produces events of some measure: a village or community for most, a training
 * organiser (a village, or a township, county or city school) for training.
 */
export interface ScenarioPlace {
  code: string;
  level: RollupLevel;
  /** Village-level places only: communities (居委会, 类似居委会) are urban, villages rural. */
  urban?: boolean;
  /** Relative size, so allocated totals are uneven the way real places are. */
  weight: number;
}

/** Per place share of every target group, keyed `measure|filter`. */
export type Allocation = Map<string, Map<string, number>>;

/** A measure that cannot exceed another in the same place (resolved ≤ received, …). */
export const BOUNDED_BY: Record<string, string> = {
  'dispute-case.resolved': 'dispute-case.received',
  'dispute-case.resolved_in_village': 'dispute-case.resolved',
  'training-attendance.attendees': 'training-attendance.attendances',
  'training-attendance.sessions': 'training-attendance.attendances',
  'grid-visit.household_visits': 'grid-visit.visits',
  'grid-visit.grid_members_active': 'grid-visit.visits',
  'grid-visit.grids_active': 'grid-visit.visits',
};

/**
 * Measures that count villages with some activity of their type: each village is in (1) or out
 * (0), and the type's other targets are then placed only in villages that are in.
 */
export const VILLAGE_COUNTS: Record<string, string> = {
  'cooperative-sale.villages_selling': 'cooperative-sale',
};

/** Quantities are targeted to 3 decimals and allocated as integers in thousandths. */
export const QUANTITY_SCALE = 1000;

const PREFIX_DIGITS: Record<RollupLevel, number> = { city: 4, county: 6, township: 9, village: 12 };

export function groupKey(target: Pick<Target, 'measure' | 'filter'>): string {
  const filter = Object.entries(target.filter).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
  return `${target.measure}|${filter}`;
}

const measureOf = (key: string) => key.split('|')[0]!;
const typeOf = (measure: string) => measure.split('.')[0]!;

/** The places a target covers: those under its place that produce its measure, of its scope. */
function placesOf(target: Target, places: ScenarioPlace[]): ScenarioPlace[] {
  const prefix = target.code.slice(0, PREFIX_DIGITS[target.level]);
  return places.filter((p) => p.code.startsWith(prefix) && (target.scope === 'all' || (p.urban !== undefined && (target.scope === 'urban') === p.urban)));
}

/**
 * Spreads every target over the places it covers. More specific targets are placed first and
 * wider ones get the remainder, so a township's figure and its city's both hold exactly; a
 * bounded measure never exceeds its bound in any place. Conflicts are reported, not rounded away.
 * `placesFor` names the places producing a measure, and how to say so when a target has none.
 */
export function allocateTargets(targets: Target[], placesFor: (measure: string) => { places: ScenarioPlace[]; noun: string }): Allocation {
  checkTargetRelations(targets);
  const groups = new Map<string, Target[]>();
  for (const target of targets) groups.set(groupKey(target), [...(groups.get(groupKey(target)) ?? []), target]);
  const allocation: Allocation = new Map();
  // Which villages are in comes first; bounds before what they bound.
  const order = [...groups.keys()].sort((a, b) => rank(a) - rank(b));
  for (const key of order) {
    const measure = measureOf(key);
    const group = groups.get(key)!;
    const boundKey = BOUNDED_BY[measure] ? `${BOUNDED_BY[measure]}|${key.split('|')[1]}` : undefined;
    const { places, noun } = placesFor(measure);
    const caps = VILLAGE_COUNTS[measure] ? new Map(places.map((p) => [p.code, 1])) : capsFor(measure, allocation, boundKey);
    allocation.set(key, allocateGroup(group, places, noun, caps, boundKey ? groups.get(boundKey) ?? [] : []));
  }
  return allocation;
}

function rank(key: string): number {
  let d = VILLAGE_COUNTS[measureOf(key)] ? 0 : 1;
  for (let measure = measureOf(key); BOUNDED_BY[measure]; measure = BOUNDED_BY[measure]!) d++;
  return d;
}

/** A place's cap: its bound measure's share, and none at all in a village that is out of its type. */
function capsFor(measure: string, allocation: Allocation, boundKey: string | undefined): Map<string, number> | undefined {
  const bound = boundKey ? allocation.get(boundKey) : undefined;
  const gate = Object.entries(VILLAGE_COUNTS).find(([, type]) => type === typeOf(measure));
  const inOrOut = gate ? allocation.get(`${gate[0]}|`) : undefined;
  if (!inOrOut) return bound;
  const caps = new Map(bound ?? []);
  for (const [code, isIn] of inOrOut) if (isIn === 0) caps.set(code, 0);
  return caps;
}

function allocateGroup(group: Target[], places: ScenarioPlace[], noun: string, caps: Map<string, number> | undefined, boundTargets: Target[]): Map<string, number> {
  const measure = group[0]!.measure;
  const scale = measure.endsWith('.quantity') ? QUANTITY_SCALE : 1;
  const covered = group.map((target) => ({ target, set: placesOf(target, places) }));
  for (const { target, set } of covered) {
    if (set.length === 0) throw new ScenarioConflict(`no ${noun} of the scenario lies in ${target.code}${target.scope === 'all' ? '' : ` (${target.scope})`}`, [target]);
    if (!Number.isInteger(Math.round(target.value * scale * 1e6) / 1e6)) throw new ScenarioConflict('value must be a whole number (quantities: at most 3 decimals)', [target]);
  }
  // Laminar: any two targets of one measure cover nested or disjoint sets of places.
  for (const a of covered) {
    for (const b of covered) {
      if (a === b) continue;
      const codesB = new Set(b.set.map((v) => v.code));
      const shared = a.set.filter((v) => codesB.has(v.code)).length;
      if (shared > 0 && shared < a.set.length && shared < b.set.length) {
        throw new ScenarioConflict('targets overlap without one containing the other', [a.target, b.target]);
      }
      if (shared === a.set.length && shared === b.set.length && a.target.value !== b.target.value && covered.indexOf(a) < covered.indexOf(b)) {
        throw new ScenarioConflict('two targets cover the same places with different values', [a.target, b.target]);
      }
    }
  }
  const quotas = new Map<string, number>();
  const setBy = new Map<string, Target>();
  for (const { target, set } of covered.sort((a, b) => a.set.length - b.set.length)) {
    const total = Math.round(target.value * scale);
    const fixed = set.filter((v) => quotas.has(v.code));
    const fixedSum = fixed.reduce((n, v) => n + quotas.get(v.code)!, 0);
    if (fixedSum > total) {
      const inner = [...new Set(fixed.map((v) => setBy.get(v.code)!))];
      throw new ScenarioConflict('the places inside a target already add up to more than the target itself', [target, ...inner]);
    }
    const free = set.filter((v) => !quotas.has(v.code));
    if (free.length === 0) {
      if (fixedSum !== total) throw new ScenarioConflict('the places inside a target add up to a different total', [target, ...new Set(fixed.map((v) => setBy.get(v.code)!))]);
      continue;
    }
    // Every village with any work has at least one grid and one grid member.
    const minimum = /grid_members_active|grids_active/.test(measure) && total - fixedSum >= free.length ? 1 : 0;
    const shares = distribute(total - fixedSum, free, caps, minimum);
    if (!shares) {
      const why = VILLAGE_COUNTS[measure] ? `more ${noun}s than there are` : BOUNDED_BY[measure] ? `within its bound ${BOUNDED_BY[measure]}` : `only in the ${noun}s that are in`;
      throw new ScenarioConflict(`cannot place ${measure} ${why}`, [target, ...boundTargets]);
    }
    for (const [code, value] of shares) {
      quotas.set(code, value);
      setBy.set(code, target);
    }
  }
  return quotas;
}

/** Largest-remainder split of `total` by weight, never above a place's cap; undefined if impossible. */
export function distribute(total: number, places: ScenarioPlace[], caps?: Map<string, number>, minimum = 0): Map<string, number> | undefined {
  const cap = (v: ScenarioPlace) => caps?.get(v.code) ?? Number.POSITIVE_INFINITY;
  const open = places.filter((v) => cap(v) > 0);
  const weightSum = open.reduce((n, v) => n + v.weight, 0);
  const shares = new Map<string, number>(places.map((v) => [v.code, 0]));
  const fractions: { place: ScenarioPlace; fraction: number }[] = [];
  let given = 0;
  for (const place of open) {
    const exact = minimum + ((total - minimum * open.length) * place.weight) / weightSum;
    const base = Math.min(cap(place), Math.max(0, Math.floor(exact)));
    shares.set(place.code, base);
    given += base;
    fractions.push({ place, fraction: exact - base });
  }
  fractions.sort((a, b) => b.fraction - a.fraction || a.place.code.localeCompare(b.place.code));
  let remaining = total - given;
  while (remaining > 0) {
    let progressed = false;
    for (const { place } of fractions) {
      if (remaining === 0) break;
      if (shares.get(place.code)! < cap(place)) {
        shares.set(place.code, shares.get(place.code)! + 1);
        remaining--;
        progressed = true;
      }
    }
    if (!progressed) return undefined;
  }
  return shares;
}

/** Relations that must hold between targets on the same places (checked before any allocation). */
function checkTargetRelations(targets: Target[]): void {
  const samePlace = (a: Target, b: Target) => a.code === b.code && a.scope === b.scope && groupKey({ ...a, measure: '' }) === groupKey({ ...b, measure: '' });
  const rules: [string, string, string][] = [
    ['dispute-case.resolved', 'dispute-case.received', 'more disputes resolved than received'],
    ['dispute-case.resolved_in_village', 'dispute-case.resolved', 'more resolved in the village than resolved'],
    ['training-attendance.attendees', 'training-attendance.attendances', 'fewer attendances than distinct attendees'],
    ['training-attendance.sessions', 'training-attendance.attendances', 'fewer attendances than sessions'],
    ['grid-visit.household_visits', 'grid-visit.visits', 'more household visits than visits'],
    ['grid-visit.grid_members_active', 'grid-visit.visits', 'more active grid members than visits'],
    ['grid-visit.grids_active', 'grid-visit.visits', 'more active grids than visits'],
  ];
  for (const [smaller, larger, message] of rules) {
    for (const a of targets.filter((t) => t.measure === smaller)) {
      for (const b of targets.filter((t) => t.measure === larger && samePlace(a, t))) {
        if (a.value > b.value) throw new ScenarioConflict(message, [a, b]);
      }
    }
  }
}
