import { EVENT_TYPES } from '@govstats/schemas';
import type { Store } from '@govstats/store';
import { queryRollup } from '@govstats/warehouse';

interface TargetLike {
  level: 'city' | 'county' | 'township' | 'village';
  code: string;
  scope: 'all' | 'urban' | 'rural';
  measure: string;
  value: number;
  filter: Partial<Record<string, string>>;
}

/**
 * What the rollups say for a scenario target: the place's figure, restricted to the target's
 * dimension filter and, for urban or rural targets, to that area's events.
 */
export async function rollupFigureFor(store: Store, target: TargetLike, period: { from: string; to: string }): Promise<number> {
  const [typeName, measure] = target.measure.split('.') as [string, string];
  const type = EVENT_TYPES.find((t) => t.name === typeName)!;
  const by = Object.keys(target.filter);
  const matches = (dimensions: Record<string, string>) => by.every((k) => dimensions[k] === target.filter[k]);
  const area = target.scope === 'all' ? undefined : target.scope;
  const rows = await queryRollup(store, type, { level: target.level, code: target.code, from: period.from, to: period.to, by, area });
  return rows.filter((r) => matches(r.dimensions)).reduce((n, r) => n + (r.figures[measure] ?? 0), 0);
}
