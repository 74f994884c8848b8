import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Topics } from '@govstats/config';
import type { KafkaSink, OutgoingMessage } from '@govstats/kafka';
import { routeLine } from './route.ts';

export interface PublishReport {
  lines: number;
  accepted: number;
  byTopic: Record<string, number>;
}

const CHUNK = 2_000;

/**
 * Streams an NDJSON file of envelopes into Kafka, a chunk at a time, so a file of any size is
 * published with bounded memory. Counts only what the broker acknowledged.
 */
export async function publishFile(
  path: string,
  sink: KafkaSink,
  options: { topics: Topics; onProgress?: (report: PublishReport) => void },
): Promise<PublishReport> {
  const report: PublishReport = { lines: 0, accepted: 0, byTopic: {} };
  const pending = new Map<string, OutgoingMessage[]>();
  let buffered = 0;

  const flush = async () => {
    for (const [topic, messages] of pending) {
      const accepted = await sink.send(topic, messages);
      report.accepted += accepted;
      report.byTopic[topic] = (report.byTopic[topic] ?? 0) + accepted;
    }
    pending.clear();
    buffered = 0;
    options.onProgress?.({ ...report, byTopic: { ...report.byTopic } });
  };

  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    report.lines++;
    const route = routeLine(line, options.topics);
    const queue = pending.get(route.topic) ?? [];
    queue.push({ key: route.key, value: line });
    pending.set(route.topic, queue);
    if (++buffered >= CHUNK) await flush();
  }
  await flush();
  return report;
}
