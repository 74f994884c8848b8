import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createKafkaSink } from '@govstats/kafka';
import {
  emptyScenarioCounts,
  loadScenario,
  prepareScenario,
  publishFile,
  publishLines,
  scenarioLines,
  ScenarioConflict,
  type PreparedScenario,
  type PublishReport,
  type Scenario,
  type ScenarioCounts,
} from '@govstats/producer';
import type { Config } from '@govstats/config';
import type { Kafka } from 'kafkajs';
import { formatNumber, renderTable } from '../output/table.ts';
import { UsageError, config, connectKafka, createTopics } from '../runtime.ts';

export const usage = `govstats produce --file EVENTS.ndjson [--rate EVENTS_PER_S]
govstats produce --scenario FILE [--seed N] [--rate EVENTS_PER_S] [--dry-run --out FILE.ndjson]
  Publishes envelopes keyed by village code and reports how many the broker acknowledged. Lines
  are routed by their type; lines without a known type go to the unrouted topic, where ingest
  dead-letters them. A scenario (services/producer/scenarios/) is generated as it streams: the
  same seed gives the same events; --dry-run writes them to --out instead of Kafka.`;

export async function produceFile(
  cfg: Config,
  kafka: Kafka,
  file: string,
  options: { rate?: number; onProgress?: (r: PublishReport) => void } = {},
): Promise<PublishReport> {
  await createTopics(cfg, kafka);
  const sink = await createKafkaSink(kafka);
  try {
    return await publishFile(file, sink, { topics: cfg.topics, ...options });
  } finally {
    await sink.close();
  }
}

/** Reads a scenario file and checks its targets; throws ScenarioConflict before anything is produced. */
export function prepareScenarioFile(file: string, options: { seed?: number; inject?: Partial<Scenario['inject']> } = {}): PreparedScenario {
  const scenario = loadScenario(file);
  return prepareScenario({ ...scenario, inject: { ...scenario.inject, ...options.inject } }, options.seed);
}

/** Streams a prepared scenario into Kafka. */
export async function produceScenario(
  cfg: Config,
  kafka: Kafka,
  prepared: PreparedScenario,
  options: { rate?: number; onProgress?: (r: PublishReport) => void } = {},
): Promise<{ report: PublishReport; counts: ScenarioCounts }> {
  await createTopics(cfg, kafka);
  const sink = await createKafkaSink(kafka);
  const counts = emptyScenarioCounts();
  try {
    const report = await publishLines(scenarioLines(prepared, counts), sink, {
      topics: cfg.topics,
      rate: options.rate,
      onProgress: options.onProgress,
    });
    return { report, counts };
  } finally {
    await sink.close();
  }
}

const progress = (r: PublishReport) => {
  if (process.stderr.isTTY) process.stderr.write(`\r  published ${formatNumber(r.accepted)}`);
  else if (r.lines % 100_000 < 2_000) process.stderr.write(`  published ${formatNumber(r.accepted)}\n`);
};

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new UsageError('--rate must be a positive number of events per second');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
  if (Boolean(values.file) === Boolean(values.scenario)) throw new UsageError(`give either --file or --scenario\n${usage}`);
  const path = (values.file ?? values.scenario)!;
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);

  if (values.scenario) {
    let prepared;
    try {
      prepared = prepareScenarioFile(path, { seed });
    } catch (error) {
      if (error instanceof ScenarioConflict) throw new UsageError(`scenario refused, nothing produced: ${error.message}`);
      throw new UsageError((error as Error).message);
    }
    if (values['dry-run']) {
      if (!values.out) throw new UsageError('--dry-run needs --out FILE.ndjson');
      const counts = emptyScenarioCounts();
      const out = createWriteStream(values.out);
      for (const line of scenarioLines(prepared, counts)) if (!out.write(`${line}\n`)) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
      process.stdout.write(`${JSON.stringify(counts)}\n`);
      return 0;
    }
    const cfg = config();
    const { report, counts } = await produceScenario(cfg, await connectKafka(cfg), prepared, { rate, onProgress: progress });
    process.stdout.write(`${JSON.stringify({ ...counts, accepted: report.accepted })}\n`);
    return report.accepted === report.lines ? 0 : 1;
  }
  const cfg = config();
  const report = await produceFile(cfg, await connectKafka(cfg), path, { rate, onProgress: progress });
  process.stdout.write(`published ${report.accepted} of ${report.lines} lines (acknowledged by all in-sync replicas)\n`);
  process.stdout.write(
    `${renderTable(
      ['topic', 'messages'],
      Object.entries(report.byTopic).map(([t, n]) => [t, n]),
    )}\n`,
  );
  return report.accepted === report.lines ? 0 : 1;
}
