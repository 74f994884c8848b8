import type { EventTypeDefinition } from '@govstats/schemas';
import type { LoadedBatch } from './batch-protocol.ts';
import { ownEvents } from './load-events.ts';
import { IngestMetrics, type PartitionLag } from './metrics.ts';

export interface IngestStats {
  batches: number;
  messages: number;
  loaded: number;
  duplicates: number;
  deadLettered: number;
  loadedByType: Record<string, number>;
  retries: number;
  startedAt: number;
  /** When the consumer was started (connect, join, fetch): the start of a throughput measurement. */
  consumingSince?: number;
  /** When the last batch was loaded and committed: its events were visible in the rollups by then. */
  lastBatchAt?: number;
}

/** The event type a refusal names (`govstats.<type>.v<n>`), else the one its topic carries. */
function refusedType(eventType: string, topicType: string): string {
  return /^govstats\.([a-z-]+)\./.exec(eventType)?.[1] ?? topicType;
}

/**
 * Counts what ingest did, twice: in the stats the CLI reports and health shows, and in the
 * Prometheus metrics. One per service instance.
 */
export function createIngestRecorder(topics: Map<string, EventTypeDefinition | undefined>, clock: () => number) {
  const stats: IngestStats = {
    batches: 0,
    messages: 0,
    loaded: 0,
    duplicates: 0,
    deadLettered: 0,
    loadedByType: {},
    retries: 0,
    startedAt: clock(),
  };
  const metrics = new IngestMetrics(clock);

  return {
    metrics,
    /** A copy: callers keep it while counting goes on. */
    stats: (): IngestStats => ({ ...stats, loadedByType: { ...stats.loadedByType } }),

    consumingStarted(): void {
      stats.consumingSince = clock();
    },

    /** A batch loaded and about to be committed. */
    batchCommitted({ batch: { topic, messages }, work, refused, loaded, finishedAt }: LoadedBatch): void {
      stats.batches++;
      stats.lastBatchAt = finishedAt;
      stats.messages += messages.length;
      stats.duplicates += work.plan.duplicates;
      stats.deadLettered += refused.length;
      stats.loaded += loaded;
      const topicType = topics.get(topic)?.name ?? 'unrouted';
      // Planned events the store refused for good were dead-lettered, not loaded.
      const refusedOffsets = new Set(refused.map((r) => r.message.offset));
      let newestEventAt: number | undefined;
      for (const insert of work.plan.inserts) {
        const inserted = ownEvents(insert.events).filter((e) => !refusedOffsets.has(e.message.offset));
        stats.loadedByType[insert.eventType.name] = (stats.loadedByType[insert.eventType.name] ?? 0) + inserted.length;
        metrics.countEvents(insert.eventType.name, 'loaded', inserted.length);
        for (const event of inserted) if (newestEventAt === undefined || event.occurredAt > newestEventAt) newestEventAt = event.occurredAt;
      }
      if (work.plan.duplicates > 0) metrics.countEvents(topicType, 'duplicate', work.plan.duplicates);
      for (const refusal of refused) {
        metrics.countEvents(refusedType(refusal.eventType, topicType), 'dead_lettered', 1);
        metrics.countDeadLetter(refusal.reason);
      }
      metrics.batchCommitted(topic, (finishedAt - work.startedAt) / 1000, finishedAt, newestEventAt);
    },

    batchRetried(topic: string): void {
      stats.retries++;
      metrics.batchRetried(topic);
    },

    lagMeasured(group: string, partitions: PartitionLag[]): void {
      metrics.lagMeasured(group, partitions);
    },
  };
}

export type IngestRecorder = ReturnType<typeof createIngestRecorder>;
