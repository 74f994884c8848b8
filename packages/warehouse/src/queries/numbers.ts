/** ClickHouse quotes 64-bit integers in JSON; figures are returned to callers as plain numbers. */
export function toFigures(row: Record<string, unknown>, names: readonly string[]): Record<string, number | null> {
  const figures: Record<string, number | null> = {};
  for (const name of names) {
    const value = row[name];
    figures[name] = value === null || value === undefined ? null : Number(value);
  }
  return figures;
}
