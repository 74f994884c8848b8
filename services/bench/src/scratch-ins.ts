// SCRATCH: fixed cost of an insert per size and type.
import { readFileSync, cpSync, rmSync } from 'node:fs';
import { topicsFor } from '@govstats/config';
import { rawColumnNames } from '@govstats/schemas';
import { insertSerialized, openStore, queryRows } from '@govstats/store';
import { serializeAsConsumerWould } from './stream.ts';
const [template, streamFile] = process.argv.slice(2);
rmSync('/tmp/i17/ins', { recursive: true, force: true });
cpSync(template!, '/tmp/i17/ins', { recursive: true });
const store = await openStore({ dataDir: '/tmp/i17/ins' });
const lines = readFileSync(streamFile!, 'utf8').trimEnd().split('\n');
const byType = serializeAsConsumerWould(lines, topicsFor('x'));
let token = 0;
const views = await queryRows<{ t: string; n: number }>(
  store.client,
  `SELECT arrayJoin(dependencies_table) AS t, 1 AS n FROM system.tables WHERE database = currentDatabase() AND name LIKE 'raw_%'`,
);
console.log('mv count', views.length);
await store.client.command({ query: 'CREATE TABLE grid_visits_noviews AS grid_visits' });
const deps = await queryRows<any>(
  store.client,
  `SELECT name, dependencies_table FROM system.tables WHERE database = currentDatabase() AND name IN ('grid_visits', 'dispute_events')`,
);
console.log(JSON.stringify(deps));
{
  const gv = byType.find((b) => b.eventType.name === 'grid-visit')!;
  const times: number[] = [];
  for (let rep = 0; rep < 8; rep++) {
    const chunk = gv.lines.slice(50000 + rep * 100, 50000 + rep * 100 + 100);
    const t = performance.now();
    await insertSerialized(store.client, 'grid_visits_noviews', `${chunk.join('\n')}\n`, {
      columns: rawColumnNames(gv.eventType.rawTable),
      deduplicationToken: `nv${rep}`,
    });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log('grid_visits without views median', times[4]!.toFixed(0), 'min', times[0]!.toFixed(0), 'max', times[7]!.toFixed(0));
}
const variants: [string, Record<string, number>, boolean][] = [
  ['as is', {}, true],
  ['no token', {}, false],
  ['dedup off', { insert_deduplicate: 0 }, true],
  ['serial views', { parallel_view_processing: 0 }, true],
  ['old analyzer', { enable_analyzer: 0 }, true],
  ['no opt insert', { optimize_on_insert: 0 }, true],
  ['both', { optimize_on_insert: 0, enable_analyzer: 0 }, true],
  ['as is again', {}, true],
];
for (const { eventType, lines: rows } of byType.filter((b) => ['grid-visit'].includes(b.eventType.name))) {
  let at = 0;
  for (const [label, settings, withToken] of variants) {
    const times: number[] = [];
    for (let rep = 0; rep < 8; rep++) {
      const chunk = rows.slice(at, at + 100);
      at += 100;
      const t = performance.now();
      await insertSerialized(store.client, eventType.rawTable.name, `${chunk.join('\n')}\n`, {
        columns: rawColumnNames(eventType.rawTable),
        settings,
        ...(withToken && { deduplicationToken: `t${token++}` }),
      });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      eventType.name.padEnd(14),
      label.padEnd(14),
      'median',
      times[4]!.toFixed(0),
      'min',
      times[0]!.toFixed(0),
      'max',
      times[7]!.toFixed(0),
    );
  }
}
await store.close();
