import { readVariable } from '@govstats/config';
import { createLogger } from '@govstats/log';
import { startClickHouseContainer } from './docker/clickhouse-container.ts';
import { isDockerAvailable } from './docker/docker-runtime.ts';
import { startKafkaContainer } from './docker/kafka-container.ts';
import { startKafka, stopKafka } from './kafka/broker.ts';
import { checkNodeCount } from './kafka/node-layout.ts';
import { kafkaSettings } from './kafka/settings.ts';

const log = createLogger('local-infra');

export type KafkaOrigin = 'env' | 'docker' | 'native';
export type ClickHouseOrigin = 'env' | 'docker' | 'embedded';

export interface Infrastructure {
  kafkaBrokers: string[];
  /** Undefined when ClickHouse is embedded: the caller opens the in-process chdb engine. */
  clickhouseUrl?: string;
  origin: { kafka: KafkaOrigin; clickhouse: ClickHouseOrigin };
  /** Stops only what this call started; safe to call more than once. */
  stop(): Promise<void>;
}

export interface ResolveInfrastructureOptions {
  /**
   * Leave started services running for later commands (`govstats infra up`): the native broker
   * is not stopped and Docker containers are created reusable.
   */
  keepRunning?: boolean;
  /**
   * Nodes of the native Kafka cluster (combined broker+controller each). Default: KAFKA_LOCAL_BROKERS,
   * else the size of the local cluster already running, else 1. More than one is native only.
   */
  brokers?: number;
}

interface Resolved<Endpoint, Origin> {
  endpoint: Endpoint;
  origin: Origin;
  stop?: () => Promise<void>;
}

/**
 * THE place that decides where Kafka and ClickHouse come from, per service:
 *   1. explicit endpoints from the environment (KAFKA_BROKERS, CLICKHOUSE_URL);
 *   2. Docker containers via testcontainers, when an engine is reachable;
 *   3. native: the local JVM Kafka broker, and embedded ClickHouse (chdb, no URL).
 */
export async function resolveInfrastructure(options: ResolveInfrastructureOptions = {}): Promise<Infrastructure> {
  const keepRunning = options.keepRunning ?? false;
  const kafkaNodes = options.brokers ?? localBrokersFromEnv();
  // GOVSTATS_INFRA: `auto`, `docker` (fail without Docker) or `native` (never try Docker).
  const mode = readVariable('GOVSTATS_INFRA');
  const envBrokers = readVariable('KAFKA_BROKERS');
  const envClickHouseUrl = readVariable('CLICKHOUSE_URL');

  const needsProvisioning = envBrokers === undefined || envClickHouseUrl === undefined;
  const useDocker = needsProvisioning && mode !== 'native' && (await isDockerAvailable());
  if (needsProvisioning && mode === 'docker' && !useDocker) {
    throw new Error(
      'GOVSTATS_INFRA=docker but no Docker engine is reachable: start Docker (or set DOCKER_HOST), ' +
        'or unset GOVSTATS_INFRA to fall back to the native Kafka broker and embedded ClickHouse',
    );
  }
  const strictDocker = mode === 'docker';

  const [kafka, clickhouse] = await Promise.allSettled([
    resolveKafka(envBrokers, useDocker, strictDocker, keepRunning, kafkaNodes),
    resolveClickHouse(envClickHouseUrl, useDocker, strictDocker, keepRunning),
  ]);
  const stoppers = [kafka, clickhouse].flatMap((result) => (result.status === 'fulfilled' && result.value.stop ? [result.value.stop] : []));
  const stop = once(() => stopAll(stoppers));

  if (kafka.status === 'rejected' || clickhouse.status === 'rejected') {
    await stop(); // do not leave half an environment behind
    throw kafka.status === 'rejected' ? kafka.reason : (clickhouse as PromiseRejectedResult).reason;
  }

  const infrastructure: Infrastructure = {
    kafkaBrokers: kafka.value.endpoint,
    clickhouseUrl: clickhouse.value.endpoint,
    origin: { kafka: kafka.value.origin, clickhouse: clickhouse.value.origin },
    stop,
  };
  log.info(
    { kafkaBrokers: infrastructure.kafkaBrokers, clickhouse: redactUrl(infrastructure.clickhouseUrl), origin: infrastructure.origin },
    'infrastructure resolved',
  );
  return infrastructure;
}

async function resolveKafka(
  envBrokers: string[] | undefined,
  useDocker: boolean,
  strictDocker: boolean,
  keepRunning: boolean,
  nodes: number | undefined,
): Promise<Resolved<string[], KafkaOrigin>> {
  if (envBrokers) return { endpoint: envBrokers, origin: 'env' };
  const clustered = nodes !== undefined && nodes > 1;
  if (clustered && strictDocker) {
    throw new Error(
      `GOVSTATS_INFRA=docker runs one Kafka container; a ${nodes}-broker cluster runs natively: unset GOVSTATS_INFRA (or set it to native), or ask for one broker`,
    );
  }
  // The container setup is single-node; a multi-broker cluster is always the native one.
  if (useDocker && !clustered) {
    try {
      const container = await startKafkaContainer({ reuse: keepRunning, fixedPort: kafkaSettings().port });
      return { endpoint: container.endpoint, origin: 'docker', stop: container.stop };
    } catch (error) {
      if (strictDocker) throw error;
      log.warn({ err: error }, 'Docker is reachable but the Kafka container failed; using the native broker instead');
    }
  }
  const broker = await startKafka({ nodes });
  // Never stop a broker someone else started, nor one that must serve later commands.
  const stop = broker.alreadyRunning || keepRunning ? undefined : async () => void (await stopKafka());
  return { endpoint: broker.brokers, origin: 'native', stop };
}

async function resolveClickHouse(
  envUrl: string | undefined,
  useDocker: boolean,
  strictDocker: boolean,
  keepRunning: boolean,
): Promise<Resolved<string | undefined, ClickHouseOrigin>> {
  if (envUrl) return { endpoint: envUrl, origin: 'env' };
  if (useDocker) {
    try {
      const container = await startClickHouseContainer({ reuse: keepRunning });
      return { endpoint: container.endpoint, origin: 'docker', stop: container.stop };
    } catch (error) {
      if (strictDocker) throw error;
      log.warn({ err: error }, 'Docker is reachable but the ClickHouse container failed; using embedded ClickHouse instead');
    }
  }
  return { endpoint: undefined, origin: 'embedded' };
}

/** KAFKA_LOCAL_BROKERS: how many nodes the native Kafka cluster has; unset = as running, else 1. */
function localBrokersFromEnv(): number | undefined {
  const nodes = readVariable('KAFKA_LOCAL_BROKERS');
  return nodes === undefined ? undefined : checkNodeCount(nodes, 'KAFKA_LOCAL_BROKERS');
}

async function stopAll(stoppers: Array<() => Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(stoppers.map((stop) => stop()));
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  for (const failure of failures) log.error({ err: failure.reason }, 'failed to stop a service');
  if (failures.length > 0) throw failures[0]!.reason;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= action());
}

/** Keeps passwords out of logs. */
function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
