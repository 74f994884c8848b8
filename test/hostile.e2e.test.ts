import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type OutgoingMessage } from '@govstats/kafka';
import { EVENT_TYPES, Random } from '@govstats/schemas';
import { queryRows } from '@govstats/store';
import { deadLetterSummary, queryPlaceFigures } from '@govstats/warehouse';
import { emptyScenarioCounts, prepareScenario, scenarioLines, scenarioSchema } from '../services/producer/src/index.ts';
import { spawnGovstats } from './support/govstats-process.ts';
import { freePort } from './support/ports.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const HOSTILE = 10_000;

/** One valid envelope turned hostile in one of many ways; each must be dead-lettered. */
function hostile(valid: Record<string, unknown>, random: Random, n: number): Buffer {
  const data = valid.data as Record<string, unknown>;
  const variants: (() => unknown)[] = [
    () => Buffer.from(Array.from({ length: random.int(1, 64) }, () => random.int(0, 255))), // random bytes
    () => '{"specversion":"1.0","id":', // truncated
    () => ({ ...valid, id: `h${n}`, data: { ...data, duration_minutes: 'thirty' } }), // wrong type
    () => ({ ...valid, id: `h${n}`, time: '2099-12-31T23:59:59+08:00' }), // future
    () => ({ ...valid, id: `h${n}`, time: '1970-01-01T00:00:00Z' }), // absurd past
    () => ({ ...valid, id: `h${n}`, time: '2024-02-30T10:00:00+08:00' }), // impossible date
    () => ({ ...valid, id: `h${n}`, subject: '411224104999' }), // unknown village
    () => ({ ...valid, id: `h${n}`, subject: "411224104201' OR 1=1 --" }), // injection in subject
    () => ({ ...valid, id: `h${n}'); DROP TABLE grid_visits; --` }), // injection in id
    () => ({ ...valid, id: `h${n}`, type: 'govstats.grid-visit.v99' }), // unknown version
    () => ({ ...valid, id: `h${n}`, type: 'com.example.other.v1' }), // foreign type
    () => ({ ...valid, id: `h${n}`, type: 'govstats.patrol-log.v1' }), // type govstats does not know
    () => ({ ...valid, id: `h${n}`, data: { ...data, grid_id: '<script>alert(1)</script>' } }), // markup in an id
    () => ({ ...valid, id: `h${n}`, data: { ...data, hazards_found: 1e308 } }), // absurd number
    () => ({ ...valid, id: `h${n}`, __proto__: { polluted: true }, data: { ...data, constructor: { prototype: { x: 1 } } } }), // prototype games
    () => JSON.stringify({ ...valid, id: `h${n}`, data: 'x'.repeat(300_000) }), // oversized
    () => `[${'['.repeat(5_000)}${']'.repeat(5_000)}]`, // deep nesting
    () => ({ ...valid, id: `h${n}`, specversion: '0.3' }), // other CloudEvents version
    () => null,
  ];
  const value = random.pick(variants)();
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
}

describe('10k hostile messages mixed with valid ones', () => {
  let pipeline: TestPipeline;
  let child: ChildProcess;
  let port: number;
  let validCount = 0;
  const healthChecks: number[] = [];

  beforeAll(async () => {
    pipeline = await openTestPipeline('hostile');
    const scenario = scenarioSchema.parse({
      name: 'hostile',
      period: { from: '2024-05-01', to: '2024-05-31' },
      seed: 3,
      places: ['411224000000'],
      activity: { visits_per_member_per_month: 10 },
    });
    const counts = emptyScenarioCounts();
    const valid = [...scenarioLines(prepareScenario(scenario), counts)].filter((line) => line.includes('"govstats.grid-visit.v1"'));
    validCount = valid.length;
    const random = new Random(11);
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const messages: OutgoingMessage[] = [];
    let h = 0;
    for (let i = 0; i < valid.length || h < HOSTILE; i++) {
      if (i < valid.length) messages.push({ key: '411224104201', value: valid[i]! });
      if (h < HOSTILE && random.chance(0.6))
        messages.push({ key: null, value: hostile(JSON.parse(valid[i % valid.length]!), random, h++) });
    }
    const sink = await createKafkaSink(pipeline.kafka);
    // Chunks under a megabyte: a few hostile messages are 300 KB each, and a record batch must fit the broker's limit.
    let chunk: OutgoingMessage[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = Buffer.byteLength(message.value);
      if (chunk.length > 0 && (bytes + size > 900_000 || chunk.length >= 1_000)) {
        await sink.send(topic, chunk);
        [chunk, bytes] = [[], 0];
      }
      chunk.push(message);
      bytes += size;
    }
    await sink.send(topic, chunk);
    await sink.close();
    port = await freePort();
    child = spawnGovstats(['ingest'], {
      env: { ...pipeline.childEnv, INGEST_METRICS_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // Health is sampled throughout: the consumer must never stall or fall over.
    for (;;) {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      if (health !== 0) healthChecks.push(health);
      const [row] = await queryRows<{ loaded: string; dead: string }>(
        pipeline.store.client,
        'SELECT (SELECT count() FROM event_keys) AS loaded, (SELECT count() FROM dead_letters FINAL) AS dead',
      );
      if (Number(row!.loaded) >= validCount && Number(row!.dead) >= HOSTILE) break;
      if (child.exitCode !== null) throw new Error(`ingest exited with code ${child.exitCode}`);
      await sleep(300);
    }
  }, 600_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    await pipeline?.close();
  });

  it('counts every valid event and dead-letters every hostile one with a reason', async () => {
    expect(validCount).toBeGreaterThan(10_000);
    const figures = await queryPlaceFigures(pipeline.store, EVENT_TYPES[0]!, {
      level: 'county',
      code: '411224000000',
      from: '2024-05-01',
      to: '2024-05-31',
    });
    expect(figures.visits).toBe(validCount);
    const summary = await deadLetterSummary(pipeline.store);
    expect(summary.reduce((n, r) => n + r.count, 0)).toBe(HOSTILE);
    const reasons = new Set(summary.map((r) => r.reason));
    for (const reason of [
      'unparseable',
      'invalid_envelope',
      'invalid_data',
      'unsupported_version',
      'unknown_event_type',
      'unknown_division',
      'future_time',
      'oversized',
    ]) {
      expect(reasons, reason).toContain(reason);
    }
    const [empty] = await queryRows<{ n: string }>(
      pipeline.store.client,
      "SELECT count() AS n FROM dead_letters FINAL WHERE reason = '' OR detail = ''",
    );
    expect(Number(empty!.n)).toBe(0);
  });

  it('stayed healthy throughout', () => {
    expect(healthChecks.length).toBeGreaterThan(3);
    expect(healthChecks.every((status) => status === 200)).toBe(true);
    expect(child.exitCode).toBeNull();
  });

  it('left the tables intact despite statement-like input', async () => {
    const [row] = await queryRows<{ n: string }>(
      pipeline.store.client,
      "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'grid_visits'",
    );
    expect(Number(row!.n)).toBe(1);
  });
});
