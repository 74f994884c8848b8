import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';

type Params = Record<string, unknown>;

export async function queryRows<Row>(client: ClickHouseClient, query: string, params: Params = {}): Promise<Row[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<Row>();
}

export async function runCommand(client: ClickHouseClient, query: string, params: Params = {}): Promise<void> {
  await client.command({ query, query_params: params });
}

export interface InsertOptions {
  /**
   * Columns to fill, in this order: rows are then sent as JSONCompactEachRow (one array per row),
   * which the engine parses markedly faster than objects. A row missing a column sends null, which
   * a non-Nullable column refuses with an error naming it.
   */
  columns?: readonly string[];
  /**
   * Same token, same block: a retried insert is dropped by the table and, with
   * deduplicate_blocks_in_dependent_materialized_views, by every rollup fed from it.
   */
  deduplicationToken?: string;
  /** More settings for this insert (e.g. quorum on a cluster), written into the statement. */
  settings?: Readonly<Record<string, string | number>>;
}

/**
 * Inserts rows as one block (JSONEachRow, or JSONCompactEachRow with `columns`). Settings go into
 * the statement itself, never into client settings: the embedded engine applies client settings
 * with SET, which would stick to the shared session and silently deduplicate every later insert
 * with the same token.
 */
export async function insertRows(
  client: ClickHouseClient,
  table: string,
  rows: readonly Record<string, unknown>[],
  options: InsertOptions = {},
): Promise<void> {
  if (rows.length === 0) return;
  const { columns } = options;
  let body = '';
  if (columns) for (const row of rows) body += `${JSON.stringify(columns.map((c) => row[c]))}\n`;
  else for (const row of rows) body += `${JSON.stringify(row)}\n`;
  await insertSerialized(client, table, body, options);
}

/**
 * The settings exactly-once depends on, pinned in every insert instead of trusting a server's or
 * profile's defaults (chdb 26 defaults async_insert to 1, under which a block is buffered with
 * others and its token no longer names one block).
 */
const EXACTLY_ONCE_INSERT_SETTINGS = [
  'async_insert = 0',
  'insert_deduplicate = 1',
  'deduplicate_blocks_in_dependent_materialized_views = 1',
] as const;

/** Inserts rows already serialized, one per line, as insertRows would send them. */
export async function insertSerialized(client: ClickHouseClient, table: string, body: string, options: InsertOptions = {}): Promise<void> {
  const settings = [
    "date_time_input_format = 'best_effort'",
    ...EXACTLY_ONCE_INSERT_SETTINGS,
    // Keep each batch a single block so its token deduplicates the whole batch.
    'max_insert_block_size = 10000000',
    'min_insert_block_size_rows = 0',
    'min_insert_block_size_bytes = 0',
    // A raw table feeds a rollup view per grain; run them side by side rather than one after another.
    'parallel_view_processing = 1',
    // A view's GROUP BY over a large batch switches to two-level aggregation (256 buckets), and
    // with no squashing (above) each bucket became a part of its own: hundreds of parts per insert.
    'group_by_two_level_threshold = 0',
    'group_by_two_level_threshold_bytes = 0',
  ];
  for (const [name, value] of Object.entries(options.settings ?? {})) {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`not a setting name: ${name}`);
    settings.push(`${name} = ${typeof value === 'number' ? value : `'${value.replace(/[^A-Za-z0-9._:-]/g, '_')}'`}`);
  }
  if (options.deduplicationToken !== undefined) {
    settings.push(`insert_deduplication_token = '${options.deduplicationToken.replace(/[^A-Za-z0-9._:-]/g, '_')}'`);
  }
  const { columns } = options;
  const target = columns ? `${table} (${columns.join(', ')})` : table;
  const result = await client.exec({
    query: `INSERT INTO ${target} SETTINGS ${settings.join(', ')} FORMAT ${columns ? 'JSONCompactEachRow' : 'JSONEachRow'}`,
    values: Readable.from([body]),
  });
  // The response body is empty, but it must be read to free the connection.
  for await (const _ of result.stream) void _;
}

/** A query's result as text in the given format, e.g. TabSeparated for compact bulk reads. */
export async function queryText(
  client: ClickHouseClient,
  query: string,
  format: 'TabSeparated' | 'CSV' = 'TabSeparated',
  params: Params = {},
): Promise<string> {
  const result = await client.query({ query, query_params: params, format });
  return result.text();
}
