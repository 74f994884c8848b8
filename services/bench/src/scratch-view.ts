// SCRATCH: CPU per small insert with views, by variant.
import { readFileSync, cpSync, rmSync } from 'node:fs';
import { topicsFor } from '@govstats/config';
import { rawColumnNames } from '@govstats/schemas';
import { insertSerialized, openStore, queryRows } from '@govstats/store';
import { serializeAsConsumerWould } from './stream.ts';
const [template, streamFile] = process.argv.slice(2);
rmSync('/tmp/i17/view', { recursive: true, force: true });
cpSync(template!, '/tmp/i17/view', { recursive: true });
const store = await openStore({ dataDir: '/tmp/i17/view' });
const gv = serializeAsConsumerWould(readFileSync(streamFile!, 'utf8').trimEnd().split('\n'), topicsFor('x')).find(
  (b) => b.eventType.name === 'grid-visit',
)!;
const table = gv.eventType.rawTable.name;
let at = 0,
  tok = 0;
async function measure(label: string, settings: Record<string, number> = {}, size = 100, reps = 10) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const chunk = gv.lines.slice(at, at + size);
    at += size;
    await insertSerialized(store.client, table, `${chunk.join('\n')}\n`, {
      columns: rawColumnNames(gv.eventType.rawTable),
      deduplicationToken: `v${tok++}`,
      settings,
    });
  }
  const c = process.cpuUsage(c0);
  console.log(
    `${label.padEnd(28)} ${size} rows: wall ${((performance.now() - t0) / reps).toFixed(1)} ms, cpu ${((c.user + c.system) / 1000 / reps).toFixed(1)} ms per insert`,
  );
}
await measure('warm-up');
await measure('as is');
await measure('old analyzer', { enable_analyzer: 0 });
await measure('serial views', { parallel_view_processing: 0 });
await measure('max_threads 1', { max_threads: 1 });
await measure('max_insert_threads 1', { max_insert_threads: 1 });
const views = (
  await queryRows<{ v: string }>(
    store.client,
    `SELECT arrayJoin(dependencies_table) AS v FROM system.tables WHERE database = currentDatabase() AND name = '${table}'`,
  )
).map((r) => r.v);
console.log(views);
for (const keep of views) {
  for (const v of views) if (v !== keep) await store.client.command({ query: `DETACH TABLE ${v}` });
  await measure(`only ${keep.replace('grid_visit_rollup', '')}`);
  for (const v of views) if (v !== keep) await store.client.command({ query: `ATTACH TABLE ${v}` });
}
for (const v of views) await store.client.command({ query: `DETACH TABLE ${v}` });
await measure('no views');
for (const v of views) await store.client.command({ query: `ATTACH TABLE ${v}` });
await measure('as is, 2000 rows', {}, 2000, 5);
const viewSql = (
  await queryRows<{ q: string }>(
    store.client,
    `SELECT as_select AS q FROM system.tables WHERE database = currentDatabase() AND name = 'grid_visit_rollup_month_levels_mv'`,
  )
)[0]!.q;
async function cpuOf(label: string, run: () => Promise<unknown>, reps = 10) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) await run();
  const c = process.cpuUsage(c0);
  console.log(
    `${label.padEnd(28)} wall ${((performance.now() - t0) / reps).toFixed(1)} ms, cpu ${((c.user + c.system) / 1000 / reps).toFixed(1)} ms`,
  );
}
await cpuOf('EXPLAIN view select', () => queryRows(store.client, `EXPLAIN ${viewSql}`));
await cpuOf('EXPLAIN PIPELINE view select', () => queryRows(store.client, `EXPLAIN PIPELINE ${viewSql}`));
await store.client.command({ query: `CREATE TABLE gv_small AS ${table}` });
await store.client.command({ query: `INSERT INTO gv_small SELECT * FROM ${table} LIMIT 100` });
await cpuOf('view select over 100 rows', () =>
  queryRows(store.client, `SELECT count() FROM (${viewSql.replace(new RegExp(`FROM ${table}\\b`), 'FROM gv_small')})`),
);
await store.client.command({ query: `CREATE TABLE gm_copy AS grid_visit_rollup_month` });
await cpuOf('part write month grain 100', () =>
  store.client.command({ query: `INSERT INTO gm_copy SELECT * FROM grid_visit_rollup_month LIMIT 100` }),
);
await store.client.command({ query: `CREATE TABLE gd_copy AS grid_visit_rollup` });
await cpuOf('part write day grain 100', () =>
  store.client.command({ query: `INSERT INTO gd_copy SELECT * FROM grid_visit_rollup LIMIT 100` }),
);
await cpuOf('select 1', () => queryRows(store.client, `SELECT 1`));
await store.close();
