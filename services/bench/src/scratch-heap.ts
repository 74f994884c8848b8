// SCRATCH: heap held per decoded event: row objects vs serialized lines.
import { readFileSync } from 'node:fs';
import { topicsFor } from '@govstats/config';
import { PlaceIndex, nationalCatalogue } from '@govstats/divisions';
import { decodeMessage } from '@govstats/ingest';
import { rawColumnNames } from '@govstats/schemas';
import { routeLine } from '@govstats/producer';
let lines: string[] | undefined = readFileSync(process.argv[2]!, 'utf8')
  .trimEnd()
  .split('\n')
  .slice(0, 64000)
  .map((l) => Buffer.from(l).toString());
const topics = topicsFor('x');
const places = PlaceIndex.of(nationalCatalogue());
const msgs = lines!.map((l, i) => ({
  topic: routeLine(l, topics).topic,
  m: { offset: String(i), key: null, value: Buffer.from(l), headers: {} },
}));
lines = undefined;
const gc = (globalThis as any).gc as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
};
for (const mode of [process.argv[3]!]) {
  if (mode === 'none') {
    const h = heap();
    console.log('baseline heap', h.toFixed(0), 'MB; messages', msgs.length);
    continue;
  }
  const h0 = heap();
  const kept: unknown[] = [];
  for (const { topic, m } of msgs) {
    const d = decodeMessage(m, {
      topic,
      partition: 0,
      topicType: undefined,
      places,
      maxEventBytes: 1 << 20,
      futureToleranceMs: 0,
      now: Date.now() + 1e12,
    });
    if (!d.ok) throw new Error(d.detail);
    if (mode === 'rows') kept.push({ eventType: d.eventType, eventId: d.eventId, occurredAt: d.occurredAt, row: d.row, message: m });
    else
      kept.push({
        eventType: d.eventType,
        eventId: d.eventId,
        occurredAt: d.occurredAt,
        source: d.row.source,
        line: JSON.stringify(rawColumnNames(d.eventType.rawTable).map((c) => d.row[c])),
        message: m,
      });
  }
  const h1 = heap();
  console.log(mode, (((h1 - h0) * 1048576) / msgs.length).toFixed(0), 'bytes/event held', kept.length);
}
