/**
 * A rollup is declared as data: dimensions and measures. The materialized view, the rollup
 * table, the readable views and the `govstats rollup` query are all generated from it
 * (see ../warehouse-sql), so a measure is defined once and can never disagree with itself.
 */
export type Measure = MeasureKind &
  MeasureLabel & {
    /** Number of the per-type migration that added the measure (absent: the first one). */
    since?: number;
  };

/**
 * How a measure is shown to people (bulletin, demo, reference): its Chinese label and display
 * unit. `%` marks a ratio (0..1) shown as a percentage; `scale` converts the stored value to the
 * unit (yuan → 万元 is 1/10,000). Never part of the DDL, so labels can change freely.
 */
export interface MeasureLabel {
  label: string;
  unit: string;
  scale?: number;
}

type MeasureKind =
  /** Number of raw events, optionally only those matching `where`. */
  | { kind: 'count'; name: string; description: string; where?: string }
  /** Sum of a numeric SQL expression over the raw rows, in `type` (exact: integers or Decimal). */
  | { kind: 'sum'; name: string; description: string; expr: string; type: string; where?: string }
  /** Exact number of distinct values (people, households, sessions), mergeable across days. */
  | { kind: 'distinct'; name: string; description: string; expr: string; where?: string }
  /** Exact median (midpoint of the two middle values for an even count), mergeable across days. */
  | { kind: 'median'; name: string; description: string; expr: string; where?: string };

/** A measure computed from other merged measures, e.g. a rate. Never stored. */
export interface DerivedMeasure extends MeasureLabel {
  name: string;
  description: string;
  /** SQL over the merged measure names, e.g. `resolved / nullIf(received, 0)`. */
  expr: string;
  /** A fixed multiple of one count or sum, so it adds up across places like they do (yuan from fen). */
  linear?: boolean;
}

/** A column of the rollup besides place and day, e.g. product or channel. */
export interface RollupDimension {
  name: string;
  expr: string;
  type: string;
  description: string;
}

export interface RollupSpec {
  /** Table holding partial aggregates per level × code × day × dimensions. */
  table: string;
  dimensions: RollupDimension[];
  measures: Measure[];
  derived: DerivedMeasure[];
  /** Count measures that together count every event exactly once (the bulletin's "events ingested"). */
  eventsCountedBy: string[];
}

/** A measure or derived measure of a rollup by name. */
export function measureNamed(rollup: RollupSpec, name: string): (Measure | DerivedMeasure) | undefined {
  return rollup.measures.find((m) => m.name === name) ?? rollup.derived.find((m) => m.name === name);
}

/** Counts and sums add up across places and areas; distinct counts and medians do not. */
export function isAdditive(measure: Measure | DerivedMeasure): boolean {
  return 'kind' in measure ? measure.kind === 'count' || measure.kind === 'sum' : measure.linear === true;
}
