import type { Kafka } from 'kafkajs';
import { connectClient } from '@govstats/kafka';
import type { PartitionLag } from './metrics.ts';

/**
 * Lag of each partition: its end minus the group's committed offset, or minus its first offset
 * when the group never committed there (-1, or not listed).
 */
export function partitionLags(
  topic: string,
  committed: ReadonlyArray<{ partition: number; offset: string }>,
  ends: ReadonlyArray<{ partition: number; high: string; low: string }>,
): PartitionLag[] {
  return ends.map((end) => {
    const done = committed.find((p) => p.partition === end.partition)?.offset ?? '-1';
    const from = done === '-1' ? BigInt(end.low) : BigInt(done);
    return { topic, partition: end.partition, messages: Number(BigInt(end.high) - from) };
  });
}

export const totalLag = (partitions: PartitionLag[]): number => partitions.reduce((n, p) => n + p.messages, 0);

/** Measures the consumer group's lag per partition over one admin connection, opened on first use. */
export function createLagProbe(kafka: Kafka, groupId: string, topics: string[]) {
  let admin: Promise<ReturnType<Kafka['admin']>> | undefined;
  let closed = false;

  function connected(): Promise<ReturnType<Kafka['admin']>> {
    if (admin) return admin;
    const attempt = (async () => {
      const client = kafka.admin();
      // Says what to fix when Kafka refuses this client (credentials, CA, ACLs).
      await connectClient(kafka, client);
      return client;
    })();
    // A failed connection is tried again at the next measurement.
    attempt.catch(() => {
      if (admin === attempt) admin = undefined;
    });
    admin = attempt;
    return attempt;
  }

  return {
    async measure(): Promise<PartitionLag[]> {
      // A check still scheduled after stop must not open a connection nobody closes.
      if (closed) throw new Error('the lag probe is closed');
      const client = await connected();
      const lags: PartitionLag[] = [];
      for (const { topic, partitions } of await client.fetchOffsets({ groupId, topics })) {
        lags.push(...partitionLags(topic, partitions, await client.fetchTopicOffsets(topic)));
      }
      return lags;
    },
    async close(): Promise<void> {
      closed = true;
      const client = await admin?.catch(() => undefined);
      admin = undefined;
      await client?.disconnect();
    },
  };
}

export type LagProbe = ReturnType<typeof createLagProbe>;
