import type { DivisionLevel } from '@govstats/schemas';

/**
 * How a retired code's successor was found, most to least certain:
 * - `same_name`: a place of the same name (allowing for 镇→街道, 村委会→村民委员会 …) under the
 *   retired place's parent, or under the parent's successor when the parent was renumbered too.
 * - `children`: a renamed place (长治县 → 上党区), found as the place holding the majority of the
 *   retired place's children by name.
 * - `moved`: a place of the same name under another parent nearby (a township handed to the
 *   neighbouring county), accepted only when its code is new and no other new place has that name.
 * - `same_name_in_newest`: no match from one edition to the next, but the newest edition lists one
 *   place of the same name under the ancestor it fell back to (a place missing from an edition in
 *   between, then listed again with a new code).
 * - `ancestor`: nothing at the same level; the successor of its parent stands in (a village merged
 *   into others is counted under its township's successor). Never a guess at the same level.
 */
export const MATCH_METHODS = ['same_name', 'children', 'moved', 'same_name_in_newest', 'ancestor'] as const;
export type MatchMethod = (typeof MATCH_METHODS)[number];

/** The less certain of two methods: a chain of changes is only as sure as its weakest link. */
export function weakerMethod(a: MatchMethod, b: MatchMethod): MatchMethod {
  return MATCH_METHODS.indexOf(a) >= MATCH_METHODS.indexOf(b) ? a : b;
}

/** A code of an older edition that the newer one no longer lists, and where its place went. */
export interface CodeChange {
  retiredCode: string;
  retiredName: string;
  retiredLevel: DivisionLevel;
  /** The code that place is now counted under; listed in the newer edition. */
  currentCode: string;
  currentName: string;
  currentLevel: DivisionLevel;
  method: MatchMethod;
  /** Edition id (e.g. nbs-2018) of the first edition that no longer lists `retiredCode`. */
  retiredIn: string;
}
