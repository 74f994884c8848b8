import { DIVISION_LEVELS, levelOfCode, type DivisionLevel } from '@govstats/schemas';
import { codePrefix, type DivisionCatalogue } from '../catalogue.ts';
import type { Division } from '../division.ts';
import type { CodeChange, MatchMethod } from './code-change.ts';
import { NameIndex } from './name-index.ts';
import { placeNameKeys } from './place-names.ts';

export interface EditionPair {
  older: string;
  newer: string;
}

interface Match {
  code: string;
  method: MatchMethod;
}

const depth = (level: DivisionLevel): number => DIVISION_LEVELS.indexOf(level);
/** Every code handled here is listed in one of the two catalogues, so it has a level. */
const levelOfListed = (code: string): DivisionLevel => levelOfCode(code)!;
const prefixOf = (code: string): string => codePrefix(code, levelOfListed(code));

/** The one element of `codes`, or undefined when there are none or several. */
const single = (codes: string[]): string | undefined => (codes.length === 1 ? codes[0] : undefined);

/**
 * Every code `older` lists and `newer` does not, with the place in `newer` it should now be counted
 * under. Pure and deterministic: the same catalogues give the same changes, in retired-code order.
 *
 * Places are settled top-down (provinces first) so a township can be looked for under its county's
 * successor, and a village under its township's.
 */
export function deriveCodeChanges(older: DivisionCatalogue, newer: DivisionCatalogue, editions: EditionPair): CodeChange[] {
  const retired: Division[] = [];
  for (const place of older) if (!newer.has(place.code)) retired.push(place);
  retired.sort((a, b) => depth(a.level) - depth(b.level) || (a.code < b.code ? -1 : 1));
  const matcher = new SuccessorMatcher(older, newer, retired);
  const changes = retired.map((place): CodeChange => {
    const match = matcher.settle(place);
    const current = newer.get(match.code)!;
    return {
      retiredCode: place.code,
      retiredName: place.name,
      retiredLevel: place.level,
      currentCode: current.code,
      currentName: current.name,
      currentLevel: current.level,
      method: match.method,
      retiredIn: editions.newer,
    };
  });
  return changes.sort((a, b) => (a.retiredCode < b.retiredCode ? -1 : 1));
}

/** Finds successors one retired place at a time, remembering them for the places below. */
class SuccessorMatcher {
  readonly #older: DivisionCatalogue;
  readonly #newer: DivisionCatalogue;
  readonly #names: NameIndex;
  readonly #retiredNames: NameIndex;
  readonly #successors = new Map<string, Match>();

  constructor(older: DivisionCatalogue, newer: DivisionCatalogue, retired: Division[]) {
    this.#older = older;
    this.#newer = newer;
    this.#names = NameIndex.of(newer);
    this.#retiredNames = new NameIndex(retired);
  }

  /** Must be called parents first: a place's search starts from its parent's successor. */
  settle(place: Division): Match {
    const parent = this.#older.parentOf(place);
    const home = parent === undefined ? undefined : this.#successorOf(parent);
    const area = this.#searchArea(parent, home);
    // A township may also be handed to another city (鄚州镇: 沧州任丘 → 保定雄县, 2018), hence the
    // province-wide second look, on stricter terms, where the first look was narrower.
    const province = area.length > 2 ? area.slice(0, 2) : undefined;
    const match =
      this.#byName(place, home) ??
      this.#byMove(place, parent, area, place.level === 'village' ? ['strict'] : ['strict', 'loose']) ??
      this.#byChildren(place, area, 1) ??
      (province === undefined ? undefined : this.#byChildren(place, province, 2)) ??
      (province === undefined || place.level === 'village' ? undefined : this.#byMove(place, parent, province, ['strict'])) ??
      (home === undefined ? undefined : { code: home, method: 'ancestor' as const });
    if (!match)
      throw new Error(
        `${place.code} ${place.name}: retired, but no place of the newer edition matches it and it has no parent to fall back to`,
      );
    this.#successors.set(place.code, match);
    return match;
  }

  /** The code `code` is listed under in the newer edition: itself, or its settled successor. */
  #successorOf(code: string): string {
    return this.#successors.get(code)?.code ?? code;
  }

  /**
   * Where a moved or renamed place may have gone: one level above its parent's successor (a
   * township may move to a neighbouring county of the same city), or the successor itself when
   * that is already an ancestor standing in for the parent. Empty prefix: the whole country.
   */
  #searchArea(parent: string | undefined, home: string | undefined): string {
    if (parent === undefined || home === undefined) return '';
    if (depth(levelOfListed(home)) < depth(levelOfListed(parent))) return prefixOf(home);
    const above = this.#newer.parentOf({ code: home, level: levelOfListed(home) });
    return above === undefined ? '' : prefixOf(above);
  }

