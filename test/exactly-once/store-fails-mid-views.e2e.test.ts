import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { EVENT_TYPES } from '@govstats/schemas';
import { queryRows, runCommand } from '@govstats/store';
import { ExactlyOnceHarness, SCENARIO_EVENTS } from './harness.ts';

/**
 * The store fails after the raw insert, before every rollup view has finished: one more view on
 * the grid-visit raw table throws while a switch is on, so the insert returns an error after the
 * raw block (and perhaps some rollups) were written. Two members keep retrying; once the switch is
 * off, every rollup must hold each event once.
 */
describe('exactly once: the store fails between the raw insert and the rollup views', () => {
  let harness: ExactlyOnceHarness;
  const dir = mkdtempSync(join(tmpdir(), 'govstats-eo-views-'));
  const raw = EVENT_TYPES[0]!.rawTable.name;

  beforeAll(async () => {
    harness = await ExactlyOnceHarness.open('eo-views', dir, { brokers: inject('kafkaBrokers') });
    const client = harness.pipeline.store.client;
    await runCommand(client, 'CREATE TABLE fault_switch (on UInt8) ENGINE = MergeTree ORDER BY tuple()');
    await runCommand(client, 'CREATE TABLE fault_sink (n UInt64) ENGINE = Null');
    await runCommand(
      client,
      `CREATE MATERIALIZED VIEW fault_mv TO fault_sink AS
SELECT count() AS n FROM ${raw} WHERE throwIf((SELECT count() FROM fault_switch) > 0, 'injected: the store failed while the rollup views ran') = 0`,
    );
  }, 600_000);
  afterAll(async () => harness?.close());

  it('completes the rollups on retry without counting anything twice', async () => {
    const client = harness.pipeline.store.client;
    await runCommand(client, 'INSERT INTO fault_switch VALUES (1)');
    const stream = await harness.writeStream('stream.ndjson', SCENARIO_EVENTS);
    const members = [await harness.startMember('a'), await harness.startMember('b')];
    await harness.produce(stream);
    // Let the members run into the failure, with raw rows written behind it.
    const deadline = Date.now() + 60_000;
    let rawRows = 0;
    while (Date.now() < deadline) {
      rawRows = Number((await queryRows<{ n: string }>(client, `SELECT count() AS n FROM ${raw}`))[0]!.n);
      if (rawRows > 0) break;
      await sleep(250);
    }
    await sleep(3_000);
    const ledgerDuringFault = await harness.loadedEvents();
    await runCommand(client, 'TRUNCATE TABLE fault_switch');
    await harness.waitUntilDrained(SCENARIO_EVENTS);
    for (const member of members) await harness.stopMember(member);

    const verdict = await harness.verify();
    console.log(
      `exactly-once store failing mid-views: ${rawRows} raw grid-visit rows written before any batch of them finished, ledger ${ledgerDuringFault} during the fault; ${JSON.stringify(verdict)}`,
    );
    expect(rawRows).toBeGreaterThan(0);
    expect(verdict).toEqual({ expected: SCENARIO_EVENTS, missing: 0, doubled: 0, unexpected: 0, reconcileDifferences: 0 });
  }, 900_000);
});
