import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '@govstats/kafka';
import { startKafka, startKafkaNode, stopKafka, stopKafkaNode } from '@govstats/local-infra';
import { freePort } from '../support/ports.ts';
import { ExactlyOnceHarness, SCENARIO_EVENTS } from './harness.ts';

/**
 * A three-broker KRaft cluster, topics with replication factor 3 and min ISR 2: the leader of a
 * busy partition is killed with SIGKILL mid-stream and started again, and another broker is
 * restarted, while producers send and two members load.
 */
describe('exactly once: a three-broker cluster loses a partition leader and restarts a broker', () => {
  let harness: ExactlyOnceHarness;
  let brokers: string[];
  const dir = mkdtempSync(join(tmpdir(), 'govstats-eo-cluster-'));

  beforeAll(async () => {
    // A cluster of its own: killing brokers must not touch the one other test files share.
    process.env.GOVSTATS_HOME = dir;
    process.env.KAFKA_PORT = String(await freePort());
    process.env.KAFKA_CONTROLLER_PORT = String(await freePort());
    brokers = (await startKafka({ nodes: 3 })).brokers;
    harness = await ExactlyOnceHarness.open('eo-cluster', dir, { brokers, replicationFactor: 3 });
  }, 600_000);
  afterAll(async () => {
    await harness?.close();
    await stopKafka().catch(() => undefined);
  });

  async function leaderOf(topic: string, partition: number): Promise<number> {
    const admin = createKafka({ brokers, clientId: 'eo-cluster-admin' }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]!.partitions.find((p) => p.partitionId === partition)!.leader;
    } finally {
      await admin.disconnect();
    }
  }

  it('counts every acknowledged event once through a leader kill and a broker restart', async () => {
    const stream = await harness.writeStream('stream.ndjson', SCENARIO_EVENTS);
    const members = [await harness.startMember('a'), await harness.startMember('b')];
    const producing = harness.produceInChunks(stream, 10, 1_500);
    const topic = harness.pipeline.config.topics.forEventType('grid-visit');

    await harness.waitForLoaded(Math.floor(SCENARIO_EVENTS * 0.15));
    const leader = await leaderOf(topic, 0);
    await stopKafkaNode(leader, { signal: 'SIGKILL' });
    await sleep(8_000);
    await startKafkaNode(leader);

    await harness.waitForLoaded(Math.floor(SCENARIO_EVENTS * 0.4));
    const other = leader === 3 ? 1 : leader + 1;
    await stopKafkaNode(other, { signal: 'SIGTERM' });
    await sleep(3_000);
    await startKafkaNode(other);

    await producing;
    // Everything is sent by now; a drain this slow is a stall, and the error says where it is.
    await harness.waitUntilDrained(SCENARIO_EVENTS, 300_000);
    for (const member of members) await harness.stopMember(member);

    const verdict = await harness.verify();
    console.log(`exactly-once kafka cluster: leader ${leader} killed and restarted, broker ${other} restarted; ${JSON.stringify(verdict)}`);
    expect(verdict).toEqual({ expected: SCENARIO_EVENTS, missing: 0, doubled: 0, unexpected: 0, reconcileDifferences: 0 });
  }, 1_200_000);
});
