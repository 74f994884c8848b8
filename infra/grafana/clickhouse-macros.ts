/**
 * A ClickHouse panel query as Grafana sends it: the macros of grafana-clickhouse-datasource 4.x
 * filled in for a time range, then the dashboard's variables. For the checks and the preview that
 * run the dashboards' SQL without Grafana (test/dashboards.test.ts, preview/render-preview.ts).
 */
export interface TimeRange {
  /** Unix seconds. */
  from: number;
  to: number;
}

/** The range's days in Asia/Shanghai, as the plugin's $__dateFilter compares Date columns. */
function chinaDay(seconds: number): string {
  return new Date((seconds + 8 * 3600) * 1000).toISOString().slice(0, 10);
}

/** A macro not handled here throws rather than reaching the engine unreplaced. */
export function fillClickHouseQuery(sql: string, range: TimeRange, variables: ReadonlyMap<string, string>): string {
  const filled = sql
    .replace(
      /\$__dateFilter\(([^)]+)\)/g,
      (_m, column: string) => `${column} >= toDate('${chinaDay(range.from)}') AND ${column} <= toDate('${chinaDay(range.to)}')`,
    )
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_m, column: string) => `${column} >= toDateTime(${range.from}) AND ${column} <= toDateTime(${range.to})`,
    )
    .replace(/\$__fromTime\b/g, `toDateTime(${range.from})`)
    .replace(/\$__toTime\b/g, `toDateTime(${range.to})`)
    .replace(/\$\{(\w+)\}|\$(?!__)(\w+)/g, (match, braced?: string, bare?: string) => {
      const value = variables.get(braced ?? bare ?? '');
      if (value === undefined) throw new Error(`${match} is not a variable of the dashboard`);
      return value;
    });
  const left = /\$__\w+/.exec(filled);
  if (left) throw new Error(`${left[0]} is a macro this does not fill in: add it to fillClickHouseQuery`);
  return filled;
}

/** A whole year in Asia/Shanghai, 00:00:00 on 1 January to 23:59:59 on 31 December. */
export function chinaYear(year: number): TimeRange {
  return { from: Date.UTC(year - 1, 11, 31, 16) / 1000, to: Date.UTC(year, 11, 31, 15, 59, 59) / 1000 };
}
