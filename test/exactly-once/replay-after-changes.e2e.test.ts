import { mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { chinaTimestamp, EVENT_TYPES } from '@govstats/schemas';
import { queryRows } from '@govstats/store';
import { COUNTY, ExactlyOnceHarness, SCENARIO_EVENTS, STATEMENTS } from './harness.ts';

/**
 * A consumer killed between the raw insert and the ledger write, its batch replayed by another
 * member after the division catalogue and the clock have both changed so that the batch would
 * now be accepted differently: an event whose subject the catalogue now knows, events whose time
 * is no longer in the future. The replay must load what the first attempt planned, no more.
 */
describe('exactly once: replay after the catalogue and the clock changed', () => {
  let harness: ExactlyOnceHarness;
  const dir = mkdtempSync(join(tmpdir(), 'govstats-eo-replay-'));

  beforeAll(async () => {
    harness = await ExactlyOnceHarness.open('eo-replay', dir, { brokers: inject('kafkaBrokers') });
  }, 600_000);
  afterAll(async () => harness?.close());

  it('counts every accepted event once; what the first attempt refused stays refused', async () => {
    // A village code the catalogue does not know yet, under the county's first township.
    const [place] = await queryRows<{ candidate: string }>(
      harness.pipeline.store.client,
      `SELECT concat(substring(t.code, 1, 9), toString(599 - n.number)) AS candidate
FROM (SELECT code FROM divisions WHERE level = 'township' AND startsWith(code, '${COUNTY.slice(0, 6)}') ORDER BY code LIMIT 1) AS t, numbers(99) AS n
WHERE candidate NOT IN (SELECT code FROM divisions) LIMIT 1`,
    );
    const newVillage = place!.candidate;
    // Grid visits only, the tricky ones too: the first attempt's first batches (whichever partitions
    // they are) then hold head and tricky events alike, however many types the registry has.
    const gridVisits = (event: Record<string, unknown>) => String(event.type).startsWith('govstats.grid-visit.');
    const main = await harness.writeStream('main.ndjson', SCENARIO_EVENTS, undefined, gridVisits);
    // A little of the stream, then the tricky events, then the consumer: its first batches hold
    // both, so the first attempt accepts some events (and reaches the ledger) and refuses these.
    const [head, rest] = harness.splitStream(main, 1_000);
    await harness.produce(head);
    const futureAt = Date.now() + 30_000;
    const tricky = await harness.writeStream(
      'tricky.ndjson',
      240,
      (event, i) =>
        i % 2 === 0
          ? { ...event, id: `${String(event.id)}-new-place`, subject: newVillage }
          : { ...event, id: `${String(event.id)}-future`, time: chinaTimestamp(futureAt) },
      gridVisits,
    );
    await harness.produce(tricky);
    const trickyIds = new Set(harness.sent.slice(-240).map((e) => e.id));

    let killed = false;
    let killedAt = 0;
    const first = await harness.startMember('first', {
      env: { FUTURE_TOLERANCE_SECONDS: '0' },
      decide: (statement, member) => {
        if (killed || !STATEMENTS.ledgerInsert.test(statement)) return undefined;
        killed = true;
        killedAt = Date.now();
        member.child.kill('SIGKILL');
        return { drop: true };
      },
    });
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    await harness.produce(rest);

    // The catalogue learns the new village; the clock passes the "future" times.
    const overlay = join(dir, 'overlay.csv');
    writeFileSync(overlay, `code,name\n${newVillage},新设村\n`);
    const load = harness.govstats(['divisions', 'load', overlay]);
    expect((await once(load, 'exit'))[0]).toBe(0);
    while (Date.now() < futureAt + 2_000) await sleep(250);

    const second = await harness.startMember('second', { env: { FUTURE_TOLERANCE_SECONDS: '0' } });
    await harness.waitUntilDrained(SCENARIO_EVENTS);
    await harness.stopMember(second);

    // Batches the first attempt planned (their intents) must be loaded as planned then: their
    // tricky events refused. Batches it never reached are planned afresh, with today's facts.
    const client = harness.pipeline.store.client;
    type Placed = { event_id: string; kafka_topic: string; kafka_partition: number; kafka_offset: string };
    type Range = { kafka_topic: string; kafka_partition: number; first_offset: string; last_offset: string; now: string };
    const ranges = await queryRows<Range>(
      client,
      `SELECT kafka_topic, kafka_partition, first_offset, last_offset, JSONExtractUInt(facts, 'now') AS now FROM ingest_intents FINAL WHERE created_at <= fromUnixTimestamp64Milli(${killedAt + 500})`,
    );
    const rangeOf = (row: { kafka_topic: string; kafka_partition: number; kafka_offset: string }) =>
      ranges.find(
        (r) =>
          r.kafka_topic === row.kafka_topic &&
          Number(r.kafka_partition) === Number(row.kafka_partition) &&
          BigInt(row.kafka_offset) >= BigInt(r.first_offset) &&
          BigInt(row.kafka_offset) <= BigInt(r.last_offset),
      );
    const inFirstAttempt = (row: Placed) => rangeOf(row) !== undefined;
    // What the first attempt's plan said of a tricky event: an unknown place is refused; a time
    // is refused when still ahead of the clock the plan recorded (on a loaded machine the first
    // attempt may start after futureAt, and then rightly accepts those). A second either side of
    // it (event times are whole seconds) is left out.
    const plannedRefusal = (row: Placed): boolean | undefined => {
      const range = rangeOf(row);
      if (!range || row.event_id.endsWith('-new-place')) return range ? true : undefined;
      const ahead = futureAt - Number(range.now);
      return Math.abs(ahead) < 1_000 ? undefined : ahead > 0;
    };
    const ids = `splitByChar(',', '${[...trickyIds].join(',')}')`;
    const loaded = await queryRows<Placed>(
      client,
      `SELECT event_id, kafka_topic, kafka_partition, kafka_offset FROM merge(currentDatabase(), '^(${EVENT_TYPES.map((t) => t.rawTable.name).join('|')})$') WHERE event_id IN ${ids}`,
    );
    const refused = await queryRows<Placed & { reason: string }>(
      client,
      `SELECT event_id, kafka_topic, kafka_partition, kafka_offset, reason FROM dead_letters FINAL WHERE event_id IN ${ids}`,
    );
    const loadedIds = new Set(loaded.map((row) => row.event_id));
    const verdict = await harness.verify((event) => !trickyIds.has(event.id) || loadedIds.has(event.id));
    const summary = {
      intentsOfFirstAttempt: ranges.length,
      trickyRefusedAsPlanned: refused.filter((row) => plannedRefusal(row) === true).length,
      trickyLoadedAsPlanned: loaded.filter((row) => plannedRefusal(row) === false).length,
      trickyLoadedAgainstThePlan: loaded.filter((row) => plannedRefusal(row) === true).length,
      trickyRefusedAgainstThePlan: refused.filter((row) => plannedRefusal(row) === false).length,
      trickyLoadedLater: loaded.filter((row) => !inFirstAttempt(row)).length,
      trickyRefusedLater: refused.filter((row) => !inFirstAttempt(row)).length,
    };
    console.log(
      `exactly-once replay after changes: ${JSON.stringify(verdict)} ${JSON.stringify(summary)}; first attempt planned ${ranges.map((r) => Number(r.now) - futureAt).join(', ')} ms from the future time`,
    );
    expect(verdict).toEqual({ expected: verdict.expected, missing: 0, doubled: 0, unexpected: 0, reconcileDifferences: 0 });
    expect(verdict.expected).toBeGreaterThanOrEqual(SCENARIO_EVENTS);
    expect(summary.trickyRefusedAsPlanned).toBeGreaterThan(0);
    expect(summary.trickyLoadedAgainstThePlan).toBe(0);
    expect(summary.trickyRefusedAgainstThePlan).toBe(0);
    expect(summary.trickyRefusedLater).toBe(0);
    expect(loaded.length + refused.length).toBe(240);
  }, 900_000);
});
