import { EVENT_TYPES, type RollupLevel } from '@govstats/schemas';
import { queryRows, runCommand, type Store } from '@govstats/store';
import { queryPlaceFigures, queryPlaceFiguresFromRaw } from '@govstats/warehouse';
import { percentile } from '../measure.ts';
import { freshDatabase } from './database.ts';

const gridVisit = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;
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
  /** Visits by both routes: they must agree. */
  visits: number;
  agree: boolean;
}

/**
 * Synthetic grid visits over every village of 三门峡市 through 2024, loaded through the real views,
 * then the rollups merged as background merges would leave them after a quiet spell. Returns the
 * seconds spent loading and merging.
 */
export async function loadSyntheticVisits(store: Store, rows: number): Promise<{ loadSeconds: number; mergeSeconds: number }> {
  await freshDatabase(store, 'bench_queries');
  const started = performance.now();
  const step = 1_000_000;
  for (let offset = 0; offset < rows; offset += step) {
    await runCommand(
      store.client,
      // original_code and area take their column defaults: the village itself, its area by its code.
      `INSERT INTO grid_visits (event_id, contract_version, source, village_code, event_time, ingested_at, kafka_topic, kafka_partition, kafka_offset,
  grid_id, member_id, household_id, kind, issues_found, hazards_found, duration_minutes)
WITH (SELECT groupArray(toString(code)) FROM divisions WHERE level = 'village' AND startsWith(code, '4112')) AS villages,
     arrayElement(villages, 1 + cityHash64(number) % length(villages)) AS village
SELECT concat('q', toString(number)), 1, 'urn:govstats:bench', toFixedString(village, 12),
       toDateTime64('2024-01-01 00:00:00', 3, 'UTC') + toIntervalSecond(cityHash64(number, 1) % (366 * 86400)),
       toDateTime64('2024-01-01 00:00:00', 3, 'UTC'), 'bench', 0, number,
       concat('G', toString(cityHash64(number, 2) % 8)), concat(village, '-M', toString(cityHash64(number, 3) % 40)),
       concat(village, '-H', toString(cityHash64(number, 4) % 400)),
       arrayElement(['household_visit', 'patrol', 'policy_publicity', 'hazard_check'], 1 + cityHash64(number, 5) % 4),
       0, cityHash64(number, 6) % 2, 10 + cityHash64(number, 7) % 50
FROM numbers(${offset}, ${Math.min(step, rows - offset)})`,
    );
  }
  const loaded = performance.now();
  const rollups = await queryRows<{ name: string }>(
    store.client,
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'grid_visit_rollup') AND engine LIKE '%MergeTree'",
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
      const fromRollup = await queryPlaceFigures(store, gridVisit, filter);
      const fromRaw = await queryPlaceFiguresFromRaw(store, gridVisit, filter);
      const rollup = await latencies(rollupRuns, () => queryPlaceFigures(store, gridVisit, filter));
      const raw = await latencies(rawRuns, () => queryPlaceFiguresFromRaw(store, gridVisit, filter));
      results.push({
        level,
        period,
        rollupP50Ms: percentile(rollup, 50),
        rollupP95Ms: percentile(rollup, 95),
        rawP50Ms: percentile(raw, 50),
        rawP95Ms: percentile(raw, 95),
        visits: fromRollup.visits ?? 0,
        agree: JSON.stringify(fromRollup) === JSON.stringify(fromRaw),
      });
    }
  }
  return results;
}
