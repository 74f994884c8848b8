import { EVENT_TYPES, cloudEventType, validateEvent, type ColumnSpec, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import { queryRows, runCommand, type Store } from '@govstats/store';
import { queryPlaceFigures, queryPlaceFiguresFromRaw } from '@govstats/warehouse';
import { percentile } from '../measure.ts';
import { freshDatabase } from './database.ts';

/** The bench measures the first type whose events belong to villages: its rollups are the busiest. */
export const QUERIED_TYPE: EventTypeDefinition = EVENT_TYPES.find((t) => t.subjectLevels.includes('village'))!;
const PLACES: [RollupLevel, string][] = [
  ['city', '411200000000'],
  ['county', '411224000000'],
  ['township', '411224104000'],
  ['village', '411224104201'],
];
const PERIODS = { month: { from: '2024-06-01', to: '2024-06-30' }, year: { from: '2024-01-01', to: '2024-12-31' } };

export interface QueryLatency {
  level: RollupLevel;
  period: keyof typeof PERIODS;
  rollupP50Ms: number;
  rollupP95Ms: number;
  rawP50Ms: number;
  rawP95Ms: number;
  /** Events by both routes (the type's counts of every event): they must agree. */
  events: number;
  agree: boolean;
}

/** The raw-column values of the type's valid examples, so synthetic rows match its `where` clauses. */
function exampleValues(type: EventTypeDefinition): Map<string, unknown[]> {
  const values = new Map<string, unknown[]>();
  for (const data of type.examples.valid) {
    const event = {
      specversion: '1.0',
      id: 'x',
      source: 'urn:govstats:bench',
      type: cloudEventType(type, type.versions[0]!.version),
      time: '2024-03-02T10:00:00+08:00',
      subject: '411224104201',
      data,
    };
    const result = validateEvent(event);
    if (!result.ok) throw new Error(`${type.name} example is not valid: ${result.detail}`);
    for (const [column, value] of Object.entries(result.columns)) values.set(column, [...new Set([...(values.get(column) ?? []), value])]);
  }
  return values;
}

/** SQL for one type-specific column of synthetic row `number`: plausible spread, ids numbered within the village. */
function syntheticColumn(column: ColumnSpec, salt: number, examples: Map<string, unknown[]>): string {
  const hash = `cityHash64(number, ${salt})`;
  const type = column.type.replace(/^LowCardinality\((.*)\)$/, '$1');
  if (type.startsWith('DateTime64')) return `event_time - toIntervalSecond(${hash} % 604800)`;
  if (type.startsWith('Decimal')) return `CAST(${hash} % 16 / 4 + 0.25 AS ${type})`;
  if (/^U?Int/.test(type)) return `toUInt8(${hash} % 3)`;
  if (column.type.startsWith('LowCardinality')) {
    const known = (examples.get(column.name) ?? ['x']).map((v) => `'${String(v).replace(/'/g, "\\'")}'`);
    return `arrayElement([${known.join(', ')}], 1 + ${hash} % ${known.length})`;
  }
  return `concat(village, '-${column.name}-', toString(${hash} % 400))`;
}

/**
 * Synthetic events of the queried type over every village of 三门峡市 through 2024, loaded through
 * the real views, then the rollups merged as background merges would leave them after a quiet
 * spell. Returns the seconds spent loading and merging.
 */
export async function loadSyntheticRows(store: Store, rows: number): Promise<{ loadSeconds: number; mergeSeconds: number }> {
  await freshDatabase(store, 'bench_queries');
  const type = QUERIED_TYPE;
  const examples = exampleValues(type);
  const own = type.rawTable.columns.map((column, i) => ({ name: column.name, sql: syntheticColumn(column, 10 + i, examples) }));
  const started = performance.now();
  const step = 1_000_000;
  for (let offset = 0; offset < rows; offset += step) {
    await runCommand(
      store.client,
      // original_code and area take their column defaults: the village itself, its area by its code.
      `INSERT INTO ${type.rawTable.name} (event_id, contract_version, source, village_code, event_time, ingested_at, kafka_topic, kafka_partition, kafka_offset,
  ${own.map((c) => c.name).join(', ')})
WITH (SELECT groupArray(toString(code)) FROM divisions WHERE level = 'village' AND startsWith(code, '4112')) AS villages,
     arrayElement(villages, 1 + cityHash64(number) % length(villages)) AS village,
     toDateTime64('2024-01-01 00:00:00', 3, 'UTC') + toIntervalSecond(cityHash64(number, 1) % (366 * 86400)) AS event_time
SELECT concat('q', toString(number)), 1, 'urn:govstats:bench', toFixedString(village, 12), event_time,
       toDateTime64('2024-01-01 00:00:00', 3, 'UTC'), 'bench', 0, number,
       ${own.map((c) => c.sql).join(',\n       ')}
FROM numbers(${offset}, ${Math.min(step, rows - offset)})`,
    );
  }
  const loaded = performance.now();
  const rollups = await queryRows<{ name: string }>(
    store.client,
    `SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, {prefix:String}) AND engine LIKE '%MergeTree'`,
    { prefix: type.rollup.table },
  );
  for (const { name } of rollups) await runCommand(store.client, `OPTIMIZE TABLE ${name} FINAL`);
  return { loadSeconds: (loaded - started) / 1000, mergeSeconds: (performance.now() - loaded) / 1000 };
}

async function latencies(times: number, query: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await query();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** p50/p95 of `govstats rollup`'s query against the same answer computed from the raw table. */
export async function measureQueries(store: Store, rollupRuns = 20, rawRuns = 5): Promise<QueryLatency[]> {
  const results: QueryLatency[] = [];
  for (const [level, code] of PLACES) {
    for (const [period, window] of Object.entries(PERIODS) as [keyof typeof PERIODS, { from: string; to: string }][]) {
      const filter = { level, code, ...window };
      const fromRollup = await queryPlaceFigures(store, QUERIED_TYPE, filter);
      const fromRaw = await queryPlaceFiguresFromRaw(store, QUERIED_TYPE, filter);
      const rollup = await latencies(rollupRuns, () => queryPlaceFigures(store, QUERIED_TYPE, filter));
      const raw = await latencies(rawRuns, () => queryPlaceFiguresFromRaw(store, QUERIED_TYPE, filter));
      results.push({
        level,
        period,
        rollupP50Ms: percentile(rollup, 50),
        rollupP95Ms: percentile(rollup, 95),
        rawP50Ms: percentile(raw, 50),
        rawP95Ms: percentile(raw, 95),
        events: QUERIED_TYPE.rollup.eventsCountedBy.reduce((n, m) => n + (fromRollup[m] ?? 0), 0),
        agree: JSON.stringify(fromRollup) === JSON.stringify(fromRaw),
      });
    }
  }
  return results;
}
