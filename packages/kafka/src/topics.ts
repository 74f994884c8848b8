import type { Admin, Kafka } from 'kafkajs';
import { createLogger, waitUntil } from '@govstats/log';
import { connectClient } from './client.ts';

const log = createLogger('kafka-topics');

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topics that do not exist yet; existing topics are left as they are. A user without
 * the right to create topics (a producer or ingest under ACLs) sees only the topics it may use,
 * and creates none: the topics it may not create are the admin's to create, and are skipped.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await connectClient(kafka, admin);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      const refused = await createTopics(admin, missing, layout);
      if (refused.length > 0) {
        log.info(
          { topics: refused },
          'not allowed to create these topics (nor to see whether they exist): leaving them to the Kafka admin (infra/kafka/SECURITY.md)',
        );
      }
      const created = missing.filter((topic) => !refused.includes(topic));
      if (created.length > 0) await waitForLeaders(admin, created);
      return created;
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Creates `topics`; returns those the broker refused for lack of permission. */
async function createTopics(admin: Admin, topics: string[], layout: TopicLayout): Promise<string[]> {
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((topic) => ({
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
    return [];
  } catch (error) {
    const errors = (error as { errors?: Array<{ type?: string; topic?: string }> }).errors;
    const denied = (e: { type?: string }) => /^(TOPIC|CLUSTER)_AUTHORIZATION_FAILED$/.test(e.type ?? '');
    if (Array.isArray(errors) && errors.length > 0 && errors.every(denied)) return errors.map((e) => e.topic ?? '');
    if (denied(error as { type?: string })) return topics;
    throw error;
  }
}

/** Deletes topics, best effort: used to clean up after demo and bench runs; a missing topic is not an error. */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await connectClient(kafka, admin);
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
