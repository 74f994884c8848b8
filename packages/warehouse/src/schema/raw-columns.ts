import type { ColumnSpec } from '@govstats/schemas';
import { quoteString } from './ddl-options.ts';

/** village_code's comment from per-type migration 0005 on, when places above the village began to count. */
export const SUBJECT_COLUMN_COMMENT =
  'the place the event counts under: a village or community, or a township, county or city for activity above the village; a retired code is replaced by its current place';

/**
 * A raw column's definition. A column added by a later migration carries its default for the rows
 * written before it, in a baseline's CREATE TABLE too, so both kinds of store have the same table.
 */
export function rawColumnDdl(column: ColumnSpec): string {
  const defaultForOlderRows = column.defaultForOlderRows === undefined ? '' : ` DEFAULT ${column.defaultForOlderRows}`;
  return `${column.name} ${column.type}${defaultForOlderRows} COMMENT ${quoteString(column.description)}`;
}
