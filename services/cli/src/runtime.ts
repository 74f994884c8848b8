import { join } from 'node:path';
import { loadConfig, readVariable, type Config, type EnvironmentSource } from '@govstats/config';
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

/**
 * Commands that run until stopped, under Docker or systemd: they log JSON on stderr, where their
 * supervisor collects it. Everything else is a person at a terminal (or a script) waiting for an
 * answer: words on stdout, the log in a file.
 */
export function isServiceCommand(command: string, args: readonly string[]): boolean {
  switch (command) {
    case 'ingest':
      return !args.includes('--until-idle') && !args.includes('--dry-run');
    case 'bulletin':
      return args.includes('--serve');
    case 'serve':
    case 'serve-producer':
      return true;
    default:
      return false;
  }
}

export type LogDestination = { to: 'stderr' } | { to: 'file'; path: string };

/** Where a command's JSON log goes: LOG_DESTINATION, and when that is `auto`, the kind of command. */
export function logDestination(command: string, args: readonly string[], env?: EnvironmentSource): LogDestination {
  const chosen = readVariable('LOG_DESTINATION', env);
  if (chosen === 'stderr' || (chosen === 'auto' && isServiceCommand(command, args))) return { to: 'stderr' };
  return { to: 'file', path: join(readVariable('GOVSTATS_HOME', env), 'logs', `govstats-${command}.log`) };
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
