import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { queryRows } from '@govstats/store';
import { SESSION_TIMEOUT_MS } from '@govstats/kafka';
import { EVENT_TYPES } from '@govstats/schemas';
import { ExactlyOnceHarness, SCENARIO_EVENTS } from './harness.ts';

const GRID_VISITS = EVENT_TYPES.find((t) => t.name === 'grid-visit')!.rawTable.name;

/** Small enough that the other members go past it while the zombie sleeps. */
const DEDUP_WINDOW = 5;

/**
 * The zombie: a member stopped with SIGSTOP as it sends a raw insert, past its session timeout,
 * while the others take its partitions over and load more than the dedup window of blocks into
 * the same tables; then resumed with SIGCONT, and its insert delivered.
 */
describe('exactly once: a member paused past its session timeout, then resumed', () => {
  let harness: ExactlyOnceHarness;
  const dir = mkdtempSync(join(tmpdir(), 'govstats-eo-zombie-'));
  const smallBatches = { INGEST_MAX_BYTES_PER_PARTITION: '65536' };

  beforeAll(async () => {
    harness = await ExactlyOnceHarness.open('eo-zombie', dir, { brokers: inject('kafkaBrokers'), dedupWindow: DEDUP_WINDOW });
  }, 600_000);
  afterAll(async () => harness?.close());

  /** Grid-visit batches loaded since `since`: about one block each into the zombie's raw table. */
  async function gridVisitBatchesSince(since: number): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      harness.pipeline.store.client,
      `SELECT count() AS n FROM ingest_batches WHERE endsWith(kafka_topic, '.grid-visit') AND finished_at > fromUnixTimestamp64Milli(${since})`,
    );
    return Number(row?.n ?? 0);
  }

  it('never lets the zombie land what the others loaded meanwhile', async () => {
    await harness.produce(await harness.writeStream('stream.ndjson', SCENARIO_EVENTS));
    let stoppedAt = 0;
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const zombie = await harness.startMember('zombie', {
      env: smallBatches,
      decide: (statement, member) => {
        // Its first grid-visit insert (the busiest table): the member stops right after sending
        // it, and the insert reaches ClickHouse only when the member runs again — past any check
        // the member could make on its side.
        if (stoppedAt > 0 || !statement.startsWith(`INSERT INTO ${GRID_VISITS} `)) return undefined;
        stoppedAt = Date.now();
        member.child.kill('SIGSTOP');
        return { holdUntil: resumed };
      },
    });
    while (stoppedAt === 0) await sleep(100);
    const others = [await harness.startMember('a', { env: smallBatches }), await harness.startMember('b', { env: smallBatches })];
    // Past the session timeout, and everything loaded by the others, the zombie's batch included.
    while (Date.now() - stoppedAt < SESSION_TIMEOUT_MS + 5_000 || (await harness.loadedEvents()) < SCENARIO_EVENTS) await sleep(500);
    const loadedMeanwhile = await gridVisitBatchesSince(stoppedAt);
    zombie.child.kill('SIGCONT');
    resume();
    await harness.waitUntilDrained(SCENARIO_EVENTS);
    await sleep(5_000); // whatever the zombie still does, it does now
    for (const member of [...others, zombie]) await harness.stopMember(member);

    const verdict = await harness.verify();
    console.log(
      `exactly-once zombie: paused ${Math.round((Date.now() - stoppedAt) / 1000)} s, ${loadedMeanwhile} batches loaded by the others meanwhile (window ${DEDUP_WINDOW}); ${JSON.stringify(verdict)}`,
    );
    expect(loadedMeanwhile).toBeGreaterThan(DEDUP_WINDOW);
    expect(verdict).toEqual({ expected: SCENARIO_EVENTS, missing: 0, doubled: 0, unexpected: 0, reconcileDifferences: 0 });
  }, 900_000);
});
