import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Not a dependency of local-infra: topics and the sink exactly as the pipeline uses them.
import { createKafkaSink, ensureTopics } from '../../kafka/src/index.ts';
import { freePort, tryListen } from '../../../test/support/ports.ts';
import { kafkaNodes, kafkaSettings, kafkaStatus, startKafka, startKafkaNode, stopKafka, stopKafkaNode } from '../src/index.ts';
import { nodeLayout } from '../src/kafka/node-layout.ts';
import { isPortFree } from '../src/kafka/port-check.ts';

const NODES = 3;
const TIMEOUT_MS = 120_000;

describe('local Kafka cluster: port layout', () => {
  const base = { ...kafkaSettings({ port: 30000, controllerPort: 30001 }), kafkaHome: '/x/kafka' };

  it('gives node <id> ports base + 2·(id − 1) and its own directory', () => {
    const nodes = nodeLayout(base, 3);
    expect(nodes.map((node) => [node.id, node.port, node.controllerPort])).toEqual([
      [1, 30000, 30001],
      [2, 30002, 30003],
      [3, 30004, 30005],
    ]);
    expect(nodes[1]).toMatchObject({
      dataDir: '/x/kafka/node-2/data',
      serverPropertiesFile: '/x/kafka/node-2/server.properties',
      pidFile: '/x/kafka/node-2/broker.pid',
    });
  });

  it('keeps the single-node layout for one node', () => {
    expect(nodeLayout(base, 1)).toMatchObject([
      { id: 1, port: 30000, controllerPort: 30001, dataDir: base.dataDir, pidFile: base.pidFile },
    ]);
  });

  it('refuses ports that would collide or sizes it cannot run', () => {
    expect(() => nodeLayout({ ...base, controllerPort: 30002 }, 3)).toThrow(
      /node 2 client port 30002 is also the Kafka node 1 controller port/,
    );
    expect(() => nodeLayout(base, 0)).toThrow(/whole number from 1 to/);
  });
});

/** A client port base whose 2·nodes ports (client and controller, interleaved) are all free. */
async function freePortRange(nodes: number): Promise<number> {
  for (;;) {
    const base = await freePort();
    if (base + 2 * nodes > 65535) continue;
    let free = true;
    for (let port = base + 1; port < base + 2 * nodes && free; port++) free = (await tryListen(port)) !== undefined;
    if (free) return base;
  }
}

/** Polls `check` until it returns a value; errors it throws count as "not yet" (e.g. metadata asked of a killed node). */
async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  streams: ProducerStream[] = [],
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    for (const stream of streams) if (stream.failure) throw stream.failure; // no point waiting on a dead producer
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await sleep(200);
  }
}

interface ProducerStream {
  /** Ids of the messages the cluster acknowledged, in send order. */
  acknowledged: string[];
  failure?: unknown;
  stop(): Promise<void>;
}

/** Sends batches of 10 uniquely numbered messages back to back until stopped. */
function produceContinuously(prefix: string, send: (ids: string[]) => Promise<void>): ProducerStream {
  let producing = true;
  let nextId = 0;
  const stream: ProducerStream = {
    acknowledged: [],
    stop: async () => {
      producing = false;
      await running.catch(() => undefined);
    },
  };
  const running = (async () => {
    while (producing) {
      const ids = Array.from({ length: 10 }, () => `${prefix}-${String(nextId++).padStart(6, '0')}`);
      await send(ids);
      stream.acknowledged.push(...ids);
      await sleep(10);
    }
  })();
  running.catch((error: unknown) => (stream.failure = error));
  return stream;
}

async function partitionState(admin: Admin, topic: string): Promise<{ leader: number; isr: number[]; replicas: number[] }> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partition = topics[0]!.partitions[0]!;
  const ascending = (ids: number[]) => [...ids].sort((a, b) => a - b);
  return { leader: partition.leader, isr: ascending(partition.isr), replicas: ascending(partition.replicas) };
}

