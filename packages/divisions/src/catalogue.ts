import { DIVISION_LEVELS, PREFIX_LENGTH, type DivisionLevel } from '@govstats/schemas';
import type { Area, AreaSource, Division } from './division.ts';
import { indexOfCode, lowerBound } from './sorted-codes.ts';

const AREAS: (Area | undefined)[] = [undefined, 'urban', 'rural'];
const AREA_SOURCES: (AreaSource | undefined)[] = [undefined, 'nbs', 'code'];

/** The significant digits of a code at its level: 411224000000 (county) → 411224. */
export function codePrefix(code: string, level: DivisionLevel): string {
  return code.slice(0, PREFIX_LENGTH[level]);
}

/**
 * A division table held in columns sorted by code: the 665k places of the national table take
 * tens of megabytes, not hundreds as objects would. Codes sort so that a place's descendants are
 * one contiguous run after it, which makes "everything under 411224" two binary searches.
 */
export class DivisionCatalogue {
  readonly size: number;
  readonly #codes: Float64Array;
  readonly #names: string[];
  readonly #levels: Uint8Array;
  readonly #areas: Uint8Array;
  readonly #areaSources: Uint8Array;
  readonly #urbanRural: Uint16Array;

  private constructor(columns: {
    codes: number[];
    names: string[];
    levels: number[];
    areas: number[];
    areaSources: number[];
    urbanRural: number[];
  }) {
    const order = Uint32Array.from(columns.codes.keys()).sort((a, b) => columns.codes[a]! - columns.codes[b]!);
    this.size = order.length;
    this.#codes = new Float64Array(this.size);
    this.#names = new Array<string>(this.size);
    this.#levels = new Uint8Array(this.size);
    this.#areas = new Uint8Array(this.size);
    this.#areaSources = new Uint8Array(this.size);
    this.#urbanRural = new Uint16Array(this.size);
    order.forEach((from, i) => {
      this.#codes[i] = columns.codes[from]!;
      if (i > 0 && this.#codes[i - 1] === this.#codes[i])
        throw new Error(`division ${String(this.#codes[i]).padStart(12, '0')} is listed twice`);
      this.#names[i] = columns.names[from]!;
      this.#levels[i] = columns.levels[from]!;
      this.#areas[i] = columns.areas[from]!;
      this.#areaSources[i] = columns.areaSources[from]!;
      this.#urbanRural[i] = columns.urbanRural[from]!;
    });
  }

  /** Builds the columns row by row: a source read as a stream is never held as objects. */
  static from(divisions: Iterable<Division>): DivisionCatalogue {
    const columns = {
      codes: [] as number[],
      names: [] as string[],
      levels: [] as number[],
      areas: [] as number[],
      areaSources: [] as number[],
      urbanRural: [] as number[],
    };
    for (const row of divisions) {
      columns.codes.push(Number(row.code));
      columns.names.push(row.name);
      columns.levels.push(DIVISION_LEVELS.indexOf(row.level));
      columns.areas.push(AREAS.indexOf(row.area));
      columns.areaSources.push(AREA_SOURCES.indexOf(row.areaSource));
      columns.urbanRural.push(row.urbanRuralCode ? Number(row.urbanRuralCode) : 0);
    }
    return new DivisionCatalogue(columns);
  }

  #indexOf(code: string): number {
    return /^\d{12}$/.test(code) ? indexOfCode(this.#codes, Number(code)) : -1;
  }

  #row(i: number): Division {
    const division: Division = {
      code: String(this.#codes[i]).padStart(12, '0'),
      name: this.#names[i]!,
      level: DIVISION_LEVELS[this.#levels[i]!]!,
    };
    const area = AREAS[this.#areas[i]!];
    if (area) division.area = area;
    const source = AREA_SOURCES[this.#areaSources[i]!];
    if (source) division.areaSource = source;
    if (this.#urbanRural[i]) division.urbanRuralCode = String(this.#urbanRural[i]);
    return division;
  }

  has(code: string): boolean {
    return this.#indexOf(code) >= 0;
  }

  get(code: string): Division | undefined {
    const i = this.#indexOf(code);
    return i < 0 ? undefined : this.#row(i);
  }

  /** The nearest listed place above `code`: its county, or its city where the city has no counties (东莞). */
  parentOf(division: Pick<Division, 'code' | 'level'>): string | undefined {
    for (let level = DIVISION_LEVELS.indexOf(division.level) - 1; level >= 0; level--) {
      const ancestor = codePrefix(division.code, DIVISION_LEVELS[level]!).padEnd(12, '0');
      if (ancestor !== division.code && this.has(ancestor)) return ancestor;
    }
    return undefined;
  }

  /** The place `code` and everything under it, in code order; empty when the code is not listed. */
  within(code: string): Division[] {
    const division = this.get(code);
    if (!division) return [];
    const prefix = codePrefix(code, division.level);
    const end = lowerBound(this.#codes, Number(prefix.padEnd(12, '9')) + 1);
    const out: Division[] = [];
    for (let i = lowerBound(this.#codes, Number(code)); i < end; i++) out.push(this.#row(i));
    return out;
  }

  *[Symbol.iterator](): IterableIterator<Division> {
    for (let i = 0; i < this.size; i++) yield this.#row(i);
  }
}
