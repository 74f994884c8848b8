import { createLogger, pollUntil } from '@govstats/log';
import { LOCAL_CLUSTER_ID, singleNodeBrokerSettings } from '../kafka/broker-config.ts';
import { probeKafka } from '../kafka/health.ts';
import { findFreePort } from '../kafka/port-check.ts';
import { KAFKA_DOCKER_IMAGE } from '../kafka/version.ts';
import type { RunningContainer } from './running-container.ts';

const log = createLogger('local-infra');

const CONTROLLER_PORT_IN_CONTAINER = 9093;
const STARTUP_TIMEOUT_MS = 120_000;

export interface KafkaContainerOptions {
  /**
   * Keep the container after this process exits, and reuse it next time. Needs a fixed host port
   * (testcontainers reuses only identically configured containers).
   */
  reuse: boolean;
  /** Host port used when reuse is true. */
  fixedPort: number;
}

/**
 * Runs apache/kafka (same release as the native broker) with the same single-node settings.
 * Kafka tells clients which address to connect to, so the advertised port must be known before
 * the container starts: the broker listens on the same port number inside and outside.
 */
export async function startKafkaContainer(options: KafkaContainerOptions): Promise<RunningContainer<string[]>> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const host = client.info.containerRuntime.host;
  const port = options.reuse ? options.fixedPort : await findFreePort();

  let container = new GenericContainer(KAFKA_DOCKER_IMAGE)
    .withEnvironment({
      ...toKafkaImageEnvironment(singleNodeBrokerSettings()),
      CLUSTER_ID: LOCAL_CLUSTER_ID,
      KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:${CONTROLLER_PORT_IN_CONTAINER}`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
      KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${CONTROLLER_PORT_IN_CONTAINER}`,
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx768m',
    })
    .withExposedPorts({ container: port, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(STARTUP_TIMEOUT_MS);
  if (options.reuse) container = container.withReuse();

  log.info({ image: KAFKA_DOCKER_IMAGE, port, reuse: options.reuse }, 'starting Kafka container');
  const started = await container.start();
  const brokers = [`${host}:${port}`];
  try {
    await waitForClients(brokers);
  } catch (error) {
    if (!options.reuse) await started.stop().catch(() => undefined);
    throw error;
  }
  return {
    endpoint: brokers,
    stop: async () => {
      if (!options.reuse) await started.stop();
    },
  };
}

/** The log line comes slightly before the listener accepts clients from the host. */
async function waitForClients(brokers: string[]): Promise<void> {
  let lastError = '';
  const answered = await pollUntil(
    async () => {
      const probe = await probeKafka(brokers, 5_000);
      lastError = probe.error ?? '';
      return probe.healthy;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  if (answered) return;
  throw new Error(
    `the Kafka container started but ${brokers.join(',')} does not answer (${lastError}); check \`docker logs\` of the ${KAFKA_DOCKER_IMAGE} container`,
  );
}

/** The apache/kafka image maps KAFKA_FOO_BAR to foo.bar (with `_` → `___` and `-` → `__`). */
function toKafkaImageEnvironment(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => {
      const name = key.replace(/_/g, '___').replace(/-/g, '__').replace(/\./g, '_').toUpperCase();
      return [`KAFKA_${name}`, value];
    }),
  );
}
