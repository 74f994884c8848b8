import { Partitioners, type Admin, type Kafka, type PartitionMetadata } from 'kafkajs';
import { connectClient } from './client.ts';

/** A message and the partition the producer's default partitioner gives it. */
export interface Placed<M> {
  partition: number;
  messages: M[];
}

/**
 * Groups messages by the partition kafkajs's default partitioner would choose (the same mapping
 * as before: a key stays on its partition), so that each send names one partition and so one
 * leader. kafkajs retries a multi-leader send only towards brokers that have not answered yet: a
 * partition whose leader moved to a broker that had answered is silently skipped (kafkajs 2.2.4,
 * producer/sendMessages.js). A send to one partition cannot fall into that gap.
 */
export function createPartitionGrouper(kafka: Kafka) {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionsOf = new Map<string, PartitionMetadata[]>();
  let admin: Admin | undefined;

  async function partitions(topic: string): Promise<PartitionMetadata[]> {
    const known = partitionsOf.get(topic);
    if (known) return known;
    if (!admin) {
      admin = kafka.admin();
      await connectClient(kafka, admin);
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const found = topics[0]?.partitions ?? [];
    if (found.length === 0)
      throw new Error(`topic ${topic} has no partitions in the cluster's metadata; create it first (govstats infra up)`);
    partitionsOf.set(topic, found);
    return found;
  }

  return {
    async group<M extends { key: string | Buffer | null; value: string | Buffer }>(topic: string, messages: M[]): Promise<Placed<M>[]> {
      const partitionMetadata = await partitions(topic);
      const groups = new Map<number, M[]>();
      for (const message of messages) {
        const partition = partitioner({ topic, partitionMetadata, message });
        const group = groups.get(partition);
        if (group) group.push(message);
        else groups.set(partition, [message]);
      }
      return [...groups].map(([partition, placed]) => ({ partition, messages: placed }));
    },
    async close(): Promise<void> {
      await admin?.disconnect();
      admin = undefined;
    },
  };
}
