import { PREFIX_LENGTH, ROLLUP_LEVELS } from '@govstats/schemas';

/**
 * `[('city', 4), ('county', 6), …]`: the ARRAY JOIN that fans rows out to every level — raw rows in
 * the first rollup view (migration 0001), village aggregates in the per-grain views (rollup-grains.ts).
 */
export const LEVEL_FANOUT = `[${ROLLUP_LEVELS.map((level) => `('${level}', ${PREFIX_LENGTH[level]})`).join(', ')}]`;
