import type { TestProject } from 'vitest/node';
import { resolveInfrastructure, type Infrastructure } from '@govstats/local-infra';
import { freePort, tryListen } from './ports.ts';

async function portsFree(...ports: number[]): Promise<boolean> {
  for (const port of ports) if ((await tryListen(port)) === undefined) return false;
  return true;
}

let infrastructure: Infrastructure | undefined;

/**
 * Brings up the real infrastructure once for the whole run, through the one place that picks it:
 * KAFKA_BROKERS / CLICKHOUSE_URL if set, else Docker via testcontainers, else the native broker
 * and embedded ClickHouse. Tests read the endpoints with inject().
 */
export async function setup(project: TestProject): Promise<void> {
  // Another checkout's broker (or anything else) on the default ports must not fail the run.
  if (!process.env.KAFKA_BROKERS && !process.env.KAFKA_PORT && !(await portsFree(19092, 19093))) {
    process.env.KAFKA_PORT = String(await freePort());
    process.env.KAFKA_CONTROLLER_PORT = String(await freePort());
  }
  infrastructure = await resolveInfrastructure();
  project.provide('kafkaBrokers', infrastructure.kafkaBrokers);
  project.provide('clickhouseUrl', infrastructure.clickhouseUrl ?? '');
}

export async function teardown(): Promise<void> {
  await infrastructure?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    clickhouseUrl: string;
  }
}