  /** Places at `place`'s level directly under `home` whose name matches, tried exact → strict → loose. */
  #byName(place: Division, home: string | undefined): Match | undefined {
    const prefix = home === undefined ? '' : prefixOf(home);
    const underHome = (code: string): boolean => this.#newer.parentOf({ code, level: place.level }) === home;
    const keys = placeNameKeys(place.name, place.level);
    const strict = this.#names.find('strict', place.level, keys.strict, prefix).filter(underHome);
    const exact = strict.filter((code) => this.#newer.get(code)!.name === place.name);
    // A looser tier is tried only when the stricter one found nothing: two exact namesakes are ambiguous, not a cue to loosen.
    const candidates =
      exact.length > 0 ? exact : strict.length > 0 ? strict : this.#names.find('loose', place.level, keys.loose, prefix).filter(underHome);
    const code = single(candidates);
    return code === undefined ? undefined : { code, method: 'same_name' };
  }

  /**
   * The place in `area` at `place`'s level that holds most of the places that were under `place`,
   * by (loose) name: 长治县's 苏店镇, 荫城镇 … are under 上党区. Cities and counties are compared by
   * their townships, townships by their villages: county names change with a merger (莱芜市's
   * 莱城区 became 济南市's 莱芜区), township names seldom do. Only places whose code is new count:
   * a place that moved or merged gets a new code, while a namesake that was already there (every
   * 兵团 regiment has a 一连生活区) says nothing. A name found under several places gives each a
   * share of its vote; the winner needs more than half of all the places and at least `minVotes`.
   */
  #byChildren(place: Division, area: string, minVotes: number): Match | undefined {
    if (place.level === 'village') return undefined;
    const voterLevel: DivisionLevel = place.level === 'township' ? 'village' : 'township';
    const voters = this.#older.within(place.code).filter((d) => d.level === voterLevel);
    const votes = new Map<string, number>();
    for (const voter of voters) {
      const found = this.#names
        .find('loose', voterLevel, placeNameKeys(voter.name, voterLevel).loose, area)
        .filter((code) => !this.#older.has(code));
      const holders = new Set(
        found.map((code) => codePrefix(code, place.level).padEnd(12, '0')).filter((code) => this.#newer.get(code)?.level === place.level),
      );
      for (const holder of holders) votes.set(holder, (votes.get(holder) ?? 0) + 1 / holders.size);
    }
    const ranked = [...votes].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    const [best, runnerUp] = ranked;
    if (!best || best[1] <= voters.length / 2 || best[1] < minVotes || (runnerUp && runnerUp[1] === best[1])) return undefined;
    return { code: best[0], method: 'children' };
  }

  /**
   * A place of the same name elsewhere in `area` whose code is new in this edition: the township
   * handed to the next county keeps its name and gets a code there. Accepted only one to one: one
   * new place of that name, and no other retired place of that name nearby that it could be
   * (伊春's 五营区 and 翠峦区 both had a 育林社区; only one of them became 丰林县's). Name keys are
   * tried in the order given: loose names only where names are distinctive enough.
   */
  #byMove(place: Division, parent: string | undefined, area: string, kinds: ('strict' | 'loose')[]): Match | undefined {
    const keys = placeNameKeys(place.name, place.level);
    const isNew = (code: string): boolean => !this.#older.has(code);
    const grandparent = parent === undefined ? undefined : this.#older.parentOf({ code: parent, level: levelOfListed(parent) });
    const formerArea = grandparent === undefined ? '' : prefixOf(grandparent);
    for (const kind of kinds) {
      const candidates = this.#names.find(kind, place.level, keys[kind], area).filter(isNew);
      if (candidates.length === 0) continue;
      const namesakes = new Set([
        ...this.#retiredNames.find(kind, place.level, keys[kind], area),
        ...this.#retiredNames.find(kind, place.level, keys[kind], formerArea),
      ]);
      const code = single(candidates);
      return code === undefined || namesakes.size > 1 ? undefined : { code, method: 'moved' };
    }
    return undefined;
  }
}
