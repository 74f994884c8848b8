import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '@govstats/kafka';
import { EVENT_TYPES } from '@govstats/schemas';
import { queryPlaceFigures } from '@govstats/warehouse';
import { createIngestService } from '../services/ingest/src/index.ts';
import { envelope, patrol } from './support/events.ts';
import { storeWithOutage } from './support/outage-store.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const VILLAGE = '411203100202';
const EVENTS = 3_000;

/** ClickHouse unavailable for a while: consumption waits (offsets stay put), then resumes without loss. */
describe('ClickHouse outage while events keep arriving', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await openTestPipeline('outage');
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('holds offsets during the outage and loads everything exactly once afterwards', async () => {
    let outage = true;
    const store = storeWithOutage(pipeline.store, () => outage);
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const sink = await createKafkaSink(pipeline.kafka);
    await sink.send(
      topic,
      Array.from({ length: EVENTS }, (_, i) => ({
        key: VILLAGE,
        value: JSON.stringify(envelope('grid-visit', `out-${i}`, VILLAGE, '2024-07-01T10:00:00', patrol(5))),
      })),
    );
    await sink.close();

    const service = createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store });
    // While ClickHouse is away the service cannot even start: it needs the division codes.
    await expect(service.start()).rejects.toThrow(/ECONNREFUSED/);
    outage = false;
    const running = createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store });
    await running.start();
    outage = true;
    await sleep(4_000);
    const admin = pipeline.kafka.admin();
    await admin.connect();
    const during = await admin.fetchOffsets({ groupId: pipeline.config.ingest.groupId, topics: [topic] });
    expect(during[0]!.partitions.every((p) => p.offset === '-1')).toBe(true); // nothing committed while down
    expect(store.refused).toBeGreaterThan(0);
    expect(running.health().detail).toMatchObject({ loaded: 0 });

    outage = false;
    while (running.stats().loaded < EVENTS) await sleep(200);
    await running.stop();
    const after = await admin.fetchOffsets({ groupId: pipeline.config.ingest.groupId, topics: [topic] });
    await admin.disconnect();
    expect(after[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0)).toBe(EVENTS); // -1 = partition never used
    expect(running.stats().retries).toBeGreaterThan(0);
    const figures = await queryPlaceFigures(pipeline.store, EVENT_TYPES[0]!, {
      level: 'village',
      code: VILLAGE,
      from: '2024-07-01',
      to: '2024-07-01',
    });
    expect(figures.visits).toBe(EVENTS);
  });

  it('reports a livelock on /healthz: messages wait and no batch is committed, with the reason', async () => {
    let failing = true;
    // Reads work, every insert fails: the consumer runs and retries, and nothing moves on.
    const store = storeWithOutage(pipeline.store, () => failing, ['exec']);
    const config = {
      ...pipeline.config,
      ingest: { ...pipeline.config.ingest, groupId: `${pipeline.config.ingest.groupId}-livelock`, stallMs: 4_000, lagCheckMs: 500 },
    };
    const service = createIngestService({ config, kafka: pipeline.kafka, store });
    await service.start();
    expect(service.health().healthy).toBe(true);
    const deadline = Date.now() + 30_000;
    while (service.health().healthy && Date.now() < deadline) await sleep(250);
    const stalled = service.health();
    expect(stalled.healthy).toBe(false);
    expect((stalled.detail.reasons as string[]).join('; ')).toMatch(/no batch committed for \d+ s while \d+ messages wait/);

    failing = false;
    // The first test loaded these events already: this group finds them in the ledger.
    while (service.stats().messages < EVENTS && Date.now() < deadline + 60_000) await sleep(200);
    expect(service.stats()).toMatchObject({ messages: EVENTS, duplicates: EVENTS });
    for (let i = 0; i < 20 && !service.health().healthy; i++) await sleep(250);
    expect(service.health()).toMatchObject({ healthy: true });
    await service.stop();
  });
});
