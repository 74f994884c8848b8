import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaSettings, kafkaStatus, startKafka, stopKafka } from '../src/index.ts';
import { isPortFree } from '../src/kafka/port-check.ts';

// A cold JVM start (plus a first Maven download) on a 2-core machine is slow.
const TIMEOUT_MS = 180_000;

describe('local Kafka broker (native JVM, KRaft)', () => {
  let brokers: string[] = [];
  /** Only a broker this test started is stopped by it; a developer's running broker is left alone. */
  let startedHere = false;

  beforeAll(async () => {
    const broker = await startKafka();
    brokers = broker.brokers;
    startedHere = !broker.alreadyRunning;
  }, TIMEOUT_MS);

  afterAll(async () => {
    if (startedHere) await stopKafka();
  }, TIMEOUT_MS);

  it('reports a running, healthy broker', async () => {
    const status = await kafkaStatus();
    expect(status.running).toBe(true);
    expect(status.healthy).toBe(true);
    expect(status.brokers).toEqual(brokers);
    expect(status.pid).toBeTypeOf('number');
  });

  it('returns the running broker instead of starting a second one', async () => {
    const again = await startKafka();
    expect(again).toEqual({ brokers, alreadyRunning: true });
  });

  it(
    'round-trips messages, including one above the 1 MiB Kafka default',
    async () => {
      // kafkajs logs retriable errors (e.g. "group coordinator not available" while __consumer_offsets is
      // created on first use) as ERROR; real failures still surface as rejected promises.
      const kafka = new Kafka({ clientId: 'local-infra-test', brokers, logLevel: logLevel.NOTHING });
      const topic = `local-infra-roundtrip-${process.pid}-${Date.now()}`;
      const large = 'x'.repeat(1_500_000);
      const admin = kafka.admin();
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      const consumer = kafka.consumer({ groupId: `${topic}-group`, maxBytesPerPartition: 4 * 1024 * 1024 });
      try {
        await admin.connect();
        // Not waitForLeaders: on Kafka 4 kafkajs sometimes reads "unknown topic" while metadata
        // propagates and gives up; the producer below retries that on its own.
        await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false });

        await producer.connect();
        await producer.send({
          topic,
          messages: [
            { key: 'k1', value: 'hello govstats' },
            { key: 'k2', value: large },
          ],
        });

        const received: Array<{ key: string; value: string }> = [];
        let allReceived!: () => void;
        const done = new Promise<void>((resolvePromise) => (allReceived = resolvePromise));
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            received.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
            if (received.length === 2) allReceived();
          },
        });
        await done;

        expect(received[0]).toEqual({ key: 'k1', value: 'hello govstats' });
        expect(received[1]?.key).toBe('k2');
        expect(received[1]?.value.length).toBe(large.length);
      } finally {
        await consumer.disconnect().catch(() => undefined);
        await producer.disconnect().catch(() => undefined);
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
    },
    TIMEOUT_MS,
  );

  it(
    'stops the broker it started and frees the port',
    async (context) => {
      if (!startedHere) context.skip('the broker was already running before this test; leaving it up');
      const result = await stopKafka();
      startedHere = false;
      expect(result.wasRunning).toBe(true);
      const status = await kafkaStatus();
      expect(status.running).toBe(false);
      expect(status.healthy).toBe(false);
      expect(await isPortFree(kafkaSettings().port, '127.0.0.1')).toBe(true);
    },
    TIMEOUT_MS,
  );
});
