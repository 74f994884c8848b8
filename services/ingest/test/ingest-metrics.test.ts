import { afterEach, describe, expect, it } from 'vitest';
import type { SourceBatch } from '@govstats/kafka';
import { recordingPlaces } from '../src/batch-facts.ts';
import { decodeBatch, type PreparedBatch } from '../src/batch-planner.ts';
import { storeRefusals, type LoadedBatch } from '../src/batch-protocol.ts';
import { partitionLags } from '../src/consumer-lag.ts';
import { startHealthServer } from '../src/health-server.ts';
import { assessHealth, type HealthInputs } from '../src/ingest-health.ts';
import { createIngestRecorder } from '../src/ingest-stats.ts';
import { planLoad } from '../src/load-events.ts';
import { GRID_TOPIC, batchOf, defaultPlaces, eventType, gridVisit } from './fixtures.ts';

const topics = new Map([
  [GRID_TOPIC, eventType('grid-visit')],
  ['govstats.unrouted', undefined],
]);
const T0 = Date.parse('2024-06-10T00:00:00Z');

/** Loaded: a and c; b repeats a; one line unparseable; d valid but refused by the store. */
function loadedBatch(
  batch: SourceBatch = batchOf(GRID_TOPIC, 0, [
    gridVisit('a'),
    gridVisit('a'),
    '{ not json',
    gridVisit('c', { time: '2024-06-09T20:00:00+08:00' }),
    gridVisit('d', { time: '2024-06-09T23:00:00+08:00' }),
  ]),
): LoadedBatch {
  const { accepted, rejected } = decodeBatch(batch, {
    topicType: topics.get(batch.topic),
    places: recordingPlaces(defaultPlaces()).lookup,
    now: T0,
    maxEventBytes: 4096,
    futureToleranceMs: 0,
  });
  const plan = planLoad(accepted, new Set());
  const refusedByStore = storeRefusals(
    accepted
      .filter((e) => e.eventId === 'd')
      .map((event) => ({ event, error: { message: 'no', type: 'VIOLATED_CONSTRAINT', permanent: true, leaseExpired: false } })),
  );
  const work: PreparedBatch = {
    batch,
    accepted,
    rejected,
    plan,
    replayed: false,
    startedAt: T0,
    decodeMs: 1,
    planMs: 1,
    facts: { version: 1, now: T0, maxEventBytes: 4096, futureToleranceMs: 0, places: {}, loadedBefore: [], firstMessage: '' },
  };
  return { batch, work, refused: [...rejected, ...refusedByStore], loaded: 2, last: batch.messages.at(-1)!.offset, finishedAt: T0 + 1_500 };
}

