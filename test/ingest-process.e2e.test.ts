import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '@govstats/kafka';
import { queryPlaceFigures } from '@govstats/warehouse';
import { EVENT_TYPES } from '@govstats/schemas';
import { envelope, patrol } from './support/events.ts';
import { spawnGovstats } from './support/govstats-process.ts';
import { freePort } from './support/ports.ts';
import { untilServed } from './support/served.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const VILLAGE = '411224104201';

/** `govstats ingest` as its own long-running process: metrics, health, and a clean SIGTERM. */
describe('the ingest service process', () => {
  let pipeline: TestPipeline;
  let child: ChildProcess;
  let port: number;
  let exit: Promise<number | null>;

  beforeAll(async () => {
    pipeline = await openTestPipeline('ingest-process');
    const sink = await createKafkaSink(pipeline.kafka);
    const events = Array.from({ length: 500 }, (_, i) => envelope('grid-visit', `proc-${i}`, VILLAGE, '2024-06-03T10:00:00', patrol()));
    await sink.send(pipeline.config.topics.forEventType('grid-visit'), [
      ...events.map((e) => ({ key: VILLAGE, value: JSON.stringify(e) })),
      { key: VILLAGE, value: '{ not json' },
    ]);
    await sink.close();
    port = await freePort();
    child = spawnGovstats(['ingest'], {
      env: { ...pipeline.childEnv, INGEST_METRICS_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await pipeline?.close();
  });

  it('exposes Prometheus metrics that count what it loaded and dead-lettered', async () => {
    const text = await untilServed(
      'all 501 messages in /metrics',
      async () => {
        const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return /govstats_ingest_events_total\{outcome="loaded",type="grid-visit"\} 500\b/.test(body) &&
          /outcome="dead_lettered"[^\n]* 1\b/.test(body)
          ? body
          : undefined;
      },
      60_000,
    );
    expect(text).toContain('# TYPE govstats_ingest_batch_seconds histogram');
    expect(text).toMatch(/govstats_ingest_batches_total\{topic="[^"]+grid-visit"\} \d+/);
  });

  it('reports healthy on /healthz while it runs', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', running: true, loaded: 500, deadLettered: 1 });
  });

  it('stops cleanly on SIGTERM with every offset committed', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const admin = pipeline.kafka.admin();
    await admin.connect();
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const [committed] = await admin.fetchOffsets({ groupId: pipeline.config.ingest.groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const lag = ends.reduce(
      (n, end) => n + Number(end.high) - Math.max(0, Number(committed!.partitions.find((p) => p.partition === end.partition)!.offset)),
      0,
    );
    expect(lag).toBe(0);
    const figures = await queryPlaceFigures(
      pipeline.store,
      EVENT_TYPES.find((t) => t.name === 'grid-visit')!,
      { level: 'village', code: VILLAGE, from: '2024-06-03', to: '2024-06-03' },
    );
    expect(figures.visits).toBe(500);
  });
});
