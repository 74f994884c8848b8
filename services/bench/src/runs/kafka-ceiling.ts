import type { Kafka } from 'kafkajs';

/** Kafka's own ceiling: a consumer group reading the topics and doing nothing with the messages. */
export async function kafkaConsumerCeiling(kafka: Kafka, topics: string[], expected: number, groupId: string): Promise<number> {
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let seen = 0;
  let started = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        started ||= performance.now();
        seen += batch.messages.length;
        if (seen >= expected) resolve((performance.now() - started) / 1000);
      },
    });
  });
  const seconds = await done;
  await consumer.disconnect();
  return expected / seconds;
}
