import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processMetrics } from '@govstats/log';
import type { RejectionReason } from '@govstats/schemas';

export type EventOutcome = 'loaded' | 'duplicate' | 'dead_lettered';

/** One partition's messages not yet committed by the consumer group. */
export interface PartitionLag {
  topic: string;
  partition: number;
  messages: number;
}

/**
 * The ingest consumer's Prometheus metrics, in a registry per service instance so that several
 * members in one process (tests run several) count apart. Labels are passed in name order, the
 * order the text format shows them in (scrapers and tests match `{outcome="…",type="…"}`).
 */
export class IngestMetrics {
  readonly #own = new Registry();
  /** This member's metrics and the process's. */
  readonly registry: Registry;
  /** Newest event time loaded per topic (epoch ms), for the freshness gauge. */
  readonly #newestEventAt = new Map<string, number>();

  readonly #events = new Counter({
    name: 'govstats_ingest_events_total',
    help: 'Messages handled by the ingest consumer, by event type and outcome (loaded, duplicate, dead_lettered).',
    labelNames: ['outcome', 'type'] as const,
    registers: [this.#own],
  });
  readonly #batches = new Counter({
    name: 'govstats_ingest_batches_total',
    help: 'Batches loaded and committed.',
    labelNames: ['topic'] as const,
    registers: [this.#own],
  });
  readonly #retries = new Counter({
    name: 'govstats_ingest_retries_total',
    help: 'Batch attempts that failed and were retried.',
    labelNames: ['topic'] as const,
    registers: [this.#own],
  });
  readonly #deadLetters = new Counter({
    name: 'govstats_ingest_dead_letters_total',
    help: 'Messages dead-lettered, by reason (unparseable, invalid_data, unknown_division, store_rejected, …).',
    labelNames: ['reason'] as const,
    registers: [this.#own],
  });
  readonly #lag = new Gauge({
    name: 'govstats_consumer_lag_messages',
    help: 'Messages on the subscribed topics not yet committed by the consumer group.',
    labelNames: ['group'] as const,
    registers: [this.#own],
  });
  readonly #partitionLag = new Gauge({
    name: 'govstats_consumer_partition_lag_messages',
    help: 'Messages of one topic partition not yet committed by the consumer group.',
    labelNames: ['group', 'partition', 'topic'] as const,
    registers: [this.#own],
  });
  readonly #lastBatch = new Gauge({
    name: 'govstats_ingest_last_batch_timestamp_seconds',
    help: 'When the last batch was committed (Unix time).',
    registers: [this.#own],
  });
  readonly #batchSeconds = new Histogram({
    name: 'govstats_ingest_batch_seconds',
    help: 'Time from receiving a batch to committing it.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.#own],
  });

  constructor(clock: () => number = Date.now) {
    const newestEventAt = this.#newestEventAt;
    new Gauge({
      name: 'govstats_ingest_event_freshness_seconds',
      help: 'Seconds from the newest event time loaded on a topic to now (0 when that event time is ahead of the clock).',
      labelNames: ['topic'] as const,
      registers: [this.#own],
      // Measured at scrape time: the gauge keeps rising while nothing new is loaded.
      collect() {
        const now = clock();
        for (const [topic, at] of newestEventAt) this.set({ topic }, Math.max(0, now - at) / 1000);
      },
    });
    // A merged registry holds the metrics registered so far: merge once all of them exist.
    this.registry = Registry.merge([processMetrics(), this.#own]);
  }

  countEvents(type: string, outcome: EventOutcome, n: number): void {
    this.#events.inc({ outcome, type }, n);
  }

  countDeadLetter(reason: RejectionReason): void {
    this.#deadLetters.inc({ reason });
  }

  batchCommitted(topic: string, seconds: number, at: number, newestEventAt: number | undefined): void {
    this.#batches.inc({ topic });
    this.#batchSeconds.observe(seconds);
    this.#lastBatch.set(at / 1000);
    if (newestEventAt !== undefined && newestEventAt > (this.#newestEventAt.get(topic) ?? Number.NEGATIVE_INFINITY))
      this.#newestEventAt.set(topic, newestEventAt);
  }

  batchRetried(topic: string): void {
    this.#retries.inc({ topic });
  }

  /** The group's lag as of one check: partitions no longer listed are dropped. */
  lagMeasured(group: string, partitions: PartitionLag[]): void {
    this.#lag.set(
      { group },
      partitions.reduce((n, p) => n + p.messages, 0),
    );
    this.#partitionLag.reset();
    for (const { topic, partition, messages } of partitions)
      this.#partitionLag.set({ group, partition: String(partition), topic }, messages);
  }

  /** The text exposition Prometheus scrapes. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
