import { loadConfig, type Config } from '@govstats/config';
import { connectionOptionsOf, createKafka, ensureTopics, explainKafkaFailure } from '@govstats/kafka';
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
  // Reads the CA file and checks the SASL user now: a setting to fix fails before any waiting.
  const kafka = createKafka({ brokers, clientId: cfg.kafka.clientId, security: cfg.kafka.security });
  let error: string | undefined;
  const healthy = await pollUntil(
    async () => {
      const probe = await probeKafka(brokers, undefined, connectionOptionsOf(kafka));
      error = probe.error;
      // Wrong credentials or an untrusted certificate do not get better by waiting.
      const refused = probe.healthy ? undefined : await explainKafkaFailure(kafka, probe.failure);
      if (refused) throw new UsageError(refused.message);
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
  return kafka;
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

/**
 * How a command uses the embedded engine: `host` for long-running commands others should be able
 * to reach; `admin` for the one that changes the schema (`govstats migrate`) while another
 * process holds it; `client` for everything else (reads and inserts).
 */
export type StoreUse = 'client' | 'host' | 'admin';

export function connectStore(cfg: Config, use: StoreUse = 'client'): Promise<Store> {
  return openStore({ ...cfg.clickhouse, dataDir: cfg.clickhouse.dataDir, host: use === 'host', admin: use === 'admin' });
}

/** Runs `work` with a store and always closes it. */
export async function withStore<T>(cfg: Config, work: (store: Store) => Promise<T>, use: StoreUse = 'client'): Promise<T> {
  const store = await connectStore(cfg, use);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
