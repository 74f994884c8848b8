import { parseArgs } from 'node:util';
import { createIngestService, startHealthServer, type IngestStats } from '@govstats/ingest';
import { createLogger } from '@govstats/log';
import type { Config } from '@govstats/config';
import type { Store } from '@govstats/store';
import type { Kafka } from 'kafkajs';
import { allMigrations } from '@govstats/warehouse';
import { config, connectKafka, connectStore, createTopics, ddlOptions } from '../runtime.ts';

export const usage = `govstats ingest [--until-idle]
  Consumes every event topic as one consumer group, validates, loads ClickHouse in batches and
  dead-letters what it refuses. It never changes the schema: while \`govstats migrate\` has not
  been run (or is running) it waits and says so. --until-idle drains the topics and exits; otherwise it runs until
  SIGINT/SIGTERM.`;

const log = createLogger('cli.ingest');

export async function drainTopics(
  cfg: Config,
  kafka: Kafka,
  store: Store,
  onBatch?: (s: IngestStats) => void,
): Promise<{ stats: IngestStats; seconds: number }> {
  await createTopics(cfg, kafka);
  const started = performance.now();
  const stats = await createIngestService({
    config: cfg,
    kafka,
    store,
    onBatch,
    expectedMigrations: allMigrations(ddlOptions(cfg)),
  }).drain();
  return { stats, seconds: (performance.now() - started) / 1000 };
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'until-idle': { type: 'boolean' } } });
  const cfg = config();
  // A service outlives broker restarts: wait for Kafka rather than exit.
  const kafka = await connectKafka(cfg, values['until-idle'] ? 0 : 5 * 60_000);
  const store = await connectStore(cfg, 'host');
  try {
    if (values['until-idle']) {
      const { stats, seconds } = await drainTopics(cfg, kafka, store);
      process.stdout.write(
        `${JSON.stringify({ ...stats, seconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(stats.messages / seconds) })}\n`,
      );
      return 0;
    }
    await createTopics(cfg, kafka);
    const service = createIngestService({ config: cfg, kafka, store, expectedMigrations: allMigrations(ddlOptions(cfg)) });
    await service.start();
    const endpoint =
      cfg.ingest.metricsPort > 0
        ? await startHealthServer(
            cfg.ingest.metricsPort,
            () => service.metrics.text(),
            () => service.health(),
            cfg.ingest.metricsHost,
          )
        : undefined;
    if (endpoint) log.info({ metrics: `${endpoint.url}/metrics`, health: `${endpoint.url}/healthz` }, 'metrics and health endpoint up');
    const report = setInterval(() => log.info(service.stats(), 'ingest progress'), 10_000);
    // On SIGTERM/SIGINT: stop fetching, let the batch in flight finish (or abandon it uncommitted
    // if it is stuck retrying), commit, close Kafka and the store.
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    log.info({ signal }, 'shutting down');
    clearInterval(report);
    await service.stop();
    await endpoint?.close();
    return 0;
  } finally {
    await store.close();
  }
}
