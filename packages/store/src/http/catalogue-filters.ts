import { CATALOGUE_TABLES, type ReaderScope } from '../guard/statement-policy.ts';

/**
 * The `additional_table_filters` setting that narrows the catalogue a reader sees to what it may
 * query: the readable views and the catalogue tables themselves. The engine applies it to every
 * read of these tables — aliased, joined or in a subquery — and the reader cannot lift it, since
 * a reader's SETTINGS clause is refused. Without it a BI tool's schema browser would list the raw
 * tables and the bookkeeping, with their columns and DDL, that the reader cannot query anyway.
 */
export function catalogueFilters(scope: ReaderScope): string {
  const system = [...CATALOGUE_TABLES].filter((name) => name.startsWith('system.')).map((name) => name.slice('system.'.length));
  const readable = (column: string) =>
    `(database = ${quote(scope.database)} AND ${column} IN (${[...scope.views].map(quote).join(', ') || "''"})) OR (database = 'system' AND ${column} IN (${system.map(quote).join(', ')}))`;
  const filters = {
    'system.tables': readable('name'),
    'system.columns': readable('table'),
    'system.databases': `name IN (${quote(scope.database)}, 'system')`,
  };
  return `additional_table_filters = {${Object.entries(filters)
    .map(([table, filter]) => `${quote(table)}: ${quote(filter)}`)
    .join(', ')}}`;
}

/** A ClickHouse string literal. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
