import { PREFIX_LENGTH, ROLLUP_LEVELS } from '@govstats/schemas';

/** `[('city', 4), ('county', 6), …]`: the ARRAY JOIN that fans each event out to every level. */
export const LEVEL_FANOUT = `[${ROLLUP_LEVELS.map((level) => `('${level}', ${PREFIX_LENGTH[level]})`).join(', ')}]`;
