import type { TestProject } from 'vitest/node';
import { resolveInfrastructure, type Infrastructure } from '@govstats/local-infra';

let infrastructure: Infrastructure | undefined;

/**
 * Brings up the real infrastructure once for the whole run, through the one place that picks it:
 * KAFKA_BROKERS / CLICKHOUSE_URL if set, else Docker via testcontainers, else the native broker
 * and embedded ClickHouse. Tests read the endpoints with inject().
 */
export async function setup(project: TestProject): Promise<void> {
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
