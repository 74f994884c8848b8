import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ExactlyOnceHarness, SCENARIO_EVENTS, STATEMENTS } from './harness.ts';

/**
 * An in-process consumer restart mid-batch: a member's inserts reach ClickHouse but their answers
 * are lost, so it keeps retrying its batches; meanwhile another member joins and leaves (each a
 * rebalance), and more events arrive, so when the first member's consumer rejoins inside its
 * process and fetches again, the fetch runs further than the batch it had planned.
 */
describe('exactly once: a consumer restarted inside its process in the middle of a batch', () => {
  let harness: ExactlyOnceHarness;
  const dir = mkdtempSync(join(tmpdir(), 'govstats-eo-restart-'));

  beforeAll(async () => {
    harness = await ExactlyOnceHarness.open('eo-restart', dir, { brokers: inject('kafkaBrokers') });
  }, 600_000);
  afterAll(async () => harness?.close());

  it('replays the batch it had started, not a longer one under a new token', async () => {
    const stream = await harness.writeStream('stream.ndjson', SCENARIO_EVENTS);
    let answersLost = 0;
    let losing = true;
    const first = await harness.startMember('first', {
      decide: (statement) => {
        if (!losing || !STATEMENTS.rawInsert.test(statement)) return undefined;
        answersLost++;
        return { failAfterApplying: true };
      },
    });
    const producing = harness.produceInChunks(stream, 8, 2_000);
    while (answersLost === 0) await sleep(100);
    const second = await harness.startMember('second');
    await sleep(8_000);
    await harness.stopMember(second);
    await sleep(4_000);
    losing = false;
    await producing;
    await harness.waitUntilDrained(SCENARIO_EVENTS);
    await harness.stopMember(first);

    const verdict = await harness.verify();
    console.log(`exactly-once restart mid-batch: ${answersLost} insert answers lost after the insert applied; ${JSON.stringify(verdict)}`);
    expect(answersLost).toBeGreaterThan(0);
    expect(verdict).toEqual({ expected: SCENARIO_EVENTS, missing: 0, doubled: 0, unexpected: 0, reconcileDifferences: 0 });
  }, 900_000);
});
