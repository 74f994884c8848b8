import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig, topicsFor, type Config, type KafkaSecurity } from '@govstats/config';
import { createKafka, ensureTopics } from '@govstats/kafka';
import { EVENT_TYPES } from '@govstats/schemas';
import { openStore, type Store } from '@govstats/store';
import { SINGLE_NODE, setUpWarehouse, type DdlOptions } from '@govstats/warehouse';
import type { Kafka } from 'kafkajs';

export interface TestPipeline {
  config: Config;
  kafka: Kafka;
  store: Store;
  /** Environment for a child `govstats` process that must see this pipeline. */
  childEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * A pipeline of its own for one test file on the shared real infrastructure: unique topics and
 * consumer group, and a fresh ClickHouse (embedded data directory, or database on a server).
 */
export interface TestPipelineOptions {
  brokers?: string[];
  /** Replication factor of the topics (1 on the shared single broker). */
  replicationFactor?: number;
  /** Insert blocks each table remembers for deduplication; small to show what happens beyond it. */
  dedupWindow?: number;
  /** How the test's own client reaches `brokers` (a secure broker); default PLAINTEXT. */
  security?: KafkaSecurity;
}

export async function openTestPipeline(name: string, options: TestPipelineOptions = {}): Promise<TestPipeline> {
  const runId = `${name}-${process.pid}-${Date.now().toString(36)}`;
  const brokers = options.brokers ?? inject('kafkaBrokers');
  const clickhouseUrl = inject('clickhouseUrl') || undefined;
  const dataDir = mkdtempSync(join(tmpdir(), `govstats-${name}-`));
  const database = clickhouseUrl ? `test_${runId.replace(/\W/g, '_')}` : undefined;
  const base = loadConfig({ GOVSTATS_HOME: dataDir });
  const config: Config = {
    ...base,
    clickhouse: { ...base.clickhouse, url: clickhouseUrl, database, dataDir: join(dataDir, 'chdb') },
    kafka: { ...base.kafka, brokers, security: options.security ?? base.kafka.security },
    ingest: { ...base.ingest, groupId: `test-${runId}` },
    topics: topicsFor(`test-${runId}`),
  };
  const kafka = createKafka({ brokers, clientId: `test-${name}`, security: config.kafka.security });
  await ensureTopics(
    kafka,
    [...EVENT_TYPES.map((t) => config.topics.forEventType(t.name)), config.topics.unrouted, config.topics.deadLetter],
    { partitions: config.kafka.partitions, replicationFactor: options.replicationFactor ?? 1 },
  );
  const store = await openStore({ ...config.clickhouse, host: true });
  const ddl: DdlOptions = { ...SINGLE_NODE, dedupWindow: options.dedupWindow ?? SINGLE_NODE.dedupWindow };
  await setUpWarehouse(store, ddl);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    GOVSTATS_HOME: dataDir,
    CHDB_PATH: config.clickhouse.dataDir,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: config.topics.prefix,
    INGEST_GROUP_ID: config.ingest.groupId,
    CLICKHOUSE_DEDUP_WINDOW: String(ddl.dedupWindow),
    ...(clickhouseUrl ? { CLICKHOUSE_URL: clickhouseUrl, CLICKHOUSE_DATABASE: database } : {}),
  };
  return {
    config,
    kafka,
    store,
    childEnv,
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
