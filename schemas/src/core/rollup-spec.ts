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
  | { kind: 'median'; name: string; description: string; expr: string; where?: string }
  /**
   * A state: how many entities (or how much of a quantity) are in place at the END of the period,
   * whatever period is asked. Each event carries its signed change, `delta` (+1 a grid created,
   * −1 retired; new households − previous households), the rollups store each day's, month's and
   * year's net change, and a figure is the sum of every change up to the period's last day, so it
   * is exact at every level and grain like a count. Stored as Int64.
   */
  | { kind: 'state'; name: string; description: string; delta: string; where?: string };

/**
 * The number of villages (and communities) under a place whose own total of `measure` over the
 * period reaches `atLeast` (collective income ≥ 500,000 yuan; `atLeast: 1` on a count: villages
 * with any activity). Computed from the village rows of the rollup when asked, never stored; adds
 * up across places like a count.
 */
export interface PlaceThreshold extends MeasureLabel {
  name: string;
  description: string;
  /** A count or sum measure of the same rollup, in its stored unit (fen for money). */
  measure: string;
  atLeast: number;
}

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
  /**
   * An entity moves between its values (a branch from 3 to 4 stars), so one event cannot say what
   * leaves one value and enters the other: split by it, flows are exact and states are empty.
   */
  flowsOnly?: boolean;
}

export interface RollupSpec {
  /** Table holding partial aggregates per level × code × day × dimensions. */
  table: string;
  dimensions: RollupDimension[];
  measures: Measure[];
  derived: DerivedMeasure[];
  /** Counts of villages reaching a level of one of the measures. */
  thresholds?: PlaceThreshold[];
  /** Count measures that together count every event exactly once (the bulletin's "events ingested"). */
  eventsCountedBy: string[];
}

/** Any figure a rollup yields: stored, derived, or a count of villages over a threshold. */
export type AnyMeasure = Measure | DerivedMeasure | PlaceThreshold;

/** A measure, derived measure or threshold of a rollup by name. */
export function measureNamed(rollup: RollupSpec, name: string): AnyMeasure | undefined {
  return (
    rollup.measures.find((m) => m.name === name) ??
    rollup.derived.find((m) => m.name === name) ??
    rollup.thresholds?.find((m) => m.name === name)
  );
}

/** Counts, sums, states and counts of villages add up across places and areas; distinct counts and medians do not. */
export function isAdditive(measure: AnyMeasure): boolean {
  if ('atLeast' in measure) return true;
  return 'kind' in measure ? measure.kind === 'count' || measure.kind === 'sum' || measure.kind === 'state' : measure.linear === true;
}

/** A state figure is what is in place at the end of the period, not what happened in it. */
export function isState(measure: AnyMeasure): boolean {
  return 'kind' in measure && measure.kind === 'state';
}

/** The label people read: a state says it is the figure at the period's end (期末在岗…). */
export function displayLabel(measure: AnyMeasure): string {
  return isState(measure) && !measure.label.startsWith('期末') ? `期末${measure.label}` : measure.label;
}
