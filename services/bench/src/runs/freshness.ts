import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka, Message } from 'kafkajs';
import { REPO_ROOT, topicsFor, type Topics } from '@govstats/config';
import { deleteTopics, ensureTopics } from '@govstats/kafka';
import { sleep, waitUntil } from '@govstats/log';
import { routeLine } from '@govstats/producer';
import { EVENT_TYPES } from '@govstats/schemas';
import { openStore, queryRows, readLease, type Store } from '@govstats/store';
import { copyOfDataDir } from '../history/prepared-store.ts';
import { percentile } from '../measure.ts';

export interface FreshnessOptions {
  kafka: Kafka;
  env: NodeJS.ProcessEnv;
  /** Envelopes to publish, in order; the run stops early if it runs out. */
  lines: string[];
  ratePerSecond: number;
  seconds: number;
  partitions: number;
  /** Unique per run: topics and consumer group are named after it. */
  name: string;
  /** Prepared data directory the service starts on (a copy of it). */
  template: string;
}

export interface FreshnessRun {
  ratePerSecond: number;
  /** Events whose latency was measured (sent after the warm-up). */
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Sends of the first seconds wait for the consumer's first fetches to settle; they are not counted. */
const WARM_UP_MS = 2_000;
const TICK_MS = 50;

interface Sent {
  topic: string;
  partition: number;
  offset: number;
  at: number;
}

/**
 * Freshness: `govstats ingest` runs as the long-running service it is, while events are published
 * at a steady rate. An event's latency runs from just before its send to the `finished_at` of the
 * ingest batch that loaded it, which is recorded after its raw and rollup rows were written: from
 * published to visible in the rollups. Offsets tie each event to its batch.
 */
export async function measureFreshness(options: FreshnessOptions): Promise<FreshnessRun> {
  const topics = topicsFor(options.name);
  const typeTopics = EVENT_TYPES.map((t) => topics.forEventType(t.name));
  await ensureTopics(options.kafka, [...typeTopics, topics.unrouted, topics.deadLetter], {
    partitions: options.partitions,
    replicationFactor: 1,
  });
  const { chdbPath, dir: dataDir } = copyOfDataDir(options.template);
  const groupId = `${options.name}-ingest`;
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services', 'cli', 'src', 'main.ts'), 'ingest'], {
    env: {
      ...options.env,
      KAFKA_TOPIC_PREFIX: topics.prefix,
      CHDB_PATH: chdbPath,
      INGEST_GROUP_ID: groupId,
      INGEST_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: REPO_ROOT,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const producer = options.kafka.producer();
  let store: Store | undefined;
  try {
    await waitForConsumer(options.kafka, groupId, chdbPath, child, () => stderr);
    store = await openStore({ dataDir: chdbPath }); // reaches the service's engine through its lease
    await producer.connect();
    const sent = await publishSteadily(producer, options, topics);
    const batches = await waitForBatches(store, sent, 60_000);
    const latencies = sent.filter((s) => s.at >= sent[0]!.at + WARM_UP_MS).map((s) => batchFinishedAt(batches, s) - s.at);
    if (latencies.length === 0) throw new Error('freshness run published nothing after the warm-up: raise the rate or the duration');
    return {
      ratePerSecond: options.ratePerSecond,
      events: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      // Not Math.max(...latencies): a fast run collects more latencies than a call can spread.
      maxMs: percentile(latencies, 100),
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await store?.close();
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    await deleteTopics(options.kafka, [...typeTopics, topics.unrouted, topics.deadLetter]);
  }
}

/** Until the service holds the engine and its consumer group is stable: only then does the clock start. */
async function waitForConsumer(kafka: Kafka, groupId: string, chdbPath: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`govstats ingest exited (${child.exitCode}) before consuming: ${stderr()}`);
        const { groups } = await admin.describeGroups([groupId]);
        return readLease(chdbPath) !== undefined && groups[0]?.state === 'Stable' && groups[0].members.length > 0;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'govstats ingest to hold the engine and join its consumer group', detail: stderr },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Sends at a steady rate in small ticks, each event to a chosen partition, and notes where each landed. */
async function publishSteadily(producer: ReturnType<Kafka['producer']>, options: FreshnessOptions, topics: Topics): Promise<Sent[]> {
  const sent: Sent[] = [];
  const started = Date.now();
  let next = 0;
  let roundRobin = 0;
  while (Date.now() - started < options.seconds * 1000 && next < options.lines.length) {
    const due = Math.min(options.lines.length, Math.round(((Date.now() - started) / 1000) * options.ratePerSecond));
    if (due > next) {
      const byTopicPartition = new Map<string, { topic: string; partition: number; messages: Message[] }>();
      // Live traffic: each event happens as it is sent (the stream's own times are two months of 2024).
      const now = `"time":"${new Date().toISOString()}"`;
      for (; next < due; next++) {
        const line = options.lines[next]!.replace(/"time":"[^"]*"/, now);
        const { topic } = routeLine(line, topics);
        if (topic === topics.unrouted) throw new Error(`bench stream line has no known event type: ${line.slice(0, 200)}`);
        const partition = roundRobin++ % options.partitions;
        const key = `${topic}:${partition}`;
        const group = byTopicPartition.get(key) ?? { topic, partition, messages: [] };
        group.messages.push({ value: line, partition });
        byTopicPartition.set(key, group);
      }
      const at = Date.now();
      const groups = [...byTopicPartition.values()];
      const metadata = await producer.sendBatch({ acks: -1, topicMessages: groups.map((g) => ({ topic: g.topic, messages: g.messages })) });
      for (const group of groups) {
        const base = metadata.find((m) => m.topicName === group.topic && m.partition === group.partition)?.baseOffset;
        if (base === undefined) throw new Error(`no acknowledgement for ${group.topic}[${group.partition}]`);
        group.messages.forEach((_, i) => sent.push({ topic: group.topic, partition: group.partition, offset: Number(base) + i, at }));
      }
    }
    await sleep(TICK_MS);
  }
  return sent;
}

interface Batch {
  first: number;
  last: number;
  finishedAt: number;
}

/** Waits until every sent event is in a loaded batch; returns the batches by topic and partition. */
async function waitForBatches(store: Store, sent: Sent[], timeoutMs: number): Promise<Map<string, Batch[]>> {
  const lastSent = new Map<string, number>();
  for (const s of sent) lastSent.set(`${s.topic}:${s.partition}`, Math.max(lastSent.get(`${s.topic}:${s.partition}`) ?? -1, s.offset));
  return waitUntil(
    async () => {
      const rows = await queryRows<{ topic: string; partition: number; first: string; last: string; at: string }>(
        store.client,
        'SELECT kafka_topic AS topic, kafka_partition AS partition, first_offset AS first, last_offset AS last, toUnixTimestamp64Milli(finished_at) AS at FROM ingest_batches ORDER BY first_offset',
      );
      const batches = new Map<string, Batch[]>();
      for (const r of rows) {
        const key = `${r.topic}:${r.partition}`;
        const list = batches.get(key) ?? [];
        list.push({ first: Number(r.first), last: Number(r.last), finishedAt: Number(r.at) });
        batches.set(key, list);
      }
      const done = [...lastSent].every(([key, offset]) => (batches.get(key)?.at(-1)?.last ?? -1) >= offset);
      return done ? batches : undefined;
    },
    { timeoutMs, intervalMs: 200, what: 'the service to load every sent event (freshness run)' },
  );
}

function batchFinishedAt(batches: Map<string, Batch[]>, sent: Sent): number {
  const batch = batches.get(`${sent.topic}:${sent.partition}`)?.find((b) => b.first <= sent.offset && sent.offset <= b.last);
  if (!batch) throw new Error(`no loaded batch holds ${sent.topic}[${sent.partition}]@${sent.offset}`);
  return batch.finishedAt;
}
