// SCRATCH: decode cost per event on the bench stream, single thread.
import { readFileSync } from 'node:fs';
import { topicsFor } from '@govstats/config';
import { PlaceIndex, nationalCatalogue } from '@govstats/divisions';
import { decodeMessage } from '@govstats/ingest';
import { rawColumnNames } from '@govstats/schemas';
import { routeLine } from '@govstats/producer';
const lines = readFileSync(process.argv[2]!, 'utf8').trimEnd().split('\n');
const topics = topicsFor('x');
const places = PlaceIndex.of(nationalCatalogue());
const msgs = lines.map((l, i) => ({
  topic: routeLine(l, topics).topic,
  m: {
    offset: String(i),
    key: null,
    value: Buffer.from(l),
    headers: { 'content-type': Buffer.from('application/cloudevents+json; charset=utf-8') },
  },
}));
const now = Date.now();
for (let rep = 0; rep < 5; rep++) {
  let t = performance.now();
  const rows: any[] = [];
  for (const { topic, m } of msgs) {
    const d = decodeMessage(m, {
      topic,
      partition: 0,
      topicType: undefined,
      places,
      maxEventBytes: 1 << 20,
      futureToleranceMs: 0,
      now: now + 1e12,
    });
    if (!d.ok) throw new Error(d.detail);
    rows.push(d);
  }
  const decodeUs = ((performance.now() - t) * 1000) / msgs.length;
  t = performance.now();
  let bytes = 0;
  for (const d of rows) {
    const cols = rawColumnNames(d.eventType.rawTable);
    bytes += JSON.stringify(cols.map((c: string) => d.row[c])).length;
  }
  const serUs = ((performance.now() - t) * 1000) / msgs.length;
  console.log(`decode ${decodeUs.toFixed(2)} µs/event, serialize ${serUs.toFixed(2)} µs/event, ${msgs.length} events ${bytes} bytes`);
}
