import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createKafkaSink } from '@govstats/kafka';
import { publishFile, type PublishReport } from '@govstats/producer';
import type { Config } from '@govstats/config';
import type { Kafka } from 'kafkajs';
import { renderTable } from '../output/table.ts';
import { UsageError, config, connectKafka, createTopics } from '../runtime.ts';

export const usage = `govstats produce --file EVENTS.ndjson
  Publishes a file of CloudEvents envelopes, one per line, keyed by village code, and reports how
  many the broker acknowledged. Lines are routed by their type; lines without a known type go to
  the unrouted topic, where ingest dead-letters them.`;

export async function produceFile(cfg: Config, kafka: Kafka, file: string, onProgress?: (r: PublishReport) => void): Promise<PublishReport> {
  await createTopics(cfg, kafka);
  const sink = await createKafkaSink(kafka);
  try {
    return await publishFile(file, sink, { topics: cfg.topics, onProgress });
  } finally {
    await sink.close();
  }
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string' } } });
  if (!values.file) throw new UsageError(`--file is required\n${usage}`);
  if (!existsSync(values.file)) throw new UsageError(`no such file: ${values.file}`);
  const cfg = config();
  const report = await produceFile(cfg, await connectKafka(cfg), values.file);
  process.stdout.write(`published ${report.accepted} of ${report.lines} lines (acknowledged by all in-sync replicas)\n`);
  process.stdout.write(`${renderTable(['topic', 'messages'], Object.entries(report.byTopic).map(([t, n]) => [t, n]))}\n`);
  return report.accepted === report.lines ? 0 : 1;
}
