import {
  EVENT_TYPES,
  displayLabel,
  isAdditive,
  measureKey,
  measureNamed,
  type BreakdownSpec,
  type EventTypeDefinition,
} from '@govstats/schemas';

/*
 * Which figures a bulletin shows, gathered from the bulletin part of every event type in the
 * registry (schemas/src/event-types/<type>/bulletin.ts). Labels and units are the measures' own.
 */

/** One figure: a measure of a type, keyed `<type>.<measure>` so no two types can collide. */
export interface FigureSpec {
  type: EventTypeDefinition;
  measure: string;
  key: string;
  label: string;
  unit: string;
  /** Stored value × scale = value in `unit` (yuan → 万元). */
  scale?: number;
  /** Counts and sums: the part above the village is the total minus urban minus rural. */
  additive: boolean;
}

export function figureSpec(type: EventTypeDefinition, measure: string): FigureSpec {
  const declared = measureNamed(type.rollup, measure);
  if (!declared) throw new Error(`${type.name} has no measure ${measure}`);
  return {
    type,
    measure,
    key: measureKey(type, measure),
    label: displayLabel(declared),
    unit: declared.unit,
    scale: declared.scale,
    additive: isAdditive(declared),
  };
}

/** A stored figure in its display unit (万元 to 2 decimals). */
export function scaled(value: number | null | undefined, spec: Pick<FigureSpec, 'scale'>): number | null {
  if (value === null || value === undefined) return null;
  return spec.scale ? Math.round(value * spec.scale * 100) / 100 : value;
}

const specs = (type: EventTypeDefinition, measures: readonly string[] | undefined) => (measures ?? []).map((m) => figureSpec(type, m));

/** One headline section per type, in registry order. */
export const HEADLINE = EVENT_TYPES.map((type) => ({ type, title: type.bulletin.title, figures: specs(type, type.bulletin.headline) }));

/** Columns of the tables by county and by township; the first one ranks the rows. */
export const PLACE_COLUMNS: FigureSpec[] = EVENT_TYPES.flatMap((type) => specs(type, type.bulletin.placeColumns));

/** Place columns drawn by county as bar charts. */
export const COUNTY_CHARTS: string[] = EVENT_TYPES.flatMap((type) => (type.bulletin.countyCharts ?? []).map((m) => measureKey(type, m)));

/** Rows of the urban/rural table (城乡分列). */
export const AREA_ROWS: FigureSpec[] = EVENT_TYPES.flatMap((type) => specs(type, type.bulletin.areaRows));

/** Tables by a type's dimensions, e.g. sales by product. */
export const BREAKDOWNS: { type: EventTypeDefinition; spec: BreakdownSpec; columns: FigureSpec[] }[] = EVENT_TYPES.flatMap((type) =>
  (type.bulletin.breakdowns ?? []).map((spec) => ({ type, spec, columns: specs(type, spec.columns) })),
);

/** 指标解释 of every type's measures, by figure key. */
export const DEFINITIONS: ReadonlyMap<string, string> = new Map(
  EVENT_TYPES.flatMap((type) => Object.entries(type.bulletin.definitions ?? {}).map(([m, text]) => [measureKey(type, m), text] as const)),
);
