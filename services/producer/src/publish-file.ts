import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Topics } from '@govstats/config';
import type { KafkaSink, OutgoingMessage } from '@govstats/kafka';
import { routeLine } from './route.ts';

export interface PublishReport {
  lines: number;
  accepted: number;
  byTopic: Record<string, number>;
}

export interface PublishOptions {
  topics: Topics;
  onProgress?: (report: PublishReport) => void;
  /** At most this many lines per second; unset = as fast as the broker acknowledges. */
  rate?: number;
}

const CHUNK = 2_000;

/** CloudEvents Kafka binding, structured content mode: the value is the whole event as JSON. */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
const STRUCTURED_HEADERS = { 'content-type': STRUCTURED_CONTENT_TYPE };

/**
 * Publishes NDJSON lines of envelopes a chunk at a time, so a stream of any length goes out with
 * bounded memory. Counts only what the broker acknowledged.
 */
export async function publishLines(
  lines: AsyncIterable<string> | Iterable<string>,
  sink: KafkaSink,
  options: PublishOptions,
): Promise<PublishReport> {
  const report: PublishReport = { lines: 0, accepted: 0, byTopic: {} };
  const pending = new Map<string, OutgoingMessage[]>();
  const chunk = options.rate ? Math.max(1, Math.min(CHUNK, Math.floor(options.rate / 10))) : CHUNK;
  const started = performance.now();
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
    if (options.rate) {
      const due = started + (report.lines / options.rate) * 1000;
      if (due > performance.now()) await sleep(due - performance.now());
    }
  };

  for await (const line of lines) {
    if (line.trim() === '') continue;
    report.lines++;
    const route = routeLine(line, options.topics);
    const queue = pending.get(route.topic) ?? [];
    queue.push({ key: route.key, value: line, headers: STRUCTURED_HEADERS });
    pending.set(route.topic, queue);
    if (++buffered >= chunk) await flush();
  }
  await flush();
  return report;
}

/** Streams an NDJSON file of envelopes into Kafka. */
export function publishFile(path: string, sink: KafkaSink, options: PublishOptions): Promise<PublishReport> {
  return publishLines(createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity }), sink, options);
}
