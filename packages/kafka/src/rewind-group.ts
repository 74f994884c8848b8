import type { Kafka } from 'kafkajs';
import { connectClient } from './client.ts';

/** One partition's move: from the group's committed offset back to the first message at or after the time. */
export interface PartitionRewind {
  topic: string;
  partition: number;
  /** The committed offset before (null: the group had committed none, and reads from the start anyway). */
  committed: string | null;
  /** Where the group reads next: the first message published at or after the time. */
  to: string;
  /** Messages read again: committed − to. */
  reread: number;
}

/** The group has members: Kafka moves a group's offsets only while none are consuming. */
export class GroupActiveError extends Error {
  constructor(groupId: string, members: string[]) {
    super(
      `consumer group ${groupId} has ${members.length} running member(s) (${members.slice(0, 5).join(', ')}): ` +
        'stop every ingest process of this group, then run this again',
    );
  }
}

/**
 * Moves a consumer group back to the messages published at or after `at` (epoch ms, compared with
 * each message's Kafka timestamp), for a deliberate reprocessing. Only back: a partition whose
 * unread messages start later than `at` keeps its offset, so nothing unread is ever skipped. With
 * `dryRun`, says what it would move and moves nothing.
 */
export async function rewindGroup(
  kafka: Kafka,
  groupId: string,
  topics: string[],
  at: number,
  options: { dryRun?: boolean } = {},
): Promise<PartitionRewind[]> {
  const admin = kafka.admin();
  await connectClient(kafka, admin);
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups[0]?.members ?? [];
    if (members.length > 0)
      throw new GroupActiveError(
        groupId,
        members.map((m) => `${m.clientId}@${m.clientHost}`),
      );
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    const committed = new Map<string, string>();
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: present })) {
      for (const { partition, offset } of partitions) if (Number(offset) >= 0) committed.set(`${topic}/${partition}`, offset);
    }
    const moves: PartitionRewind[] = [];
    for (const topic of present) {
      for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(topic, at)) {
        const current = committed.get(`${topic}/${partition}`) ?? null;
        if (current === null || BigInt(offset) >= BigInt(current)) continue;
        moves.push({ topic, partition, committed: current, to: offset, reread: Number(BigInt(current) - BigInt(offset)) });
      }
    }
    if (!options.dryRun) {
      for (const topic of new Set(moves.map((m) => m.topic))) {
        const partitions = moves.filter((m) => m.topic === topic).map((m) => ({ partition: m.partition, offset: m.to }));
        await admin.setOffsets({ groupId, topic, partitions });
      }
    }
    return moves;
  } finally {
    await admin.disconnect();
  }
}
