import { EVENT_TYPES } from '@govstats/schemas';
import { grainAggregateSql, rollupGrain } from '../../../packages/warehouse/src/schema/rollup-grains.ts';
const t = EVENT_TYPES.find((x) => x.name === 'grid-visit')!;
console.log(grainAggregateSql(t, rollupGrain(t, 'month'), t.rawTable.name));
