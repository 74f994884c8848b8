import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ExactlyOnceHarness, SCENARIO_EVENTS, type IngestMember } from './harness.ts';

/** Three ingest processes in one group, scaled up and down every few seconds while events flow. */
describe('exactly once: members scaled up and down while events flow', () => {
  let harness: ExactlyOnceHarness;
  const dir = mkdtempSync(join(tmpdir(), 'govstats-eo-scale-'));
  const env = { INGEST_MAX_BYTES_PER_PARTITION: '262144' };

  beforeAll(async () => {
    harness = await ExactlyOnceHarness.open('eo-scale', dir, { brokers: inject('kafkaBrokers') });
  }, 600_000);
  afterAll(async () => harness?.close());

  it('counts every event once however the partitions move', async () => {
    const stream = await harness.writeStream('stream.ndjson', SCENARIO_EVENTS);
    const producing = harness.produceInChunks(stream, 12, 2_000);
    const running: IngestMember[] = [];
    const tally = { started: 0, stopped: 0, killed: 0 };
    let step = 0;
    for (;;) {
      const loaded = await harness.loadedEvents();
      if (loaded >= SCENARIO_EVENTS) break;
      // Up to three, down to one, back up: every change is a rebalance.
      const up = running.length === 0 || (running.length < 3 && step % 4 < 2);
      if (up) {
        running.push(await harness.startMember(`m${step}`, { env }));
        tally.started++;
      } else {
        const member = running.shift()!;
        // Mostly clean stops; every third one a kill, its batch left mid-way.
        if (step % 3 === 0) {
          member.child.kill('SIGKILL');
          await member.exited;
          tally.killed++;
        } else {
          await harness.stopMember(member);
          tally.stopped++;
        }
      }
      step++;
      // A few seconds, and some progress: a change every 3 s with nothing loaded in between
      // would be a rebalance storm, which tests patience rather than exactly-once.
      const changedAt = Date.now();
      while (Date.now() - changedAt < 3_000 || ((await harness.loadedEvents()) === loaded && Date.now() - changedAt < 20_000))
        await sleep(250);
    }
    await producing;
    if (running.length === 0) running.push(await harness.startMember('last', { env }));
    await harness.waitUntilDrained(SCENARIO_EVENTS);
    for (const member of running) await harness.stopMember(member);

    const verdict = await harness.verify();
    console.log(`exactly-once scale up and down: ${JSON.stringify(tally)}; ${JSON.stringify(verdict)}`);
    expect(tally.started + tally.stopped + tally.killed).toBeGreaterThanOrEqual(4);
    expect(verdict).toEqual({ expected: SCENARIO_EVENTS, missing: 0, doubled: 0, unexpected: 0, reconcileDifferences: 0 });
  }, 1_200_000);
});
