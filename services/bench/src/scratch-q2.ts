import { openStore, queryRows } from '@govstats/store';
import { queryPlaceFigures } from '@govstats/warehouse';
import { QUERIED_TYPE } from './runs/query-latency.ts';
const store = await openStore({ dataDir: process.argv[2]! });
await store.client.command({ query: 'USE bench_queries' });
const orig = store.client.query.bind(store.client);
let captured: any;
(store.client as any).query = (p: any) => {
  captured = p;
  return orig(p);
};
const [level, code, from, to] = process.argv.slice(3);
await queryPlaceFigures(store, QUERIED_TYPE, { level: level as any, code: code!, from: from!, to: to! });
(store.client as any).query = orig;
console.log(captured.query, JSON.stringify(captured.query_params));
const time = async (sql: string, params: any, n = 5) => {
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await queryRows(store.client, sql, params);
    ts.push(performance.now() - t);
  }
  return ts.map((t) => t.toFixed(0)).join(' ');
};
console.log('whole', await time(captured.query, captured.query_params));
for (const table of ['year', 'month', 'day']) {
  const t = `${QUERIED_TYPE.rollup.table}${table === 'day' ? '' : `_${table}`}`;
  console.log(
    t,
    await queryRows(
      store.client,
      `SELECT level, count() AS rows, sum(bytes_on_disk) FROM system.parts WHERE active AND table = {t:String} GROUP BY ALL`.replace(
        'sum(bytes_on_disk) FROM system.parts WHERE active AND table = {t:String} GROUP BY ALL',
        `'' FROM ${t} GROUP BY level`,
      ),
      { t },
    ),
  );
}
const store2 = await openStore({ dataDir: process.argv[2]! });
await store2.client.command({ query: 'USE bench_queries' });
const T = async (label: string, sql: string) => {
  const ts = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await queryRows(store2.client, sql, { code: code! });
    ts.push(performance.now() - t);
  }
  console.log(label.padEnd(30), ts.map((t) => t.toFixed(0)).join(' '));
};
const base = `FROM grid_visit_rollup_year WHERE level = 'city' AND code = {code:String} AND period = '2024-01-01'`;
await T('count rows', `SELECT count() ${base}`);
await T('sums', `SELECT sum(visits_state) ${base}`);
for (const c of ['households_visited_state', 'grid_members_active_state', 'grids_active_state', 'villages_active_state']) {
  await T(c, `SELECT uniqExactIfMerge(${c}) ${base}`);
  console.log(
    await queryRows(store2.client, `SELECT area, byteSize(${c}) AS bytes, finalizeAggregation(${c}) AS n ${base}`, { code: code! }),
  );
}
await store2.close();
await store.close();
