import { describe, expect, it } from 'vitest';
import type { SourceBatch } from '@govstats/kafka';
import type { EventTypeDefinition } from '@govstats/schemas';
import { messageDigest, recordedPlaces, recordingPlaces, type BatchFacts } from '../src/batch-facts.ts';
import { decideFromIntent, decodeBatch, type DecodeFacts } from '../src/batch-planner.ts';
import { storeRefusals } from '../src/batch-protocol.ts';
import type { PlaceLookup } from '../src/decode-message.ts';
import { MONTHS_PER_INSERT, planLoad, type AcceptedEvent } from '../src/load-events.ts';
import { RangeBuffer } from '../src/range-buffer.ts';
import { GRID_TOPIC, RETIRED_VILLAGE, VILLAGE, batchOf, defaultPlaces, eventType, gridVisit, sale } from './fixtures.ts';

const NOW = Date.parse('2024-06-10T00:00:00Z');
const offsets = (batch: SourceBatch) => batch.messages.map((m) => m.offset);

function decodeFacts(places: PlaceLookup, now = NOW, topicType: EventTypeDefinition | undefined = eventType('grid-visit')): DecodeFacts {
  return { topicType, places, now, maxEventBytes: 64 * 1024, futureToleranceMs: 5 * 60_000 };
}

/** Decoded on the unrouted topic, which takes every type. */
const accept = (values: unknown[], places: PlaceLookup = defaultPlaces()): AcceptedEvent[] =>
  decodeBatch(batchOf('govstats.unrouted', 0, values), { ...decodeFacts(places), topicType: undefined }).accepted;

describe('decoding a batch', () => {
  it('keeps every message, in order, either accepted as a row or refused with its reason', () => {
    const batch = batchOf(GRID_TOPIC, 100, [gridVisit('a'), '{ not json', gridVisit('b', { subject: '411224104202' }), gridVisit('c')]);
    const { accepted, rejected } = decodeBatch(batch, decodeFacts(defaultPlaces()));
    expect(accepted.map((e) => [e.message.offset, e.eventId, e.row.kafka_offset])).toEqual([
      ['100', 'a', '100'],
      ['103', 'c', '103'],
    ]);
    expect(rejected.map((r) => [r.message.offset, r.reason])).toEqual([
      ['101', 'unparseable'],
      ['102', 'unknown_division'],
    ]);
  });
});

describe('the replay rule: a batch with an intent covers exactly the intent\u2019s range', () => {
  const batch = batchOf(GRID_TOPIC, 10, [gridVisit('a'), gridVisit('b'), gridVisit('c'), gridVisit('d')]);
  const facts = (first = batch.messages[0]!): BatchFacts => ({
    version: 1,
    now: NOW,
    maxEventBytes: 1024,
    futureToleranceMs: 0,
    places: {},
    loadedBefore: [],
    firstMessage: messageDigest(first),
  });

  it('plans afresh (and records an intent) when no attempt recorded one', () => {
    expect(decideFromIntent(batch, undefined)).toEqual({ plan: 'afresh', batch, otherMessages: false });
  });

  it('replays only the recorded range when the fetch brought more', () => {
    const decision = decideFromIntent(batch, { last: '11', facts: facts() });
    expect(decision.plan).toBe('replay');
    if (decision.plan !== 'replay') return;
    expect(offsets(decision.batch)).toEqual(['10', '11']);
    expect(decision.facts).toEqual(facts());
  });

  it('replays the whole fetch when it ends where the intent does', () => {
    const decision = decideFromIntent(batch, { last: '13', facts: facts() });
    expect(decision.plan === 'replay' && offsets(decision.batch)).toEqual(['10', '11', '12', '13']);
  });

  it('fetches the rest first when the range goes on past the fetch', () => {
    expect(decideFromIntent(batch, { last: '20', facts: facts() })).toEqual({ plan: 'fetch-rest', fetchFrom: '14' });
  });

  it('replays an intent written before facts were recorded, without facts (today\u2019s are used)', () => {
    const decision = decideFromIntent(batch, { last: '12', facts: undefined });
    expect(decision).toMatchObject({ plan: 'replay', facts: undefined });
    expect(decision.plan === 'replay' && offsets(decision.batch)).toEqual(['10', '11', '12']);
  });

  it('plans afresh when the intent at this offset was recorded for other bytes (topic recreated)', () => {
    const other = batchOf(GRID_TOPIC, 10, [gridVisit('z')]).messages[0]!;
    expect(decideFromIntent(batch, { last: '11', facts: facts(other) })).toEqual({ plan: 'afresh', batch, otherMessages: true });
  });

  it('completes a range that arrives over several fetches, and then replays exactly it', () => {
    const ranges = new RangeBuffer();
    const intent = { last: '15', facts: facts() };
    const firstFetch = batchOf(GRID_TOPIC, 10, [gridVisit('a'), gridVisit('b'), gridVisit('c')]);
    const wait = decideFromIntent(ranges.join(firstFetch), intent);
    expect(wait).toEqual({ plan: 'fetch-rest', fetchFrom: '13' });
    ranges.keep(firstFetch);
    const joined = ranges.join(
      batchOf(
        GRID_TOPIC,
        13,
        ['d', 'e', 'f', 'g', 'h'].map((id) => gridVisit(id)),
      ),
    );
    const decision = decideFromIntent(joined, intent);
    expect(decision.plan === 'replay' && offsets(decision.batch)).toEqual(['10', '11', '12', '13', '14', '15']);
  });
});

