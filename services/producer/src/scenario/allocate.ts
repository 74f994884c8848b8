import { ScenarioConflict, filterKey, type RollupLevel, type ScenarioPlace } from '@govstats/schemas';
import { TARGET_MEASURES, type Target } from './scenario-file.ts';

/** Per place share of every target group, keyed `<type>.<measure>|<filter>`. */
export type Allocation = Map<string, Map<string, number>>;

const PREFIX_DIGITS: Record<RollupLevel, number> = { city: 4, county: 6, township: 9, village: 12 };

export function groupKey(target: Pick<Target, 'measure' | 'filter'>): string {
  return `${target.measure}|${filterKey(target.filter)}`;
}

const measureOf = (key: string) => key.split('|')[0]!;
const typeOf = (measure: string) => TARGET_MEASURES.get(measure)!.type;
const declared = (measure: string) => TARGET_MEASURES.get(measure)!.target;
/** The qualified measure this one can never exceed in a place, if any. */
const boundOf = (measure: string): string | undefined => {
  const bound = declared(measure).atMost;
  return bound ? `${typeOf(measure).name}.${bound.measure}` : undefined;
};

/** The places a target covers: those under its place that produce its measure, of its scope. */
function placesOf(target: Target, places: ScenarioPlace[]): ScenarioPlace[] {
  const prefix = target.code.slice(0, PREFIX_DIGITS[target.level]);
  return places.filter(
    (p) => p.code.startsWith(prefix) && (target.scope === 'all' || (p.urban !== undefined && (target.scope === 'urban') === p.urban)),
  );
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
    const bound = boundOf(measure);
    const boundKey = bound ? `${bound}|${key.split('|')[1]}` : undefined;
    const { places, noun } = placesFor(measure);
    const { countsVillages, countsVillagesReaching } = declared(measure);
    const caps =
      countsVillages || countsVillagesReaching ? new Map(places.map((p) => [p.code, 1])) : capsFor(measure, allocation, boundKey);
    allocation.set(key, allocateGroup(group, places, noun, caps, boundKey ? (groups.get(boundKey) ?? []) : []));
  }
  return allocation;
}

function rank(key: string): number {
  let d = declared(measureOf(key)).countsVillages ? 0 : 1;
  for (let measure = boundOf(measureOf(key)); measure; measure = boundOf(measure)) d++;
  return d;
}

/** A place's cap: its bound measure's share, and none at all in a village that is out of its type. */
function capsFor(measure: string, allocation: Allocation, boundKey: string | undefined): Map<string, number> | undefined {
  const bound = boundKey ? allocation.get(boundKey) : undefined;
  const type = typeOf(measure);
  const gate = type.scenario.targets.find((t) => t.countsVillages);
  const inOrOut = gate ? allocation.get(`${type.name}.${gate.measure}|`) : undefined;
  if (!inOrOut) return bound;
  const caps = new Map(bound ?? []);
  for (const [code, isIn] of inOrOut) if (isIn === 0) caps.set(code, 0);
  return caps;
}

function allocateGroup(
  group: Target[],
  places: ScenarioPlace[],
  noun: string,
  caps: Map<string, number> | undefined,
  boundTargets: Target[],
): Map<string, number> {
  const measure = group[0]!.measure;
  const { scale = 1, minimumPerPlace = 0, countsVillages, countsVillagesReaching } = declared(measure);
  const covered = group.map((target) => ({ target, set: placesOf(target, places) }));
  for (const { target, set } of covered) {
    if (set.length === 0)
      throw new ScenarioConflict(`no ${noun} of the scenario lies in ${target.code}${target.scope === 'all' ? '' : ` (${target.scope})`}`, [
        target,
      ]);
    if (!Number.isInteger(Math.round(target.value * scale * 1e6) / 1e6))
      throw new ScenarioConflict('value must be a whole number (quantities: at most 3 decimals)', [target]);
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
      if (
        shared === a.set.length &&
        shared === b.set.length &&
        a.target.value !== b.target.value &&
        covered.indexOf(a) < covered.indexOf(b)
      ) {
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
      if (fixedSum !== total)
        throw new ScenarioConflict('the places inside a target add up to a different total', [
          target,
          ...new Set(fixed.map((v) => setBy.get(v.code)!)),
        ]);
      continue;
    }
    const minimum = total - fixedSum >= minimumPerPlace * free.length ? minimumPerPlace : 0;
    const shares = distribute(total - fixedSum, free, caps, minimum);
    if (!shares) {
      const why =
        countsVillages || countsVillagesReaching
          ? `more ${noun}s than there are`
          : boundOf(measure)
            ? `within its bound ${boundOf(measure)}`
            : `only in the ${noun}s that are in`;
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
export function distribute(
  total: number,
  places: ScenarioPlace[],
  caps?: Map<string, number>,
  minimum = 0,
): Map<string, number> | undefined {
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
  const samePlace = (a: Target, b: Target) => a.code === b.code && a.scope === b.scope && filterKey(a.filter) === filterKey(b.filter);
  for (const a of targets) {
    const bound = boundOf(a.measure);
    if (!bound) continue;
    for (const b of targets.filter((t) => t.measure === bound && samePlace(a, t))) {
      if (a.value > b.value) throw new ScenarioConflict(declared(a.measure).atMost!.conflict, [a, b]);
    }
  }
}
