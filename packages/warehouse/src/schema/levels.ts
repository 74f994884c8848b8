import { PREFIX_LENGTH, ROLLUP_LEVELS } from '@govstats/schemas';

/**
 * `[('city', 4), ('county', 6), …]`: the ARRAY JOIN that fanned each event out to every level in the
 * first rollup view. Kept because applied migrations never change; rollups now use one view per
 * level (rollup-grains.ts).
 */
export const LEVEL_FANOUT = `[${ROLLUP_LEVELS.map((level) => `('${level}', ${PREFIX_LENGTH[level]})`).join(', ')}]`;