describe('a replay from recorded facts', () => {
  it('plans the blocks, tokens and refusals of the first attempt, though the catalogue and the clock moved on', () => {
    const batch = batchOf(GRID_TOPIC, 0, [
      gridVisit('a'),
      gridVisit('b', { subject: '411224104202' }), // unknown when first planned
      gridVisit('c', { time: '2024-06-10T09:00:00+08:00' }), // in the future when first planned
      gridVisit('d'),
    ]);
    const catalogue = defaultPlaces();
    const recording = recordingPlaces(catalogue);
    const first = decodeBatch(batch, decodeFacts(recording.lookup, NOW));
    const loadedBefore = ['3']; // the ledger listed d when the batch was first planned
    const firstPlan = planLoad(first.accepted, new Set(loadedBefore));
    const facts: BatchFacts = JSON.parse(
      JSON.stringify({
        version: 1,
        now: NOW,
        maxEventBytes: 64 * 1024,
        futureToleranceMs: 5 * 60_000,
        places: recording.answers,
        loadedBefore,
        firstMessage: messageDigest(batch.messages[0]!),
      }),
    );

    // Since then: a new edition knows b's place and moved a's, and the clock passed c's time.
    catalogue.entries['411224104202'] = { code: '411224104202', area: 'urban' };
    catalogue.entries[VILLAGE] = { code: VILLAGE, area: 'urban' };
    const later = NOW + 86_400_000;

    const replay = decodeBatch(batch, decodeFacts(recordedPlaces(facts.places), facts.now));
    const replayPlan = planLoad(replay.accepted, new Set(facts.loadedBefore));
    expect(replayPlan.inserts.map((i) => i.token)).toEqual(firstPlan.inserts.map((i) => i.token));
    expect(replayPlan.inserts.flatMap((i) => i.events.map((e) => e.row))).toEqual(
      firstPlan.inserts.flatMap((i) => i.events.map((e) => e.row)),
    );
    expect(replay.rejected.map((r) => r.reason)).toEqual(['unknown_division', 'future_time']);
    expect(replayPlan.duplicates).toBe(1);

    // Today's facts would plan something else: what the recorded facts prevent.
    const today = decodeBatch(batch, decodeFacts(catalogue, later));
    const todayPlan = planLoad(today.accepted, new Set());
    expect(today.rejected).toEqual([]);
    expect(todayPlan.inserts[0]!.token).not.toBe(firstPlan.inserts[0]!.token);
  });
});

describe('planning the inserts', () => {
  it('puts each event type in its own raw table, one block each', () => {
    const plan = planLoad(accept([gridVisit('a'), sale('s'), gridVisit('b')]), new Set());
    expect(plan.inserts.map((i) => [i.table, i.events.map((e) => e.eventId)])).toEqual([
      [eventType('grid-visit').rawTable.name, ['a', 'b']],
      [eventType('cooperative-sale').rawTable.name, ['s']],
    ]);
    expect(plan.duplicates).toBe(0);
  });

  it('counts repeats in the batch and events the ledger listed as duplicates', () => {
    const plan = planLoad(accept([gridVisit('a'), gridVisit('a'), gridVisit('b'), gridVisit('c')]), new Set(['2']));
    expect(plan.inserts.flatMap((i) => i.events.map((e) => e.eventId))).toEqual(['a', 'c']);
    expect(plan.duplicates).toBe(2);
  });

  it(`cuts a backfill into blocks of at most ${MONTHS_PER_INSERT} China months, earliest first`, () => {
    // One event in each of 100 months from January 2016, then one at 01:00 China time on
    // 1 May 2024: still April in UTC, a 101st month in China, where rollups bucket days.
    const monthly = Array.from({ length: MONTHS_PER_INSERT }, (_, m) =>
      gridVisit(`m${m}`, { time: `${2016 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-15T10:00:00+08:00` }),
    );
    const events = accept([gridVisit('may-first', { time: '2024-05-01T01:00:00+08:00' }), ...monthly]);
    const plan = planLoad(events, new Set());
    expect(plan.inserts.map((i) => i.events.length)).toEqual([MONTHS_PER_INSERT, 1]);
    expect(plan.inserts[1]!.events[0]!.eventId).toBe('may-first');
    expect(plan.inserts[0]!.token).not.toBe(plan.inserts[1]!.token);
    // Without the extra month it is one block, whatever the order of the events.
    expect(planLoad(accept(monthly.reverse()), new Set()).inserts).toHaveLength(1);
  });
});

describe('events the store refuses for good', () => {
  it('become store_rejected refusals naming the event, its contract version and subject as sent', () => {
    const [event] = accept([gridVisit('r1', { subject: RETIRED_VILLAGE })]);
    const [refusal] = storeRefusals([
      { event: event!, error: { message: 'x'.repeat(3000), type: 'VIOLATED_CONSTRAINT', permanent: true, leaseExpired: false } },
    ]);
    expect(refusal).toMatchObject({
      reason: 'store_rejected',
      eventId: 'r1',
      eventType: 'govstats.grid-visit.v1',
      subject: RETIRED_VILLAGE,
      message: event!.message,
    });
    expect(refusal!.detail.startsWith('VIOLATED_CONSTRAINT: xxx')).toBe(true);
    expect(refusal!.detail).toHaveLength(2000);
  });
});
