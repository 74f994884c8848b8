import { targetLabel, type Target } from './scenario-file.ts';

/** Targets that cannot all hold; the message names them, and nothing is produced. */
export class ScenarioConflict extends Error {
  constructor(message: string, readonly targets: Target[]) {
    super(`${message}\n${targets.map((t) => `  - ${targetLabel(t)}`).join('\n')}`);
  }
}

export interface ScenarioVillage {
  code: string;
  /** Communities (居委会, codes …001–199) are urban, villages (村委会, …200 and up) rural. */
  urban: boolean;
  /** Relative size, so allocated totals are uneven the way real places are. */
  weight: number;
}

/** Per village share of every target group, keyed `measure|filter`. */
export type Allocation = Map<string, Map<string, number>>;

/** A measure that cannot exceed another in the same village (resolved ≤ received, …). */
export const BOUNDED_BY: Record<string, string> = {
  'dispute-case.resolved': 'dispute-case.received',
  'dispute-case.resolved_in_village': 'dispute-case.resolved',
  'training-attendance.attendees': 'training-attendance.attendances',
  'training-attendance.sessions': 'training-attendance.attendances',
  'grid-visit.household_visits': 'grid-visit.visits',
  'grid-visit.grid_members_active': 'grid-visit.visits',
  'grid-visit.grids_active': 'grid-visit.visits',
};

/** Quantities are targeted to 3 decimals and allocated as integers in thousandths. */
export const QUANTITY_SCALE = 1000;

export function groupKey(target: Pick<Target, 'measure' | 'filter'>): string {
  const filter = Object.entries(target.filter).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
  return `${target.measure}|${filter}`;
}

function villagesOf(target: Target, villages: ScenarioVillage[]): ScenarioVillage[] {
  const prefix = target.code.replace(/0+$/, '').slice(0, { city: 4, county: 6, township: 9, village: 12 }[target.level]);
  return villages.filter((v) => v.code.startsWith(prefix) && (target.scope === 'all' || (target.scope === 'urban') === v.urban));
}

/**
 * Spreads every target over the villages it covers. More specific targets are placed first and
 * wider ones get the remainder, so a township's figure and its city's both hold exactly; a
 * bounded measure never exceeds its bound in any village. Conflicts are reported, not rounded away.
 */
export function allocateTargets(targets: Target[], villages: ScenarioVillage[]): Allocation {
  checkTargetRelations(targets);
  const groups = new Map<string, Target[]>();
  for (const target of targets) groups.set(groupKey(target), [...(groups.get(groupKey(target)) ?? []), target]);
  const allocation: Allocation = new Map();
  const order = [...groups.keys()].sort((a, b) => depth(a) - depth(b));
  for (const key of order) {
    const group = groups.get(key)!;
    const boundKey = BOUNDED_BY[key.split('|')[0]!] ? `${BOUNDED_BY[key.split('|')[0]!]}|${key.split('|')[1]}` : undefined;
    const bound = boundKey ? allocation.get(boundKey) : undefined;
    allocation.set(key, allocateGroup(group, villages, bound, boundKey ? groups.get(boundKey) ?? [] : []));
  }
  return allocation;
}

function depth(key: string): number {
  let d = 0;
  for (let measure = key.split('|')[0]!; BOUNDED_BY[measure]; measure = BOUNDED_BY[measure]!) d++;
  return d;
}

function allocateGroup(group: Target[], villages: ScenarioVillage[], bound: Map<string, number> | undefined, boundTargets: Target[]): Map<string, number> {
  const scale = group[0]!.measure.endsWith('.quantity') ? QUANTITY_SCALE : 1;
  const covered = group.map((target) => ({ target, set: villagesOf(target, villages) }));
  for (const { target, set } of covered) {
    if (set.length === 0) throw new ScenarioConflict(`no village or community of the scenario lies in ${target.code}${target.scope === 'all' ? '' : ` (${target.scope})`}`, [target]);
    if (!Number.isInteger(Math.round(target.value * scale * 1e6) / 1e6)) throw new ScenarioConflict('value must be a whole number (quantities: at most 3 decimals)', [target]);
  }
  // Laminar: any two targets of one measure cover nested or disjoint sets of villages.
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
    const minimum = /grid_members_active|grids_active/.test(target.measure) && total - fixedSum >= free.length ? 1 : 0;
    const shares = distribute(total - fixedSum, free, bound, minimum);
    if (!shares) throw new ScenarioConflict(`cannot place ${target.measure} within its bound ${BOUNDED_BY[target.measure]}`, [target, ...boundTargets]);
    for (const [code, value] of shares) {
      quotas.set(code, value);
      setBy.set(code, target);
    }
  }
  return quotas;
}

/** Largest-remainder split of `total` by weight, never above a village's bound; undefined if impossible. */
export function distribute(total: number, villages: ScenarioVillage[], bound?: Map<string, number>, minimum = 0): Map<string, number> | undefined {
  const cap = (v: ScenarioVillage) => bound?.get(v.code) ?? Number.POSITIVE_INFINITY;
  const weightSum = villages.reduce((n, v) => n + v.weight, 0);
  const shares = new Map<string, number>();
  const fractions: { village: ScenarioVillage; fraction: number }[] = [];
  let given = 0;
  for (const village of villages) {
    const exact = minimum + ((total - minimum * villages.length) * village.weight) / weightSum;
    const base = Math.min(cap(village), Math.floor(exact));
    shares.set(village.code, base);
    given += base;
    fractions.push({ village, fraction: exact - base });
  }
  fractions.sort((a, b) => b.fraction - a.fraction || a.village.code.localeCompare(b.village.code));
  let remaining = total - given;
  while (remaining > 0) {
    let progressed = false;
    for (const { village } of fractions) {
      if (remaining === 0) break;
      if (shares.get(village.code)! < cap(village)) {
        shares.set(village.code, shares.get(village.code)! + 1);
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
