import type { Admin, Kafka } from 'kafkajs';
import { waitUntil } from '@govstats/log';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: string[], layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: layout.partitions,
          replicationFactor: layout.replicationFactor,
          configEntries: [
            // With acks=all, two copies must hold a message before it counts as written.
            { name: 'min.insync.replicas', value: String(Math.min(2, layout.replicationFactor)) },
            // A leader that lost acknowledged messages must never be elected, whatever the broker default.
            { name: 'unclean.leader.election.enable', value: 'false' },
          ],
        })),
      });
      await waitForLeaders(admin, missing);
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics, best effort: used to clean up after demo and bench runs; a missing topic is not an error. */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

const LEADER_WAIT_MS = 30_000;

/**
 * kafkajs's own waitForLeaders gives up when Kafka 4 briefly answers "unknown topic" while a new
 * topic's metadata propagates; this keeps asking until every partition has a leader.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  await waitUntil(
    async () => {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      return metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
    },
    {
      timeoutMs: LEADER_WAIT_MS,
      intervalMs: 200,
      tolerate: () => true, // metadata errors while the new topics propagate
      what: `a leader for every partition of ${topics.join(', ')}`,
      detail: () => 'check the broker log',
    },
  );
}
