import type { EventTypeDefinition } from './event-type.ts';
import { COMMON_COLUMNS } from './raw-table.ts';
import { measureNamed } from './rollup-spec.ts';

/**
 * What a type's folder declares must hang together, and types must not collide: checked when the
 * registry loads, so a slip in a new type's folder stops every command with the reason rather than
 * leaving a figure silently out of the demo or the bulletin.
 */
export function checkRegistry(types: readonly EventTypeDefinition[]): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const claim = (what: string, owner: string) => {
    const other = seen.get(what);
    if (other !== undefined && other !== owner) problems.push(`${what} is declared by both ${other} and ${owner}`);
    seen.set(what, owner);
  };
  for (const type of types) {
    const { name, rollup, scenario, bulletin } = type;
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) problems.push(`${name}: a type name is kebab-case`);
    claim(`type ${name}`, name);
    claim(`table ${type.rawTable.name}`, name);
    claim(`table ${rollup.table}`, name);
    for (const key of Object.keys(scenario.activity)) claim(`scenario activity.${key}`, name);
    for (const key of Object.keys(scenario.settings)) claim(`scenario key ${key}`, name);
    const names = [...rollup.measures, ...rollup.derived, ...(rollup.thresholds ?? [])].map((m) => m.name);
    for (const duplicate of names.filter((m, i) => names.indexOf(m) !== i))
      problems.push(`${name}: measure ${duplicate} is declared twice`);
    const refer = (where: string, measures: readonly string[]) => {
      for (const measure of measures)
        if (!measureNamed(rollup, measure)) problems.push(`${name}: ${where} names ${measure}, which is not a measure of ${rollup.table}`);
    };
    for (const threshold of rollup.thresholds ?? []) {
      const counted = rollup.measures.find((m) => m.name === threshold.measure);
      if (!counted || (counted.kind !== 'count' && counted.kind !== 'sum'))
        problems.push(`${name}: threshold ${threshold.name} is over ${threshold.measure}, which is not a count or sum of ${rollup.table}`);
      if (!(threshold.atLeast > 0))
        problems.push(`${name}: threshold ${threshold.name} must be above zero (villages without rows count as 0)`);
    }
    // `expr AS name` hides a raw column of that name from every other expression of the rollup's SELECT.
    const rawColumns = new Set([...COMMON_COLUMNS, ...type.rawTable.columns].map((c) => c.name));
    for (const dimension of rollup.dimensions) {
      if (rawColumns.has(dimension.name) && dimension.expr !== dimension.name)
        problems.push(`${name}: dimension ${dimension.name} is computed but named like a raw column; give it a name of its own`);
    }
    refer('eventsCountedBy', rollup.eventsCountedBy);
    for (const measure of rollup.eventsCountedBy) {
      const found = rollup.measures.find((m) => m.name === measure);
      if (found && found.kind !== 'count') problems.push(`${name}: eventsCountedBy names ${measure}, which is not a count`);
    }
    if (rollup.eventsCountedBy.length === 0)
      problems.push(`${name}: eventsCountedBy must name the counts that together count every event once`);
    refer('demoColumns', type.demoColumns);
    refer('bulletin.headline', bulletin.headline);
    refer('bulletin.placeColumns', bulletin.placeColumns ?? []);
    refer('bulletin.countyCharts', bulletin.countyCharts ?? []);
    refer('bulletin.areaRows', bulletin.areaRows ?? []);
    refer('bulletin.definitions', Object.keys(bulletin.definitions ?? {}));
    for (const breakdown of bulletin.breakdowns ?? []) {
      refer(`breakdown ${breakdown.title}`, [...breakdown.columns, ...(breakdown.charts ?? [])]);
      for (const dimension of breakdown.by) {
        if (!rollup.dimensions.some((d) => d.name === dimension))
          problems.push(`${name}: breakdown ${breakdown.title} is by ${dimension}, which is not a dimension of ${rollup.table}`);
      }
    }
    for (const chart of bulletin.countyCharts ?? []) {
      if (!(bulletin.placeColumns ?? []).includes(chart)) problems.push(`${name}: county chart ${chart} is not one of its place columns`);
    }
    for (const target of scenario.targets) refer('a scenario target', [target.measure, ...(target.atMost ? [target.atMost.measure] : [])]);
    if (type.examples.valid.length === 0) problems.push(`${name}: give at least one valid example`);
  }
  if (problems.length > 0) throw new Error(`event type registry (schemas/src/registry.ts):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
