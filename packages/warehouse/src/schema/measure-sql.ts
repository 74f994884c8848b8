import type { Measure, RollupSpec } from '@govstats/schemas';

/**
 * The three faces of a measure: the column type of its partial aggregate in the rollup table,
 * the expression the materialized view writes into it, and the expression that merges partial
 * aggregates into the final figure. Queries and views use only `mergeExpr`, the view only
 * `stateExpr`, so a figure is computed one way everywhere.
 */
export function stateColumn(measure: Measure): string {
  return `${measure.name}_state`;
}

export function stateType(measure: Measure): string {
  switch (measure.kind) {
    case 'count':
      return 'SimpleAggregateFunction(sum, UInt64)';
    case 'sum':
      return `SimpleAggregateFunction(sum, ${measure.type})`;
    case 'state':
      return 'SimpleAggregateFunction(sum, Int64)';
    case 'distinct':
      return 'AggregateFunction(uniqExactIf, String, UInt8)';
    case 'median':
      return 'AggregateFunction(quantileExactInclusiveIf(0.5), Float64, UInt8)';
  }
}

export function stateExpr(measure: Measure): string {
  const where = measure.where ? `toUInt8(${measure.where})` : 'toUInt8(1)';
  switch (measure.kind) {
    case 'count':
      return measure.where ? `toUInt64(countIf(${measure.where}))` : 'toUInt64(count())';
    case 'sum':
      return `CAST(sumIf(${measure.expr}, ${where}) AS ${measure.type})`;
    case 'state':
      return `CAST(sumIf(toInt64(${measure.delta}), ${where}) AS Int64)`;
    case 'distinct':
      return `uniqExactIfState(toString(${measure.expr}), ${where})`;
    case 'median':
      return `quantileExactInclusiveIfState(0.5)(toFloat64(${measure.expr}), ${where})`;
  }
}

/** Partial states of one group merged into the state of a larger group (villages into their township, …). */
export function restateExpr(measure: Measure): string {
  const column = stateColumn(measure);
  switch (measure.kind) {
    case 'count':
    case 'sum':
    case 'state':
      return `sum(${column})`;
    case 'distinct':
      return `uniqExactIfMergeState(${column})`;
    case 'median':
      return `quantileExactInclusiveIfMergeState(0.5)(${column})`;
  }
}

export function mergeExpr(measure: Measure, tableAlias = ''): string {
  const column = `${tableAlias}${stateColumn(measure)}`;
  switch (measure.kind) {
    case 'count':
    case 'sum':
    case 'state':
      return `sum(${column})`;
    case 'distinct':
      return `uniqExactIfMerge(${column})`;
    case 'median': {
      const median = `quantileExactInclusiveIfMerge(0.5)(${column})`;
      return `if(isFinite(${median}), round(${median}, 2), NULL)`;
    }
  }
}

/** The same figure computed straight from raw rows, for reconciliation; rounded as mergeExpr rounds. */
export function rawExpr(measure: Measure): string {
  const where = measure.where ? `toUInt8(${measure.where})` : 'toUInt8(1)';
  switch (measure.kind) {
    case 'count':
    case 'sum':
    case 'state':
      return stateExpr(measure); // a simple aggregate's state is its value
    case 'distinct':
      return `uniqExactIf(toString(${measure.expr}), ${where})`;
    case 'median': {
      const median = `quantileExactInclusiveIf(0.5)(toFloat64(${measure.expr}), ${where})`;
      return `if(isFinite(${median}), round(${median}, 2), NULL)`;
    }
  }
}

/**
 * `merged AS name, …, derived AS name` — the select list of the readable views. A state is the
 * running total of its changes over the view's periods (`running`: the window partition and
 * order), so each row shows what was in place at the end of its period.
 */
export function measureSelectList(
  rollup: RollupSpec,
  tableAlias = '',
  running?: { partitionBy: string; orderBy: string; byDimensions: boolean },
): string {
  // Rows split by a dimension entities move along (stars) cannot carry a state.
  const splittable = !running?.byDimensions || !rollup.dimensions.some((d) => d.flowsOnly);
  const merged = (m: Measure) =>
    m.kind !== 'state' || !running
      ? mergeExpr(m, tableAlias)
      : splittable
        ? `sum(${mergeExpr(m, tableAlias)}) OVER (PARTITION BY ${running.partitionBy} ORDER BY ${running.orderBy})`
        : 'CAST(NULL AS Nullable(Int64))';
  return [...rollup.measures.map((m) => `${merged(m)} AS ${m.name}`), ...rollup.derived.map((d) => `${d.expr} AS ${d.name}`)].join(',\n  ');
}

/** Names of all figures a rollup yields, stored, thresholds and derived. */
export function measureNames(rollup: RollupSpec): string[] {
  return [...rollup.measures.map((m) => m.name), ...(rollup.thresholds ?? []).map((t) => t.name), ...rollup.derived.map((d) => d.name)];
}

/** The stored measures a rollup's thresholds count villages by, each once. */
export function thresholdMeasures(rollup: RollupSpec): Measure[] {
  const names = new Set((rollup.thresholds ?? []).map((t) => t.measure));
  return rollup.measures.filter((m) => names.has(m.name));
}

/**
 * Threshold counts straight from raw rows of villages (`villageRows`, a table expression): each
 * village's own total, then the villages reaching each level — per place when `placeCode` (an
 * expression over `village_code`) names it, else over all the rows.
 */
export function rawThresholdSql(rollup: RollupSpec, villageRows: string, placeCode?: string): string {
  const counts = (rollup.thresholds ?? []).map((t) => `toUInt64(countIf(${t.measure} >= ${t.atLeast})) AS ${t.name}`);
  return `SELECT ${[...(placeCode ? [`${placeCode} AS code`] : []), ...counts].join(', ')}
FROM (SELECT village_code, ${thresholdMeasures(rollup)
    .map((m) => `${rawExpr(m)} AS ${m.name}`)
    .join(', ')} FROM ${villageRows} GROUP BY village_code)${placeCode ? '\nGROUP BY code' : ''}`;
}
