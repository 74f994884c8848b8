import { loadConfig, type Config } from '@govstats/config';
import { createKafka, ensureTopics } from '@govstats/kafka';
import { kafkaSettings, probeKafka } from '@govstats/local-infra';
import { EVENT_TYPES } from '@govstats/schemas';
import { openStore, type Store } from '@govstats/store';
import { SINGLE_NODE, type DdlOptions } from '@govstats/warehouse';
import type { Kafka } from 'kafkajs';
import { createLogger, pollUntil } from '@govstats/log';

const log = createLogger('cli');

/** A user-facing failure: printed as is, without a stack trace. */
export class UsageError extends Error {}

export function config(): Config {
  return loadConfig();
}

/** Brokers from KAFKA_BROKERS, else the local broker run by `govstats infra up`. */
export function kafkaBrokers(cfg: Config): string[] {
  const local = kafkaSettings();
  return cfg.kafka.brokers ?? [`${local.host}:${local.port}`];
}

/**
 * A Kafka client for a broker that is known to answer, or an error saying how to get one.
 * Long-running services pass `waitMs` to ride out a broker that is restarting.
 */
export async function connectKafka(cfg: Config, waitMs = 0): Promise<Kafka> {
  const brokers = kafkaBrokers(cfg);
  let error: string | undefined;
  const healthy = await pollUntil(
    async () => {
      const probe = await probeKafka(brokers);
      error = probe.error;
      return probe.healthy;
    },
    { timeoutMs: waitMs, intervalMs: 2_000, onWait: () => log.warn({ brokers, error }, 'Kafka does not answer yet; waiting') },
  );
  if (!healthy) {
    throw new UsageError(
      `no Kafka broker answers at ${brokers.join(', ')}. ` +
        (cfg.kafka.brokers ? 'Check KAFKA_BROKERS.' : 'Start the local broker with `npm run govstats -- infra up`, or set KAFKA_BROKERS.'),
    );
  }
  return createKafka({ brokers, clientId: cfg.kafka.clientId });
}

export function allTopics(cfg: Config): string[] {
  return [...EVENT_TYPES.map((t) => cfg.topics.forEventType(t.name)), cfg.topics.unrouted, cfg.topics.deadLetter];
}

export async function createTopics(cfg: Config, kafka: Kafka): Promise<string[]> {
  return ensureTopics(kafka, allTopics(cfg), { partitions: cfg.kafka.partitions, replicationFactor: cfg.kafka.replicationFactor });
}

export function ddlOptions(cfg: Config): DdlOptions {
  return {
    ...SINGLE_NODE,
    cluster: cfg.clickhouse.cluster,
    replicated: cfg.clickhouse.replicated,
    database: cfg.clickhouse.database,
    dedupWindow: cfg.clickhouse.dedupWindow,
  };
}

/** Opens the store; `host` for long-running commands that others should be able to reach. */
export function connectStore(cfg: Config, host = false): Promise<Store> {
  return openStore({ ...cfg.clickhouse, dataDir: cfg.clickhouse.dataDir, host });
}

/** Runs `work` with a store and always closes it. */
export async function withStore<T>(cfg: Config, work: (store: Store) => Promise<T>, host = false): Promise<T> {
  const store = await connectStore(cfg, host);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