/** The value of one sample line, e.g. `name{a="b"}`, or undefined when the text has no such line. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('counting a committed batch', () => {
  it('adds it to the stats: planned events the store refused count as dead-lettered, not loaded', () => {
    const recorder = createIngestRecorder(topics, () => T0);
    recorder.batchCommitted(loadedBatch());
    expect(recorder.stats()).toMatchObject({
      batches: 1,
      messages: 5,
      loaded: 2,
      duplicates: 1,
      deadLettered: 2,
      loadedByType: { 'grid-visit': 2 },
      lastBatchAt: T0 + 1_500,
    });
  });

  it('hands out copies of the stats, not the counters themselves', () => {
    const recorder = createIngestRecorder(topics, () => T0);
    const before = recorder.stats();
    recorder.batchCommitted(loadedBatch());
    expect(before.batches).toBe(0);
    expect(before.loadedByType).toEqual({});
  });

  it('publishes the metrics Prometheus scrapes under their documented names and labels', async () => {
    const recorder = createIngestRecorder(topics, () => T0);
    recorder.batchCommitted(loadedBatch());
    recorder.batchRetried(GRID_TOPIC);
    const text = await recorder.metrics.text();
    expect(sample(text, 'govstats_ingest_events_total{outcome="loaded",type="grid-visit"}')).toBe(2);
    expect(sample(text, 'govstats_ingest_events_total{outcome="duplicate",type="grid-visit"}')).toBe(1);
    expect(sample(text, 'govstats_ingest_events_total{outcome="dead_lettered",type="grid-visit"}')).toBe(2);
    expect(sample(text, 'govstats_ingest_dead_letters_total{reason="unparseable"}')).toBe(1);
    expect(sample(text, 'govstats_ingest_dead_letters_total{reason="store_rejected"}')).toBe(1);
    expect(sample(text, `govstats_ingest_batches_total{topic="${GRID_TOPIC}"}`)).toBe(1);
    expect(sample(text, `govstats_ingest_retries_total{topic="${GRID_TOPIC}"}`)).toBe(1);
    expect(text).toContain('# TYPE govstats_ingest_batch_seconds histogram');
    expect(sample(text, 'govstats_ingest_batch_seconds_bucket{le="1"}')).toBe(0);
    expect(sample(text, 'govstats_ingest_batch_seconds_bucket{le="2.5"}')).toBe(1);
    expect(sample(text, 'govstats_ingest_batch_seconds_sum')).toBe(1.5);
    expect(sample(text, 'govstats_ingest_last_batch_timestamp_seconds')).toBe((T0 + 1_500) / 1000);
  });

  it('measures freshness at scrape time from the newest event time loaded on each topic', async () => {
    let now = T0;
    const recorder = createIngestRecorder(topics, () => now);
    recorder.batchCommitted(loadedBatch());
    // c happened at 2024-06-09T12:00Z, a at 2024-06-03T02:00Z; d (the newest) was refused by the store.
    const newest = Date.parse('2024-06-09T12:00:00Z');
    const series = `govstats_ingest_event_freshness_seconds{topic="${GRID_TOPIC}"}`;
    expect(sample(await recorder.metrics.text(), series)).toBe((T0 - newest) / 1000);
    now += 60_000;
    expect(sample(await recorder.metrics.text(), series)).toBe((T0 + 60_000 - newest) / 1000);
    // An older batch later does not make the topic look staler.
    recorder.batchCommitted(loadedBatch(batchOf(GRID_TOPIC, 10, [gridVisit('old', { time: '2020-01-01T00:00:00+08:00' })])));
    expect(sample(await recorder.metrics.text(), series)).toBe((T0 + 60_000 - newest) / 1000);
  });

  it('publishes the group lag in total and per topic partition, dropping partitions no longer listed', async () => {
    const recorder = createIngestRecorder(topics, () => T0);
    recorder.lagMeasured('g1', [
      { topic: GRID_TOPIC, partition: 0, messages: 5 },
      { topic: GRID_TOPIC, partition: 1, messages: 7 },
    ]);
    let text = await recorder.metrics.text();
    expect(sample(text, 'govstats_consumer_lag_messages{group="g1"}')).toBe(12);
    expect(sample(text, `govstats_consumer_partition_lag_messages{group="g1",partition="1",topic="${GRID_TOPIC}"}`)).toBe(7);
    recorder.lagMeasured('g1', [{ topic: GRID_TOPIC, partition: 0, messages: 0 }]);
    text = await recorder.metrics.text();
    expect(sample(text, 'govstats_consumer_lag_messages{group="g1"}')).toBe(0);
    expect(sample(text, `govstats_consumer_partition_lag_messages{group="g1",partition="0",topic="${GRID_TOPIC}"}`)).toBe(0);
    expect(sample(text, `govstats_consumer_partition_lag_messages{group="g1",partition="1",topic="${GRID_TOPIC}"}`)).toBeUndefined();
  });

  it('keeps each service instance\u2019s counts apart, with the process metrics in each', async () => {
    const one = createIngestRecorder(topics, () => T0);
    const two = createIngestRecorder(topics, () => T0);
    one.batchCommitted(loadedBatch());
    const [textOne, textTwo] = await Promise.all([one.metrics.text(), two.metrics.text()]);
    expect(sample(textOne, `govstats_ingest_batches_total{topic="${GRID_TOPIC}"}`)).toBe(1);
    expect(sample(textTwo, `govstats_ingest_batches_total{topic="${GRID_TOPIC}"}`)).toBeUndefined();
    for (const text of [textOne, textTwo]) {
      expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
      expect(text).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
      expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    }
  });
});

describe('consumer lag', () => {
  it('is each partition\u2019s end minus the committed offset, or minus its first offset where the group never committed', () => {
    const lags = partitionLags(
      't',
      [
        { partition: 0, offset: '40' },
        { partition: 1, offset: '-1' },
      ],
      [
        { partition: 0, high: '100', low: '0' },
        { partition: 1, high: '30', low: '10' },
        { partition: 2, high: '5', low: '5' },
      ],
    );
    expect(lags).toEqual([
      { topic: 't', partition: 0, messages: 60 },
      { topic: 't', partition: 1, messages: 20 },
      { topic: 't', partition: 2, messages: 0 },
    ]);
  });
});

describe('health', () => {
  const inputs = (overrides: Partial<HealthInputs> = {}): HealthInputs => ({
    now: T0,
    running: true,
    failingSince: undefined,
    lag: 0,
    waitingSince: T0,
    lastProgressAt: T0,
    stallMs: 300_000,
    schemaWait: undefined,
    stats: createIngestRecorder(topics, () => T0).stats(),
    ...overrides,
  });

  it('is healthy while running, with nothing failing and nothing stalled', () => {
    expect(assessHealth(inputs())).toMatchObject({ healthy: true, detail: { reasons: [], running: true, lag: 0, batches: 0 } });
  });

  it('is not while stopped, or while a batch has been failing for a minute', () => {
    expect(assessHealth(inputs({ running: false })).detail.reasons).toEqual(['the consumer is not running']);
    expect(assessHealth(inputs({ failingSince: T0 - 59_000 })).healthy).toBe(true);
    expect(assessHealth(inputs({ failingSince: T0 - 61_000 })).detail.reasons).toEqual([
      'a batch has been failing for 61 s (see the log for its error)',
    ]);
  });

  it('is not when messages wait and nothing was committed for the stall time, and says what the schema gate waits for', () => {
    const stalled = inputs({ lag: 12, waitingSince: T0 - 400_000, lastProgressAt: T0 - 500_000, schemaWait: 'a migration is running' });
    expect(assessHealth(stalled)).toMatchObject({
      healthy: false,
      detail: { stalledForSeconds: 400, reasons: ['no batch committed for 400 s while 12 messages wait: a migration is running'] },
    });
    // Progress since the messages started waiting counts, and without lag nothing is stalled.
    expect(assessHealth({ ...stalled, lastProgressAt: T0 - 10_000 }).healthy).toBe(true);
    expect(assessHealth({ ...stalled, lag: 0 }).healthy).toBe(true);
  });
});

describe('the metrics and health endpoint', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('serves /metrics in the Prometheus text format and /healthz as 200 or 503', async () => {
    const recorder = createIngestRecorder(topics, () => T0);
    recorder.batchCommitted(loadedBatch());
    let healthy = true;
    const endpoint = await startHealthServer(
      0,
      () => recorder.metrics.text(),
      () => ({ healthy, detail: { why: 'test' } }),
    );
    close = endpoint.close;
    const metrics = await fetch(`${endpoint.url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(await metrics.text(), 'govstats_ingest_events_total{outcome="loaded",type="grid-visit"}')).toBe(2);
    expect((await fetch(`${endpoint.url}/healthz`)).status).toBe(200);
    healthy = false;
    const unhealthy = await fetch(`${endpoint.url}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ status: 'unhealthy', why: 'test' });
  });

  it('answers 500 when collecting fails, and keeps serving', async () => {
    const endpoint = await startHealthServer(
      0,
      () => Promise.reject(new Error('collector broke')),
      () => ({ healthy: true, detail: {} }),
    );
    close = endpoint.close;
    const response = await fetch(`${endpoint.url}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('collector broke');
    expect((await fetch(`${endpoint.url}/healthz`)).status).toBe(200);
  });
});