describe('local Kafka cluster (three native KRaft nodes)', () => {
  const savedEnv = {
    GOVSTATS_HOME: process.env.GOVSTATS_HOME,
    KAFKA_PORT: process.env.KAFKA_PORT,
    KAFKA_CONTROLLER_PORT: process.env.KAFKA_CONTROLLER_PORT,
  };
  let home: string;
  let brokers: string[] = [];
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    // A home and ports of its own: the shared single broker of the test run must not notice.
    home = await mkdtemp(join(tmpdir(), 'govstats-kafka-cluster-'));
    const base = await freePortRange(NODES);
    process.env.GOVSTATS_HOME = home;
    process.env.KAFKA_PORT = String(base);
    process.env.KAFKA_CONTROLLER_PORT = String(base + 1);
    const cluster = await startKafka({ nodes: NODES });
    brokers = cluster.brokers;
    kafka = new Kafka({ clientId: 'local-infra-cluster-test', brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  }, TIMEOUT_MS);

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    await stopKafka().catch(() => undefined);
    await rm(home, { recursive: true, force: true });
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }, TIMEOUT_MS);

  it('starts three nodes that form one cluster, each with its own files', async () => {
    const base = Number(process.env.KAFKA_PORT);
    expect(brokers).toEqual([`127.0.0.1:${base}`, `127.0.0.1:${base + 2}`, `127.0.0.1:${base + 4}`]);
    expect((await admin.describeCluster()).brokers.map((broker) => broker.nodeId).sort()).toEqual([1, 2, 3]);

    const status = await kafkaStatus();
    expect(status).toMatchObject({ running: true, healthy: true, brokers });
    expect(status.nodes.map((node) => [node.id, node.running, node.healthy, node.dataDir])).toEqual(
      [1, 2, 3].map((id) => [id, true, true, join(home, 'kafka', `node-${id}`, 'data')]),
    );
    const properties = await readFile(join(home, 'kafka', 'node-2', 'server.properties'), 'utf8');
    expect(properties).toContain(`controller.quorum.voters=1@127.0.0.1:${base + 1},2@127.0.0.1:${base + 3},3@127.0.0.1:${base + 5}`);
    expect(properties).toMatch(/^default\.replication\.factor=3$/m);
    expect(properties).toMatch(/^min\.insync\.replicas=2$/m);
    expect(properties).toMatch(/^unclean\.leader\.election\.enable=false$/m);
  });

  it('reuses the running cluster and refuses a different size', async () => {
    expect(await startKafka({ nodes: NODES })).toEqual({ brokers, alreadyRunning: true });
    expect(await startKafka()).toEqual({ brokers, alreadyRunning: true }); // no size given: the running one
    await expect(startKafka({ nodes: 1 })).rejects.toThrow(/3-node govstats Kafka cluster is already running/);
  });

  it(
    'loses no acknowledged message (and an idempotent producer duplicates none) when the partition leader is killed',
    async () => {
      const topic = `cluster-failover-${process.pid}-${Date.now()}`;
      await ensureTopics(kafka, [topic], { partitions: 1, replicationFactor: NODES });
      const before = await partitionState(admin, topic);
      expect(before.replicas).toEqual([1, 2, 3]);
      const topicConfig = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['min.insync.replicas', 'unclean.leader.election.enable'] }],
      });
      expect(Object.fromEntries(topicConfig.resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]))).toEqual({
        'min.insync.replicas': '2',
        'unclean.leader.election.enable': 'false',
      });

      // Producer 1: idempotent, acks from all in-sync replicas, one request in flight, as in
      // createKafkaSink, but it never gives up its producer id: it keeps retrying the same sequence
      // numbers through the failover, so the broker drops every resent duplicate and the log must
      // hold each acknowledged message exactly once.
      const exact = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 200, initialRetryTime: 200, maxRetryTime: 1_000 },
      });
      await exact.connect();
      // Producer 2: the pipeline's own sink. When its retries run out it resends with a fresh
      // producer id (ingest dedups by event id), so for it only "nothing acknowledged is lost" holds.
      const sink = await createKafkaSink(kafka);
      const streams = [
        produceContinuously('exact', async (ids) => {
          const [result] = await exact.send({ topic, acks: -1, messages: ids.map((id) => ({ key: id, value: id })) });
          if (result?.errorCode !== 0) throw new Error(`produce answered error code ${result?.errorCode}`);
        }),
        produceContinuously(
          'sink',
          async (ids) =>
            void (await sink.send(
              topic,
              ids.map((id) => ({ key: id, value: id })),
            )),
        ),
      ];
      const [exactStream, sinkStream] = streams as [ProducerStream, ProducerStream];
      const acknowledgedCount = () => exactStream.acknowledged.length + sinkStream.acknowledged.length;
      const produced = (atLeast: number) => () =>
        exactStream.acknowledged.length >= atLeast && sinkStream.acknowledged.length >= atLeast ? true : undefined;

      // Consumer: reads along the whole time; at-least-once, so it keeps a set.
      const consumed = new Set<string>();
      // Short fetch waits: disconnecting waits for the fetch in flight.
      const consumer = kafka.consumer({ groupId: `${topic}-live`, maxWaitTimeInMs: 1_000 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void consumed.add(message.value!.toString()) });
      const consumedAll = () => (streams.every((stream) => stream.acknowledged.every((id) => consumed.has(id))) ? true : undefined);

      try {
        await waitFor('100 acknowledged messages per producer before the crash', 30_000, produced(100), streams);
        // A consumer that joins while the group coordinator fails over backs off for long; have it settled first.
        await waitFor('the consumer to read them', 30_000, consumedAll, streams);
        const victim = (await partitionState(admin, topic)).leader;
        expect(await stopKafkaNode(victim, { signal: 'SIGKILL' })).toEqual({ wasRunning: true, killed: true });
        const atCrash = Math.max(exactStream.acknowledged.length, sinkStream.acknowledged.length);

        const nodesAfterCrash = await kafkaNodes();
        expect(nodesAfterCrash.map((node) => [node.id, node.running])).toEqual([1, 2, 3].map((id) => [id, id !== victim]));

        // Without unclean election the new leader comes from the ISR; two replicas still satisfy min ISR 2.
        const during = await waitFor(
          'a new leader and an ISR without the killed node',
          60_000,
          async () => {
            const state = await partitionState(admin, topic);
            return state.leader >= 0 && state.leader !== victim && !state.isr.includes(victim) ? state : undefined;
          },
          streams,
        );
        expect(during.isr).toHaveLength(2);
        await waitFor('100 more acknowledged messages per producer with one node down', 60_000, produced(atCrash + 100), streams);
        await waitFor('the consumer to read everything acknowledged so far', 60_000, consumedAll, streams);

        const restarted = await startKafkaNode(victim);
        expect(restarted).toMatchObject({ id: victim, alreadyRunning: false, broker: brokers[victim - 1] });
        const atRestart = Math.max(exactStream.acknowledged.length, sinkStream.acknowledged.length);
        const after = await waitFor(
          'the restarted node back in the ISR',
          60_000,
          async () => {
            const state = await partitionState(admin, topic);
            return state.isr.length === NODES ? state : undefined;
          },
          streams,
        );
        expect(after.isr).toEqual([1, 2, 3]);
        await waitFor('50 more acknowledged messages per producer after the restart', 30_000, produced(atRestart + 50), streams);
        await Promise.all(streams.map((stream) => stream.stop()));
        for (const stream of streams) if (stream.failure) throw stream.failure;
        await waitFor('the consumer to read every acknowledged message', 60_000, consumedAll);
      } finally {
        await Promise.all(streams.map((stream) => stream.stop()));
        await Promise.all([exact.disconnect(), sink.close(), consumer.disconnect()].map((closing) => closing.catch(() => undefined)));
      }
      expect(acknowledgedCount()).toBeGreaterThanOrEqual(600);

      // The log itself, offset by offset: every acknowledged message exactly once, in send order.
      const { high } = (await admin.fetchTopicOffsets(topic))[0]!;
      const byOffset = new Map<number, string>();
      const reader = kafka.consumer({ groupId: `${topic}-verify`, maxWaitTimeInMs: 1_000 });
      await reader.connect();
      await reader.subscribe({ topic, fromBeginning: true });
      await reader.run({ eachMessage: async ({ message }) => void byOffset.set(Number(message.offset), message.value!.toString()) });
      try {
        await waitFor(`all ${high} offsets read back`, 60_000, () => (byOffset.size >= Number(high) ? true : undefined));
      } finally {
        await reader.disconnect();
      }
      const inLog = [...byOffset.entries()].sort(([a], [b]) => a - b).map(([, id]) => id);
      const exactInLog = inLog.filter((id) => id.startsWith('exact-'));
      const timesInLog = new Map<string, number>();
      for (const id of exactInLog) timesInLog.set(id, (timesInLog.get(id) ?? 0) + 1);
      expect([...timesInLog].filter(([, times]) => times > 1)).toEqual([]);
      expect(exactInLog).toEqual(exactStream.acknowledged);
      const sinkInLog = new Set(inLog.filter((id) => id.startsWith('sink-')));
      expect(sinkStream.acknowledged.filter((id) => !sinkInLog.has(id))).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'stops every node and frees their ports, and will not reuse the data for another size',
    async () => {
      const result = await stopKafka();
      expect(result).toMatchObject({ wasRunning: true, stoppedNodeIds: [1, 2, 3] });
      const nodes = await kafkaNodes({ nodes: NODES });
      expect(nodes.every((node) => !node.running)).toBe(true);
      for (const broker of brokers) expect(await isPortFree(Number(broker.split(':')[1]), '127.0.0.1')).toBe(true);
      await expect(startKafka({ nodes: 2 })).rejects.toThrow(/holds data of a 3-node local Kafka cluster/);
    },
    TIMEOUT_MS,
  );
});
