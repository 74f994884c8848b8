import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Config } from '@govstats/config';
import { codePrefix } from '@govstats/divisions';
import {
  callerRegistry,
  emptyScenarioCounts,
  newCaller,
  postLines,
  scenarioLines,
  ScenarioConflict,
  type PostOptions,
  type PostReport,
  type PreparedScenario,
  type ScenarioCounts,
} from '@govstats/producer';
import { levelOfCode } from '@govstats/schemas';
import type { Kafka } from 'kafkajs';
import { endProgress, showProgress } from '../output/progress.ts';
import { formatNumber } from '../output/table.ts';
import { UsageError, config, connectKafka } from '../runtime.ts';
import { prepareScenarioFile } from './produce.ts';
import { startProducerServiceOn } from './serve-producer.ts';

export const usage = `govstats simulate --scenario FILE [--seed N] [--rate EVENTS_PER_S] [--batch N]
govstats simulate --file EVENTS.ndjson [--rate EVENTS_PER_S] [--batch N]
govstats simulate --scenario FILE --own-service [--broken F] [--repeated F] [--json]
  A calling system, simulated: posts a scenario's events (or a file's) to the producer service at
  PRODUCER_URL with the key PRODUCER_KEY, --batch events a request (default 500) at --rate events
  a second (default: as fast as the service answers). It waits out 429/503 and sends again, and
  drops the events the service refuses (422/403), saying why. --own-service starts a producer
  service of its own for the run instead (loopback, a key made for it), as \`govstats demo\` does;
  --broken and --repeated inject that fraction of broken and repeated events into the scenario;
  --json prints the outcome as JSON.`;

/**
 * A scenario through the producer service as another system would post it: the service on a
 * loopback port of its own, a key made for this run (bound to the scenario's places), the events
 * posted in batches over HTTP. For `govstats demo`.
 */
export async function postScenarioThroughService(
  cfg: Config,
  kafka: Kafka,
  prepared: PreparedScenario,
  options: Pick<PostOptions, 'onProgress' | 'concurrency' | 'batchEvents' | 'rate'> = {},
): Promise<{ report: PostReport; counts: ScenarioCounts; url: string }> {
  const divisions = prepared.scenario.places.map((code) => codePrefix(code, levelOfCode(code)!));
  const caller = newCaller({ name: 'scenario-simulator', sources: ['urn:govstats:scenario:*'], divisions });
  const { service, sink } = await startProducerServiceOn(
    { ...cfg, producer: { ...cfg.producer, host: '127.0.0.1', port: 0 } },
    kafka,
    callerRegistry([caller.entry]),
  );
  const counts = emptyScenarioCounts();
  try {
    const report = await postLines(scenarioLines(prepared, counts), { url: service.url, key: caller.key }, options);
    return { report, counts, url: service.url };
  } finally {
    await service.close();
    await sink.close();
  }
}

export const describeRefusals = (refused: PostReport['refused']) =>
  Object.entries(refused)
    .map(([reason, n]) => `${formatNumber(n)} ${reason}`)
    .join(', ');

/** A fraction of the stream, 0 to 1. */
function fraction(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new UsageError(`${flag} must be a fraction between 0 and 1`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: 'string' },
      file: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      batch: { type: 'string' },
      'own-service': { type: 'boolean' },
      broken: { type: 'string' },
      repeated: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new UsageError('--rate must be a positive number of events per second');
  const batch = values.batch === undefined ? undefined : Number(values.batch);
  if (batch !== undefined && !(Number.isInteger(batch) && batch > 0)) throw new UsageError('--batch must be a positive whole number');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
  const inject = { invalid: fraction(values.broken, '--broken'), duplicates: fraction(values.repeated, '--repeated') };
  if (Boolean(values.file) === Boolean(values.scenario)) throw new UsageError(`give either --file or --scenario\n${usage}`);
  const path = (values.file ?? values.scenario)!;
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  if (values['own-service'] && !values.scenario) throw new UsageError('--own-service posts a --scenario');
  const cfg = config();
  if (!values['own-service'] && !cfg.producer.key)
    throw new UsageError('set PRODUCER_KEY (or PRODUCER_KEY_FILE) to a key of PRODUCER_CALLERS_FILE (`govstats producer-key`)');

  let prepared: PreparedScenario | undefined;
  if (values.scenario) {
    try {
      prepared = prepareScenarioFile(path, {
        seed,
        inject: Object.fromEntries(Object.entries(inject).filter(([, v]) => v !== undefined)),
      });
    } catch (error) {
      if (error instanceof ScenarioConflict) throw new UsageError(`scenario refused, nothing posted: ${error.message}`);
      throw new UsageError((error as Error).message);
    }
  }
  const started = performance.now();
  let shown = 0;
  const options: PostOptions = {
    rate,
    batchEvents: batch,
    onProgress: (r) => showProgress(`posted ${formatNumber(r.lines)} · ${formatNumber(r.accepted)} acknowledged · ${r.retries} retried`),
    onRefused: (refusal) => {
      if (!values.json && shown++ < 5)
        process.stderr.write(`  refused (${refusal.status}) ${refusal.id ?? `#${refusal.index}`}: ${refusal.reason}: ${refusal.detail}\n`);
    },
  };
  let report: PostReport;
  let counts: ScenarioCounts | undefined;
  let url = cfg.producer.url;
  if (values['own-service']) {
    // Larger requests, several at once: the service sends them to Kafka together.
    const posted = await postScenarioThroughService(cfg, await connectKafka(cfg), prepared!, {
      batchEvents: 1_000,
      concurrency: 4,
      ...options,
    });
    ({ report, counts, url } = posted);
  } else {
    counts = prepared && emptyScenarioCounts();
    const lines = prepared
      ? scenarioLines(prepared, counts!)
      : createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    report = await postLines(lines, { url, key: cfg.producer.key! }, options);
  }
  endProgress();
  const seconds = (performance.now() - started) / 1000;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ url, seconds, report, ...(counts && { counts }) })}\n`);
    return 0;
  }
  const refused = describeRefusals(report.refused);
  process.stdout.write(
    `posted ${formatNumber(report.lines)} events to ${url} in ${seconds.toFixed(1)} s (${formatNumber(Math.round(report.lines / seconds))}/s): ` +
      `${formatNumber(report.accepted)} acknowledged${refused ? `, refused: ${refused}` : ''}, ${report.retries} requests sent again\n`,
  );
  return 0;
}
