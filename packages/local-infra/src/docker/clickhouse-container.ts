import { createLogger } from '@govstats/log';
import type { RunningContainer } from './running-container.ts';

const log = createLogger('local-infra');

/** 25.8 is a long-term-support branch; the tag follows its patch releases. */
export const CLICKHOUSE_DOCKER_IMAGE = 'clickhouse/clickhouse-server:25.8';

const HTTP_PORT = 8123;
const USER = 'govstats';
const PASSWORD = 'govstats';

export interface ClickHouseContainerOptions {
  /** Keep the container after this process exits and reuse it next time. */
  reuse: boolean;
}

/** Runs ClickHouse and returns its HTTP URL with credentials (what @clickhouse/client accepts as `url`). */
export async function startClickHouseContainer(options: ClickHouseContainerOptions): Promise<RunningContainer<string>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  let container = new GenericContainer(CLICKHOUSE_DOCKER_IMAGE)
    .withEnvironment({
      CLICKHOUSE_USER: USER,
      CLICKHOUSE_PASSWORD: PASSWORD,
      CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: '1',
    })
    .withExposedPorts(HTTP_PORT)
    // ClickHouse warns and can fail under heavy load with the default open-files limit.
    .withUlimits({ nofile: { soft: 262144, hard: 262144 } })
    .withWaitStrategy(Wait.forHttp('/ping', HTTP_PORT).forStatusCode(200))
    .withStartupTimeout(120_000);
  if (options.reuse) container = container.withReuse();

  log.info({ image: CLICKHOUSE_DOCKER_IMAGE, reuse: options.reuse }, 'starting ClickHouse container');
  const started = await container.start();
  const url = `http://${USER}:${PASSWORD}@${started.getHost()}:${started.getMappedPort(HTTP_PORT)}`;
  return {
    endpoint: url,
    stop: async () => {
      if (!options.reuse) await started.stop();
    },
  };
}
