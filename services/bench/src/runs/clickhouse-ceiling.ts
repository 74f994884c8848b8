import { rawColumnNames, type EventTypeDefinition } from '@govstats/schemas';
import { insertSerialized, type Store } from '@govstats/store';
import { freshDatabase } from './database.ts';

/** Rows per insert: as large as the consumer's batches get with its default fetch size. */
const CHUNK_ROWS = 40_000;

/** The stream's rows of one type, serialized exactly as the consumer sends them (one JSON array per line). */
export interface SerializedRows {
  eventType: EventTypeDefinition;
  lines: string[];
}

/**
 * ClickHouse's ceiling: the stream's rows, already serialized, inserted in large blocks with the
 * consumer's own insert settings into fresh raw tables with the same materialized views.
 */
export async function clickhouseInsertCeiling(
  store: Store,
  rows: SerializedRows[],
  run: number,
): Promise<{ rowsPerSecond: number; cpuMicrosPerRow: number }> {
  await freshDatabase(store, `bench_ceiling_${run}`);
  let inserted = 0;
  const started = performance.now();
  // The engine runs in this process: its threads' CPU is this process's.
  const cpuBefore = process.cpuUsage();
  for (const { eventType, lines } of rows) {
    const columns = rawColumnNames(eventType.rawTable);
    for (let start = 0; start < lines.length; start += CHUNK_ROWS) {
      const chunk = lines.slice(start, start + CHUNK_ROWS);
      await insertSerialized(store.client, eventType.rawTable.name, `${chunk.join('\n')}\n`, {
        columns,
        deduplicationToken: `ceiling:${run}:${eventType.name}:${start}`,
      });
      inserted += chunk.length;
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { rowsPerSecond: inserted / ((performance.now() - started) / 1000), cpuMicrosPerRow: (cpu.user + cpu.system) / inserted };
}
