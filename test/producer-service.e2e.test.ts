import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptionsOf, createKafkaSink, type KafkaSink } from '@govstats/kafka';
import { probeKafka, startKafka, stopKafka } from '@govstats/local-infra';
import { eventTypeByName } from '@govstats/schemas';
import { queryRows } from '@govstats/store';
import { queryRollup } from '@govstats/warehouse';
import { createIngestService } from '../services/ingest/src/index.ts';
import {
  BATCH_MEDIA_TYPE,
  STRUCTURED_MEDIA_TYPE,
  callerRegistry,
  newCaller,
  startProducerService,
  type ProducerService,
} from '../services/producer/src/index.ts';
import { envelope, patrol } from './support/events.ts';
import { freePort } from './support/ports.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

/*
 * The producer service as other systems use it: CloudEvents over HTTP in each content mode,
 * through a real broker (one of its own: it is stopped mid-test) into the embedded engine's
 * rollups. Nothing here is mocked.
 */

const COUNTY = '411224';
const VILLAGE = '411224104201';
const OTHER_COUNTY_VILLAGE = '411202001001';
const SOURCE = 'urn:hotline:411224';
const gridVisits = eventTypeByName('grid-visit')!;

const hotline = newCaller({ name: 'hotline-411224', sources: [SOURCE], divisions: [COUNTY] });

function visit(id: string, data: Record<string, unknown> = {}, attributes: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...envelope('grid-visit', id, VILLAGE, '2024-05-02T09:00:00', { ...patrol(), ...data }), source: SOURCE, ...attributes };
}

interface Reply {
  status: number;
  body: { accepted?: number; reason?: string; errors?: { id?: string; reason: string; fields: string[]; detail: string }[] };
  retryAfter: string | null;
}

