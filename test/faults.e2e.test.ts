import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, stopKafka } from '@govstats/local-infra';
import { EVENT_TYPES } from '@govstats/schemas';
import { queryRows } from '@govstats/store';
import { queryPlaceFigures, reconcile } from '@govstats/warehouse';
import {
  emptyScenarioCounts,
  prepareScenario,
  scenarioLines,
  scenarioSchema,
  type ScenarioCounts,
} from '../services/producer/src/index.ts';
import { spawnGovstats } from './support/govstats-process.ts';
import { freePort } from './support/ports.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const PERIOD = { from: '2024-03-01', to: '2024-04-30' };
const CITY = '411200000000';

/**
 * Crashes and restarts while a real stream flows: producer and consumer are separate processes,
 * the consumer is killed with SIGKILL three times, the producer once, the broker is restarted
 * once. Afterwards every event must count exactly once and reconcile must find no difference.
 * The engine lives in this process, as a ClickHouse server would, so killed consumers lose only
 * what a real consumer loses: their own state.
 */
describe('faults: kills and restarts over a stream of 100k+ events', () => {
  let pipeline: TestPipeline;
  let brokers: string[];
  const counts: ScenarioCounts = emptyScenarioCounts();
  const tally = { consumerKills: 0, producerKills: 0, brokerRestarts: 0, unexpectedExits: 0 };
  let stream: string;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    // A broker of its own: restarting the shared one would pull it from under other test files.
    process.env.GOVSTATS_HOME = mkdtempSync(join(tmpdir(), 'govstats-faults-'));
    process.env.KAFKA_PORT = String(await freePort());
    process.env.KAFKA_CONTROLLER_PORT = String(await freePort());
    brokers = (await startKafka()).brokers;
    pipeline = await openTestPipeline('faults', { brokers });
    stream = join(process.env.GOVSTATS_HOME, 'stream.ndjson');
    const scenario = scenarioSchema.parse({
      name: 'faults',
      period: PERIOD,
      seed: 5,
      places: ['411224000000'],
      activity: { visits_per_member_per_month: 30 },
    });
    const out = createWriteStream(stream);
    for (const line of scenarioLines(prepareScenario(scenario), counts)) if (!out.write(`${line}\n`)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
  }, 600_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await pipeline?.close();
    await stopKafka().catch(() => undefined);
  });

  function govstats(...args: string[]): ChildProcess {
    const child = spawnGovstats(args, {
      env: { ...pipeline.childEnv, KAFKA_BROKERS: brokers.join(','), INGEST_METRICS_PORT: '0', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.add(child);
    return child;
  }

  /** Keeps one process of a kind running: restarts it whenever it dies unless `done` says it finished. */
  function supervise(args: string[], done: (code: number | null) => boolean) {
    const state = { child: govstats(...args), finished: false, stopping: false };
    const watch = (child: ChildProcess) =>
      child.once('exit', (code, signal) => {
        if (state.stopping || (done(code) && signal === null)) {
          state.finished = true;
          return;
        }
        if (signal !== 'SIGKILL' && signal !== 'SIGTERM') {
          tally.unexpectedExits++;
          if (tally.unexpectedExits > 20) throw new Error(`govstats ${args[0]} keeps dying (code ${code}); see its stderr above`);
          console.log(`unexpected exit of govstats ${args[0]}: code ${code} signal ${signal}`);
        }
        state.child = govstats(...args);
        watch(state.child);
      });
    watch(state.child);
    return state;
  }

  async function loaded(): Promise<number> {
    const [row] = await queryRows<{ n: string }>(pipeline.store.client, 'SELECT count() AS n FROM event_keys');
    return Number(row?.n ?? 0);
  }

  async function waitFor(fraction: number): Promise<void> {
    while ((await loaded()) < counts.events * fraction) await sleep(200);
  }

  it('counts every event exactly once, and reconcile finds no difference', async () => {
    expect(counts.events).toBeGreaterThanOrEqual(100_000);
    const producer = supervise(['produce', '--file', stream], (code) => code === 0);
    const consumer = supervise(['ingest'], () => false);

    await waitFor(0.15);
    consumer.child.kill('SIGKILL');
    tally.consumerKills++;
    if (!producer.finished) {
      producer.child.kill('SIGKILL'); // it starts over: every event is sent again and must count once
      tally.producerKills++;
    }
    await waitFor(0.35);
    consumer.child.kill('SIGKILL');
    tally.consumerKills++;
    await waitFor(0.5);
    await stopKafka();
    await startKafka();
    tally.brokerRestarts++;
    await waitFor(0.65);
    consumer.child.kill('SIGKILL');
    tally.consumerKills++;

    // Drained: every event in the ledger, the producer done, nothing left to read.
    while ((await loaded()) < counts.events || !producer.finished) await sleep(500);
    await sleep(3_000);
    consumer.stopping = true;
    const exited = once(consumer.child, 'exit');
    consumer.child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0); // a clean shutdown after all that

    // Each type's events, by the counts that together count every event of it once.
    const counted: Record<string, number> = {};
    for (const type of EVENT_TYPES) {
      const figures = await queryPlaceFigures(pipeline.store, type, { level: 'city', code: CITY, ...PERIOD });
      counted[type.name] = type.rollup.eventsCountedBy.reduce((n, measure) => n + (figures[measure] ?? 0), 0);
    }
    const totals = Object.values(counted).reduce((n, v) => n + v, 0);
    const differences = await reconcile(pipeline.store, PERIOD);
    const lost = Math.max(0, counts.events - totals);
    const doubled = Math.max(0, totals - counts.events);
    console.log(
      `faults: events ${counts.events}, consumer kills ${tally.consumerKills}, producer kills ${tally.producerKills}, broker restarts ${tally.brokerRestarts}, ` +
        `unexpected exits ${tally.unexpectedExits}, lost ${lost}, double-counted ${doubled}, reconcile differences ${differences.length}`,
    );
    expect(tally.consumerKills).toBeGreaterThanOrEqual(3);
    expect(tally.brokerRestarts).toBe(1);
    expect(counted).toEqual(counts.eventsByType);
    expect(differences).toEqual([]);
  }, 1_500_000);
});
