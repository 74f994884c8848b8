import { z } from 'zod';

/**
 * The 12-digit statistical division code (统计用区划代码). Its prefixes are the hierarchy, so a
 * rollup level is just a prefix length and rolling up needs no join.
 */
export const ROLLUP_LEVELS = ['city', 'county', 'township', 'village'] as const;
export type RollupLevel = (typeof ROLLUP_LEVELS)[number];

export const DIVISION_LEVELS = ['province', 'city', 'county', 'township', 'village'] as const;
export type DivisionLevel = (typeof DIVISION_LEVELS)[number];

/** Significant digits of each level's code; the rest of the 12 digits are zero. */
export const PREFIX_LENGTH: Record<DivisionLevel, number> = {
  province: 2,
  city: 4,
  county: 6,
  township: 9,
  village: 12,
};

const TWELVE_DIGITS = /^\d{12}$/;

export const divisionCode = z.string().regex(TWELVE_DIGITS, 'must be a 12-digit statistical division code (统计用区划代码)');

/** A village or community: all five parts of the code are set (no trailing zero groups). */
export const villageCode = divisionCode.refine(
  (code) => levelOfCode(code) === 'village',
  'must be the 12-digit code of a village or community (last three digits not 000)',
);

/**
 * A place an event can belong to: a village or community, or for activity organised above the
 * village (a township enforcement team, a county party school, a city hotline) that township,
 * county or city. Which of these levels an event type accepts is part of its contract.
 */
export const placeCode = divisionCode.refine(
  (code) => (ROLLUP_LEVELS as readonly string[]).includes(levelOfCode(code) ?? ''),
  'must be the 12-digit code of a city, county, township or village (a province is not a place events belong to)',
);

/** The level a 12-digit code denotes, read from which trailing digit groups are zero. */
export function levelOfCode(code: string): DivisionLevel | undefined {
  if (!TWELVE_DIGITS.test(code) || code.startsWith('00')) return undefined;
  if (code.slice(9) !== '000') return code.slice(6, 9) === '000' ? undefined : 'village';
  if (code.slice(6, 9) !== '000') return 'township';
  if (code.slice(4, 6) !== '00') return 'county';
  if (code.slice(2, 4) !== '00') return 'city';
  return 'province';
}

/** The code of the place at `level` that contains `code`, padded back to 12 digits. */
export function ancestorCode(code: string, level: DivisionLevel): string {
  return code.slice(0, PREFIX_LENGTH[level]).padEnd(12, '0');
}
