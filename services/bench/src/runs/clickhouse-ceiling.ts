import { Readable } from 'node:stream';
import type { Store } from '@govstats/store';
import { freshDatabase } from './database.ts';

const CHUNK_ROWS = 50_000;

/**
 * ClickHouse's ceiling: the stream's rows, already serialized as JSONEachRow, inserted in large
 * blocks into fresh raw tables with the same materialized views (rollups at four levels).
 */
export async function clickhouseInsertCeiling(store: Store, rowsByTable: Map<string, string[]>, run: number): Promise<number> {
  await freshDatabase(store, `bench_ceiling_${run}`);
  let rows = 0;
  const started = performance.now();
  for (const [table, lines] of rowsByTable) {
    for (let start = 0; start < lines.length; start += CHUNK_ROWS) {
      const chunk = lines.slice(start, start + CHUNK_ROWS);
      const result = await store.client.exec({
        query: `INSERT INTO ${table} SETTINGS date_time_input_format = 'best_effort', max_insert_block_size = 10000000 FORMAT JSONEachRow`,
        values: Readable.from([`${chunk.join('\n')}\n`]),
      });
      for await (const _ of result.stream) void _;
      rows += chunk.length;
    }
  }
  return rows / ((performance.now() - started) / 1000);
}
