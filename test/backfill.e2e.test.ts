import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '@govstats/kafka';
import { EVENT_TYPES } from '@govstats/schemas';
import { runCommand } from '@govstats/store';
import { listDeadLetters, queryPlaceFigures, reconcile } from '@govstats/warehouse';
import { createIngestService, type IngestStats } from '../services/ingest/src/index.ts';
import { envelope } from './support/events.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const VILLAGE = '411224104201';
const FIRST_YEAR = 2011;
const YEARS = 13; // 156 months: more than the 100 partitions one ClickHouse insert may touch
const gridVisits = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;

const visit = (id: string, time: string, minutes = 30) =>
  envelope('grid-visit', id, VILLAGE, time, {
    grid_id: 'G01',
    member_id: 'gm_backfill1',
    household_id: null,
    kind: 'patrol',
    issues_found: 0,
    hazards_found: 0,
    duration_minutes: minutes,
  });

/** Ingest until idle, or fail after `ms`: a consumer stuck retrying one batch never goes idle. */
async function drainWithin(pipeline: TestPipeline, ms: number): Promise<IngestStats> {
  const service = createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const { retries, loaded } = service.stats();
      void service
        .stop()
        .finally(() => reject(new Error(`ingest did not drain within ${ms / 1000} s (retries ${retries}, loaded ${loaded})`)));
    }, ms);
  });
  try {
    return await Promise.race([service.drain(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Loading years of history at once, and store errors that no retry can fix. */
describe('history never stalls ingest', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await openTestPipeline('backfill');
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('loads a backfill of one event per month over 13 years published at once into one partition', async () => {
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const sink = await createKafkaSink(pipeline.kafka);
    const events = [];
    for (let year = FIRST_YEAR; year < FIRST_YEAR + YEARS; year++) {
      for (let month = 1; month <= 12; month++)
        events.push(visit(`bf-${year}-${month}`, `${year}-${String(month).padStart(2, '0')}-15T10:00:00`));
    }
    // One key: one partition, so one batch holds every month.
    await sink.send(
      topic,
      events.map((event) => ({ key: VILLAGE, value: JSON.stringify(event) })),
    );
    await sink.close();

    const stats = await drainWithin(pipeline, 90_000);
    expect(stats).toMatchObject({ loaded: YEARS * 12, deadLettered: 0 });
    for (const year of [FIRST_YEAR, FIRST_YEAR + 6, FIRST_YEAR + YEARS - 1]) {
      const figures = await queryPlaceFigures(pipeline.store, gridVisits, {
        level: 'city',
        code: '411200000000',
        from: `${year}-01-01`,
        to: `${year}-12-31`,
      });
      expect(figures.visits, String(year)).toBe(12);
    }
    const whole = await queryPlaceFigures(pipeline.store, gridVisits, {
      level: 'village',
      code: VILLAGE,
      from: `${FIRST_YEAR}-01-01`,
      to: `${FIRST_YEAR + YEARS - 1}-12-31`,
    });
    expect(whole.visits).toBe(YEARS * 12);
    expect(await reconcile(pipeline.store, { from: `${FIRST_YEAR}-01-01`, to: `${FIRST_YEAR + YEARS - 1}-12-31` }, [gridVisits])).toEqual(
      [],
    );
  });

  it('dead-letters events the store can never accept, and later events on the partition still load', async () => {
    // A rule added by a database administrator: the engine refuses these rows on every attempt.
    await runCommand(pipeline.store.client, 'ALTER TABLE grid_visits ADD CONSTRAINT no_577_minute_visits CHECK duration_minutes != 577');
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const sink = await createKafkaSink(pipeline.kafka);
    const before = [visit('rule-before-1', '2024-05-01T09:00:00'), visit('rule-before-2', '2024-05-01T10:00:00')];
    const refused = visit('rule-refused', '2024-05-01T11:00:00', 577);
    const after = [visit('rule-after-1', '2024-05-02T09:00:00'), visit('rule-after-2', '2024-05-02T10:00:00')];
    await sink.send(
      topic,
      [...before, refused].map((event) => ({ key: VILLAGE, value: JSON.stringify(event) })),
    );
    await sink.send(
      topic,
      after.map((event) => ({ key: VILLAGE, value: JSON.stringify(event) })),
    );
    await sink.close();

    const stats = await drainWithin(pipeline, 90_000);
    expect(stats).toMatchObject({ loaded: 4, deadLettered: 1 });
    const [deadLetter] = await listDeadLetters(pipeline.store, { reason: 'store_rejected' });
    expect(deadLetter).toMatchObject({ eventId: 'rule-refused', reason: 'store_rejected' });
    expect(deadLetter!.detail).toMatch(/no_577_minute_visits/);
    const may = await queryPlaceFigures(pipeline.store, gridVisits, {
      level: 'village',
      code: VILLAGE,
      from: '2024-05-01',
      to: '2024-05-02',
    });
    expect(may.visits).toBe(4);
  });

  it('sends a dead-letter copy the broker refuses as too large without its payload, and moves on', async () => {
    const deadLetterTopic = pipeline.config.topics.deadLetter;
    const admin = pipeline.kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2 /* TOPIC */, name: deadLetterTopic, configEntries: [{ name: 'max.message.bytes', value: '100000' }] }],
    });
    const before = await admin.fetchTopicOffsets(deadLetterTopic);
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const sink = await createKafkaSink(pipeline.kafka);
    // Over MAX_EVENT_BYTES (256 KiB), so dead-lettered as oversized; over the dead-letter topic's limit too.
    const huge = { ...visit('huge-1', '2024-06-01T09:00:00'), padding: 'x'.repeat(300_000) };
    await sink.send(
      topic,
      [huge, visit('after-huge', '2024-06-01T10:00:00')].map((event) => ({ key: VILLAGE, value: JSON.stringify(event) })),
    );
    await sink.close();

    const stats = await drainWithin(pipeline, 90_000);
    expect(stats).toMatchObject({ loaded: 1, deadLettered: 1 });
    const after = await admin.fetchTopicOffsets(deadLetterTopic);
    await admin.disconnect();
    const published = (offsets: typeof before) => offsets.reduce((n, p) => n + Number(p.high), 0);
    expect(published(after) - published(before)).toBe(1);
    const [deadLetter] = await listDeadLetters(pipeline.store, { reason: 'oversized' });
    expect(deadLetter!.payloadBytes).toBeGreaterThan(300_000);
    expect(Buffer.from(deadLetter!.payloadBase64, 'base64').length).toBe(deadLetter!.payloadBytes);
  });
});
