import { DIVISION_LEVELS, type DivisionLevel } from '@govstats/schemas';
import type { Area, Division } from './division.ts';
import { indexOfCode } from './sorted-codes.ts';

/** Where an event with a given subject counts: its current place, that place's level and area. */
export interface ResolvedPlace {
  code: string;
  level: DivisionLevel;
  /** '' above the village level. */
  area: Area | '';
  /** Set when the subject was a retired code counted under its current place. */
  retiredCode?: string;
}

const AREAS: (Area | '')[] = ['', 'urban', 'rural'];
/** Chains of code changes longer than this are a loop in the data, not history. */
const MAX_CHAIN = 16;

/**
 * What ingest needs to place an event, and nothing more: every current code with its level and
 * area in two typed arrays (about 6 MB for the 665k places of the national table; a Set of the
 * code strings would take over 50 MB), and retired codes mapped to current ones. Lookups are a
 * binary search: about twenty comparisons, no allocation beyond the answer.
 */
export class PlaceIndex {
  readonly places: number;
  readonly retiredCodes: number;
  readonly #codes: Float64Array;
  /** level index × 4 + area index. */
  readonly #info: Uint8Array;
  readonly #retired: Map<number, number>;

  private constructor(codes: Float64Array, info: Uint8Array, retired: Map<number, number>) {
    this.#codes = codes;
    this.#info = info;
    this.#retired = retired;
    this.places = codes.length;
    this.retiredCodes = retired.size;
  }

  /** Collects places and code changes in pieces, so no caller has to hold the whole table as text. */
  static builder(): PlaceIndexBuilder {
    return new PlaceIndexBuilder((codes, info, retired) => new PlaceIndex(codes, info, retired));
  }

  /** The places of a catalogue held in memory (producers, benchmarks), without code changes. */
  static of(catalogue: Iterable<Division>): PlaceIndex {
    const builder = PlaceIndex.builder();
    for (const place of catalogue) builder.addPlace(place);
    return builder.build();
  }

  #place(i: number, code: string, retiredCode?: string): ResolvedPlace {
    const info = this.#info[i]!;
    const place: ResolvedPlace = { code, level: DIVISION_LEVELS[info >> 2]!, area: AREAS[info & 3]! };
    if (retiredCode) place.retiredCode = retiredCode;
    return place;
  }

  /** The place an event with this subject counts under, or undefined when no edition knows the code. */
  resolve(subject: string): ResolvedPlace | undefined {
    const code = Number(subject);
    const i = indexOfCode(this.#codes, code);
    if (i >= 0) return this.#place(i, subject);
    const current = this.#retired.get(code);
    if (current === undefined) return undefined;
    return this.#place(indexOfCode(this.#codes, current), String(current).padStart(12, '0'), subject);
  }
}

/**
 * Places arrive as tab-separated lines `code\tlevel\tarea`, code changes as
 * `retired_code\tcurrent_code`, in any number of pieces.
 */
export class PlaceIndexBuilder {
  #codes = new Float64Array(1 << 16);
  #info = new Uint8Array(1 << 16);
  #size = 0;
  readonly #changes = new Map<number, number>();

  constructor(private readonly make: (codes: Float64Array, info: Uint8Array, retired: Map<number, number>) => PlaceIndex) {}

  /** Parsed in place, without splitting into strings: this runs for every place in the country. */
  addPlaces(tsv: string): this {
    for (let start = 0; start < tsv.length;) {
      const end = lineEnd(tsv, start);
      const tab1 = tsv.indexOf('\t', start);
      const tab2 = tsv.indexOf('\t', tab1 + 1);
      const extra = tsv.indexOf('\t', tab2 + 1);
      if (tab1 < 0 || tab2 < 0 || tab2 > end || (extra >= 0 && extra < end)) {
        throw new Error(`expected "code\tlevel\tarea", found "${tsv.slice(start, end)}"`);
      }
      const level = tsv.slice(tab1 + 1, tab2);
      const levelIndex = DIVISION_LEVELS.indexOf(level as DivisionLevel);
      const areaIndex = AREAS.indexOf(tsv.slice(tab2 + 1, end) as Area | '');
      if (levelIndex < 0 || areaIndex < 0)
        throw new Error(`division ${tsv.slice(start, tab1)}: unknown level or area in "${tsv.slice(start, end)}"`);
      this.#push(Number(tsv.slice(start, tab1)), levelIndex * 4 + areaIndex);
      start = end + 1;
    }
    return this;
  }

  addPlace(place: Pick<Division, 'code' | 'level' | 'area'>): this {
    this.#push(Number(place.code), DIVISION_LEVELS.indexOf(place.level) * 4 + AREAS.indexOf(place.area ?? ''));
    return this;
  }

  #push(code: number, info: number): void {
    if (this.#size === this.#codes.length) {
      const codes = new Float64Array(this.#size * 2);
      codes.set(this.#codes);
      const infos = new Uint8Array(this.#size * 2);
      infos.set(this.#info);
      [this.#codes, this.#info] = [codes, infos];
    }
    this.#codes[this.#size] = code;
    this.#info[this.#size++] = info;
  }

  addChange(retiredCode: string, currentCode: string): this {
    this.#changes.set(Number(retiredCode), Number(currentCode));
    return this;
  }

  addChanges(tsv: string): this {
    for (let start = 0; start < tsv.length;) {
      const end = lineEnd(tsv, start);
      const tab = tsv.indexOf('\t', start);
      if (tab < 0 || tab > end) throw new Error(`expected "retired_code\tcurrent_code", found "${tsv.slice(start, end)}"`);
      this.#changes.set(Number(tsv.slice(start, tab)), Number(tsv.slice(tab + 1, end)));
      start = end + 1;
    }
    return this;
  }

  /**
   * A chain of changes (retired in 2018, its successor in 2021) is followed to the code that is
   * current now; a change into a code that no longer exists anywhere is dropped, so its events
   * stay unknown rather than counted under nothing. A retired code listed again by a later
   * edition is current: the place wins over the change.
   */
  build(): PlaceIndex {
    const order = new Uint32Array(this.#size).map((_, i) => i).sort((a, b) => this.#codes[a]! - this.#codes[b]!);
    const codes = Float64Array.from(order, (i) => this.#codes[i]!);
    const info = Uint8Array.from(order, (i) => this.#info[i]!);
    const isCurrent = (code: number) => indexOfCode(codes, code) >= 0;
    const retired = new Map<number, number>();
    for (const [code, successor] of this.#changes) {
      if (isCurrent(code)) continue;
      let current = successor;
      for (let hops = 0; !isCurrent(current) && this.#changes.has(current) && hops < MAX_CHAIN; hops++)
        current = this.#changes.get(current)!;
      if (isCurrent(current)) retired.set(code, current);
    }
    return this.make(codes, info, retired);
  }
}

function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\n', start);
  return end < 0 ? text.length : end;
}