describe('the producer service, through the real broker and engine', () => {
  let pipeline: TestPipeline;
  let brokers: string[];
  let sink: KafkaSink;
  let service: ProducerService;
  /** Every event id the service answered 202 for. */
  const acknowledged: string[] = [];

  async function post(path: string, body: string, headers: Record<string, string>, key: string | undefined = hotline.key): Promise<Reply> {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { ...headers, ...(key && { authorization: `Bearer ${key}` }) },
      body,
    });
    return { status: response.status, body: (await response.json()) as Reply['body'], retryAfter: response.headers.get('retry-after') };
  }

  const postBatch = (events: Record<string, unknown>[], key?: string) =>
    post('/events', JSON.stringify(events), { 'content-type': BATCH_MEDIA_TYPE }, key);

  async function remember(reply: Reply, ids: string[]): Promise<Reply> {
    if (reply.status === 202) acknowledged.push(...ids);
    return reply;
  }

  const drain = () => createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();

  async function countsOf(ids: string[]): Promise<Map<string, number>> {
    const rows = await queryRows<{ event_id: string; n: string }>(
      pipeline.store.client,
      'SELECT event_id, count() AS n FROM grid_visits WHERE event_id IN {ids:Array(String)} GROUP BY event_id',
      { ids },
    );
    return new Map(rows.map((r) => [r.event_id, Number(r.n)]));
  }

  async function visitsCounted(): Promise<number> {
    const [row] = await queryRollup(pipeline.store, gridVisits, { level: 'village', code: VILLAGE, from: '2024-05-01', to: '2024-05-31' });
    return row?.figures.visits ?? 0;
  }

  async function startService(): Promise<void> {
    service = await startProducerService({
      sink,
      topics: pipeline.config.topics,
      callers: callerRegistry([hotline.entry]),
      host: '127.0.0.1',
      port: 0,
      maxRequestBytes: 64 * 1024,
      maxBatchEvents: 50,
      maxPendingEvents: 1_000,
      sendTimeoutMs: 3_000,
      retryAfterMs: 500,
      maxEventBytes: pipeline.config.ingest.maxEventBytes,
      futureToleranceMs: pipeline.config.ingest.futureToleranceMs,
      probe: async () => (await probeKafka(brokers, 1_000, connectionOptionsOf(pipeline.kafka))).healthy,
    });
  }

  beforeAll(async () => {
    // A broker of its own: stopping the shared one would pull it from under other test files.
    process.env.GOVSTATS_HOME = mkdtempSync(join(tmpdir(), 'govstats-producer-service-'));
    process.env.KAFKA_PORT = String(await freePort());
    process.env.KAFKA_CONTROLLER_PORT = String(await freePort());
    brokers = (await startKafka()).brokers;
    pipeline = await openTestPipeline('producer-service', { brokers });
    sink = await createKafkaSink(pipeline.kafka, { maxBlockMs: 3_000 });
    await startService();
  }, 240_000);

  afterAll(async () => {
    await service?.close();
    await sink?.close();
    await pipeline?.close();
    await stopKafka().catch(() => undefined);
  });

  it('counts events posted in each content mode in the rollups', async () => {
    const structured = await post('/events', JSON.stringify(visit('http-structured')), { 'content-type': STRUCTURED_MEDIA_TYPE });
    const { data, ...attributes } = visit('http-binary');
    const binary = await post(`/events/grid-visit`, JSON.stringify(data), {
      'content-type': 'application/json',
      ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`ce-${name}`, encodeURIComponent(String(value))])),
    });
    const batchIds = ['http-batch-1', 'http-batch-2', 'http-batch-3'];
    const batch = await postBatch(batchIds.map((id) => visit(id)));
    expect([structured.status, binary.status, batch.status]).toEqual([202, 202, 202]);
    expect(batch.body).toEqual({ accepted: 3 });
    await remember(structured, ['http-structured']);
    await remember(binary, ['http-binary']);
    await remember(batch, batchIds);

    expect(await drain()).toMatchObject({ loaded: 5, deadLettered: 0 });
    expect(await visitsCounted()).toBe(5);
    const metrics = await service.metrics.text();
    expect(metrics).toContain('govstats_producer_events_total{outcome="accepted",type="grid-visit"} 5');
    for (const mode of ['structured', 'binary', 'batch']) expect(metrics).toContain(`mode="${mode}",route="events",status="202"`);
  });

  it('answers an invalid event with 422 naming the field, and accepts nothing of its request', async () => {
    const reply = await postBatch([visit('fine-but-with-a-bad-neighbour'), visit('too-short', { duration_minutes: 0 })]);
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toEqual([
      {
        index: 1,
        id: 'too-short',
        reason: 'invalid_data',
        fields: ['data.duration_minutes'],
        detail: expect.stringContaining('data.duration_minutes'),
      },
    ]);
    const unreadable = await post('/events', '{"specversion":', { 'content-type': STRUCTURED_MEDIA_TYPE });
    expect([unreadable.status, unreadable.body.reason]).toEqual([400, 'unparseable']);
    expect(await drain()).toMatchObject({ loaded: 0 });
  });

  it('refuses a caller speaking for another county or another source, or with no key, and counts the refusals', async () => {
    const elsewhere = await postBatch([visit('elsewhere', {}, { subject: OTHER_COUNTY_VILLAGE })]);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.errors).toMatchObject([{ id: 'elsewhere', reason: 'forbidden', fields: ['subject'] }]);
    const otherSource = await postBatch([visit('other-source', {}, { source: 'urn:hotline:411202' })]);
    expect(otherSource.status).toBe(403);
    expect(otherSource.body.errors).toMatchObject([{ id: 'other-source', reason: 'forbidden', fields: ['source'] }]);
    const anonymous = await postBatch([visit('anonymous')], '');
    const wrongKey = await postBatch([visit('wrong-key')], `${hotline.key}x`);
    expect([anonymous.status, wrongKey.status]).toEqual([401, 401]);
    expect(await drain()).toMatchObject({ loaded: 0 });
    const metrics = await service.metrics.text();
    expect(metrics).toContain('govstats_producer_refusals_total{reason="forbidden"} 2');
    expect(metrics).toContain('govstats_producer_refusals_total{reason="unauthenticated"} 2');
  });

  it('answers 503 while the broker is down and accepts nothing; afterwards every acknowledged event counts once', async () => {
    await stopKafka();
    const down = ['down-1', 'down-2'];
    const first = await postBatch(down.map((id) => visit(id)));
    expect(first.status).toBe(503);
    expect(Number(first.retryAfter)).toBeGreaterThanOrEqual(1);
    // Known down now: answered at once, not after another timeout.
    const started = performance.now();
    const second = await postBatch([visit('down-3')]);
    expect(second.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(503);
    // Until the refused sends gave up, the broker stays down: nothing refused may land later.
    while (service.queue.pending > 0) await sleep(100);

    await startKafka();
    while ((await fetch(`${service.url}/healthz`)).status !== 200) await sleep(250);
    const after = ['after-1', 'after-2', 'after-3'];
    const reply = await remember(await postBatch(after.map((id) => visit(id))), after);
    expect(reply.status).toBe(202);
    // A caller that did not hear the answer sends the same events again: safe.
    expect((await postBatch(after.map((id) => visit(id)))).status).toBe(202);

    await drain();
    const counts = await countsOf([...acknowledged, ...down, 'down-3']);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(acknowledged.map((id) => [id, 1])));
    expect(await visitsCounted()).toBe(acknowledged.length);
  }, 240_000);

  it('shuts down gracefully: a request in hand is answered once Kafka acknowledged it, an abandoned one is not waited for, new ones are turned away', async () => {
    const ids = ['closing-1', 'closing-2'];
    const body = Buffer.from(JSON.stringify(ids.map((id) => visit(id))));
    // Half the body now, the rest once the service is told to stop: the request is surely in hand.
    const request = httpRequest(`${service.url}/events`, {
      method: 'POST',
      headers: { 'content-type': BATCH_MEDIA_TYPE, 'content-length': body.length, authorization: `Bearer ${hotline.key}` },
    });
    const answered = new Promise<number>((resolve, reject) => {
      request.once('response', (response) => (response.resume(), resolve(response.statusCode!)));
      request.once('error', reject);
    });
    request.write(body.subarray(0, 100));
    // And a caller that goes away mid-body: shutdown must not wait for it.
    const abandoned = httpRequest(`${service.url}/events`, {
      method: 'POST',
      headers: { 'content-type': BATCH_MEDIA_TYPE, 'content-length': body.length, authorization: `Bearer ${hotline.key}` },
    });
    abandoned.once('error', () => undefined);
    abandoned.write(body.subarray(0, 100));
    await sleep(200);
    abandoned.destroy();
    const closed = service.close();
    await sleep(100);
    request.end(body.subarray(100));
    expect(await answered).toBe(202);
    acknowledged.push(...ids);
    await closed;
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    await drain();
    expect(Object.fromEntries(await countsOf(ids))).toEqual({ 'closing-1': 1, 'closing-2': 1 });
  });
});
