// SCRATCH: load N rows for the rollup queries into a kept store, or measure queries in it.
import { openStore, queryRows } from '@govstats/store';
import { queryPlaceFigures } from '@govstats/warehouse';
import { QUERIED_TYPE, loadSyntheticRows, measureQueries } from './runs/query-latency.ts';
const [mode, dir, n] = process.argv.slice(2);
const store = await openStore({ dataDir: dir! });
if (mode === 'load') {
  const r = await loadSyntheticRows(store, Number(n));
  console.log(r);
}
await store.client.command({ query: 'USE bench_queries' });
for (const q of await measureQueries(store))
  console.log(q.level, q.period, 'p50', q.rollupP50Ms.toFixed(1), 'p95', q.rollupP95Ms.toFixed(1), q.agree);
await store.close();
