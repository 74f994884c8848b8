import type { DivisionLevel } from '@govstats/schemas';
import type { DivisionCatalogue } from '../catalogue.ts';
import type { Division } from '../division.ts';
import { lowerBound } from '../sorted-codes.ts';
import { placeNameKeys } from './place-names.ts';

/** The codes, in code order, whose place at `level` has a given name key. */
type KeyIndex = Map<string, string[]>;

/**
 * Places by name key and level, so "the 苏店镇 under 140404" or "every village called
 * 东华 in 长治市" is a map look-up and two binary searches, not a scan of 600k rows.
 */
export class NameIndex {
  readonly #strict = new Map<DivisionLevel, KeyIndex>();
  readonly #loose = new Map<DivisionLevel, KeyIndex>();

  static readonly #byCatalogue = new WeakMap<DivisionCatalogue, NameIndex>();

  /** The index of a whole catalogue, built once: several steps look up the same edition. */
  static of(catalogue: DivisionCatalogue): NameIndex {
    let index = NameIndex.#byCatalogue.get(catalogue);
    if (!index) NameIndex.#byCatalogue.set(catalogue, (index = new NameIndex(catalogue)));
    return index;
  }

  constructor(places: Iterable<Division>) {
    for (const { code, name, level } of places) {
      const keys = placeNameKeys(name, level);
      add(this.#strict, level, keys.strict, code);
      add(this.#loose, level, keys.loose, code);
    }
  }

  /** Codes at `level` whose strict (or loose) name key is `key` and whose code starts with `prefix`. */
  find(kind: 'strict' | 'loose', level: DivisionLevel, key: string, prefix: string): string[] {
    const codes = (kind === 'strict' ? this.#strict : this.#loose).get(level)?.get(key);
    if (!codes) return [];
    const from = lowerBound(codes, prefix.padEnd(12, '0'));
    const to = lowerBound(codes, `${prefix}${'9'.repeat(12 - prefix.length)}~`);
    return codes.slice(from, to);
  }
}

function add(index: Map<DivisionLevel, KeyIndex>, level: DivisionLevel, key: string, code: string): void {
  let byKey = index.get(level);
  if (!byKey) index.set(level, (byKey = new Map()));
  const codes = byKey.get(key);
  if (codes) codes.push(code);
  else byKey.set(key, [code]);
}
