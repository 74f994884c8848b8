/**
 * A rollup is declared as data: dimensions and measures. The materialized view, the rollup
 * table, the readable views and the `govstats rollup` query are all generated from it
 * (see ../warehouse-sql), so a measure is defined once and can never disagree with itself.
 */
export type Measure = MeasureKind & {
  /** Number of the per-type migration that added the measure (absent: the first one). */
  since?: number;
};

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
export interface DerivedMeasure {
  name: string;
  description: string;
  /** SQL over the merged measure names, e.g. `resolved / nullIf(received, 0)`. */
  expr: string;
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
}
