// SCRATCH: engine CPU for the bench stream's rows: with views, without views.
import { readFileSync, cpSync, rmSync } from 'node:fs';
import { topicsFor } from '@govstats/config';
import { rawColumnNames } from '@govstats/schemas';
import { insertSerialized, openStore } from '@govstats/store';
import { serializeAsConsumerWould } from './stream.ts';
const [template, streamFile, chunkArg] = process.argv.slice(2);
rmSync('/tmp/i17/ceil', { recursive: true, force: true });
cpSync(template!, '/tmp/i17/ceil', { recursive: true });
const store = await openStore({ dataDir: '/tmp/i17/ceil' });
const byType = serializeAsConsumerWould(readFileSync(streamFile!, 'utf8').trimEnd().split('\n'), topicsFor('x'));
const CHUNK = Number(chunkArg ?? 40000);
for (const { eventType } of byType)
  await store.client.command({ query: `CREATE TABLE ${eventType.rawTable.name}_nv AS ${eventType.rawTable.name}` });
let tok = 0;
for (const variant of ['views', 'serial views', 'views', 'serial views']) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let rows = 0;
  for (const { eventType, lines } of byType) {
    for (let s = 0; s < lines.length; s += CHUNK) {
      const chunk = lines.slice(s, s + CHUNK);
      await insertSerialized(store.client, `${eventType.rawTable.name}`, `${chunk.join('\n')}\n`, {
        columns: rawColumnNames(eventType.rawTable),
        deduplicationToken: `c${tok++}`,
        settings: variant === 'serial views' ? { parallel_view_processing: 0 } : {},
      });
      rows += chunk.length;
    }
  }
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  console.log(
    `${variant.padEnd(9)} chunk ${CHUNK}: ${rows} rows in ${wall.toFixed(2)} s wall = ${Math.round(rows / wall)} rows/s; cpu ${((c.user + c.system) / 1e6).toFixed(2)} s = ${((c.user + c.system) / rows).toFixed(1)} µs/row`,
  );
}
await store.close();
