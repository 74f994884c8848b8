import { parseArgs } from 'node:util';
import { createIngestService, ingestTopics, startHealthServer, type IngestStats } from '@govstats/ingest';
import { rewindGroup } from '@govstats/kafka';
import { parseChinaTime } from '@govstats/schemas';
import { createLogger } from '@govstats/log';
import type { Config } from '@govstats/config';
import type { Store } from '@govstats/store';
import type { Kafka } from 'kafkajs';
import { allMigrations } from '@govstats/warehouse';
import { UsageError, config, connectKafka, connectStore, createTopics, ddlOptions } from '../runtime.ts';

export const usage = `govstats ingest [--until-idle] [--from TIME [--dry-run]]
  Consumes every event topic as one consumer group, validates, loads ClickHouse in batches and
  dead-letters what it refuses. It never changes the schema: while \`govstats migrate\` has not
  been run (or is running) it waits and says so. --until-idle drains the topics and exits; otherwise it runs until
  SIGINT/SIGTERM.
  --from TIME first moves the group back to the messages that reached Kafka at or after TIME (their
  Kafka timestamp, not the events' time), to reprocess them deliberately — e.g. after restoring
  ClickHouse from a backup taken at TIME. Events already loaded count once: the ledger recognises
  them. Only back: partitions not yet read up to TIME go on where they are. Every ingest process of
  the group must be stopped first. TIME is a date or a time, China time unless it has an offset.
  --dry-run says what --from would move and stops.`;

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

/** Moves the group back to `from` and says, in words, what will be read again. */
async function rewind(cfg: Config, kafka: Kafka, from: number, dryRun: boolean): Promise<void> {
  const moves = await rewindGroup(kafka, cfg.ingest.groupId, [...ingestTopics(cfg).keys()], from, { dryRun });
  const when = new Date(from).toISOString();
  if (moves.length === 0) {
    process.stdout.write(`nothing to read again: consumer group ${cfg.ingest.groupId} has read nothing published since ${when}\n`);
    return;
  }
  const total = moves.reduce((sum, m) => sum + m.reread, 0);
  process.stdout.write(
    `${dryRun ? 'would move' : 'moved'} consumer group ${cfg.ingest.groupId} back to ${when}: ${total} messages on ${moves.length} partitions to read again\n`,
  );
  for (const m of moves)
    process.stdout.write(`  ${m.topic} partition ${m.partition}: offset ${m.committed} → ${m.to} (${m.reread} messages)\n`);
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'until-idle': { type: 'boolean' }, from: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
  const from = values.from === undefined ? undefined : parseChinaTime(values.from);
  if (values.from !== undefined && from === undefined)
    throw new UsageError(`--from must be a time such as 2024-07-01 or 2024-07-01T08:00:00+08:00 (got ${values.from})`);
  if (values['dry-run'] && from === undefined) throw new UsageError('--dry-run goes with --from: it says what --from would move');
  const cfg = config();
  // A service outlives broker restarts: wait for Kafka rather than exit.
  const kafka = await connectKafka(cfg, values['until-idle'] || from !== undefined ? 0 : 5 * 60_000);
  if (from !== undefined) {
    await createTopics(cfg, kafka);
    await rewind(cfg, kafka, from, values['dry-run'] ?? false);
    if (values['dry-run']) return 0;
  }
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
