import { describe, expect, it } from 'vitest';
import { createWriteLease } from '@govstats/kafka';
import type { SourceBatch, SourceMessage } from '@govstats/kafka';
import { EVENT_TYPES } from '@govstats/schemas';
import { isAtLeast } from '@govstats/store';
import { recordedPlaces, recordingPlaces } from '../src/batch-facts.ts';
import { planLoad, type AcceptedEvent } from '../src/load-events.ts';
import { RangeBuffer } from '../src/range-buffer.ts';

const gridVisit = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;

function message(offset: number): SourceMessage {
  return { offset: String(offset), key: null, value: Buffer.from(`m${offset}`), headers: {} };
}

function event(id: string, source: string, offset: number): AcceptedEvent {
  return {
    eventType: gridVisit,
    eventId: id,
    occurredAt: Date.parse('2024-05-01T00:00:00Z'),
    row: { event_id: id, source },
    message: message(offset),
  };
}

function batch(from: number, to: number): SourceBatch {
  return { topic: 't', partition: 0, messages: Array.from({ length: to - from + 1 }, (_, i) => message(from + i)) };
}

describe('a plan depends only on its events and recorded facts', () => {
  it('keeps events of two sources that share an id, and drops a repeat of the same source and id', () => {
    const plan = planLoad([event('1', 'urn:a', 0), event('1', 'urn:b', 1), event('1', 'urn:a', 2)], new Set());
    expect(plan.inserts.flatMap((i) => i.events.map((e) => e.message.offset))).toEqual(['0', '1']);
    expect(plan.duplicates).toBe(1);
  });

  it('drops the offsets the ledger listed when the plan was made, and gives the same token every time', () => {
    const events = [event('1', 's', 0), event('2', 's', 1), event('3', 's', 2)];
    const first = planLoad(events, new Set(['1']));
    const again = planLoad(events, new Set(['1']));
    expect(first.inserts[0]!.events.map((e) => e.eventId)).toEqual(['1', '3']);
    expect(again.inserts[0]!.token).toBe(first.inserts[0]!.token);
    expect(planLoad(events, new Set()).inserts[0]!.token).not.toBe(first.inserts[0]!.token);
  });

  it('replays place answers as recorded, whatever the catalogue says now', () => {
    const catalogue = new Map([['330800000001', { code: '330800000001', area: 'urban' }]]);
    const recording = recordingPlaces({ resolve: (subject) => catalogue.get(subject) });
    recording.lookup.resolve('330800000001');
    recording.lookup.resolve('330800000002');
    // The catalogue learns the second place and moves the first one after the batch was planned.
    catalogue.set('330800000002', { code: '330800000002', area: 'rural' });
    catalogue.set('330800000001', { code: '330800000009', area: 'rural' });
    const replay = recordedPlaces(JSON.parse(JSON.stringify(recording.answers)) as typeof recording.answers);
    expect(replay.resolve('330800000001')).toEqual({ code: '330800000001', area: 'urban' });
    expect(replay.resolve('330800000002')).toBeUndefined();
  });
});

describe('a recorded range that arrives over several fetches', () => {
  it('is joined in order, and started over when a fetch goes back', () => {
    const buffer = new RangeBuffer();
    buffer.keep(batch(10, 12));
    expect(buffer.join(batch(13, 15)).messages.map((m) => m.offset)).toEqual(['10', '11', '12', '13', '14', '15']);
    buffer.keep(batch(10, 12));
    expect(buffer.join(batch(10, 20)).messages).toHaveLength(11);
    expect(buffer.join(batch(30, 31)).messages).toHaveLength(2);
  });
});

describe('the write lease', () => {
  it('ends a lease after the last confirmed heartbeat, and renews only when running low', async () => {
    let now = 1_000_000;
    let heartbeats = 0;
    const lease = createWriteLease(
      async () => void heartbeats++,
      { leaseMs: 20_000, heartbeatIntervalMs: 3_000 },
      () => now,
    );
    expect(lease.deadline()).toBeLessThan(now);
    await lease.renew();
    expect(heartbeats).toBe(1);
    expect(lease.deadline()).toBe(now - 3_000 + 20_000);
    now += 5_000;
    await lease.renew();
    expect(heartbeats).toBe(1);
    now += 10_000;
    await lease.renew();
    expect(heartbeats).toBe(2);
    expect(lease.deadline()).toBe(now + 17_000);
  });

  it('keeps writing on a heartbeat lost to a moving coordinator while the lease lasts, not after', async () => {
    let now = 1_000_000;
    let failing = false;
    const lease = createWriteLease(
      async () => (failing ? Promise.reject(new Error('This is not the correct coordinator for this group')) : undefined),
      { leaseMs: 20_000, heartbeatIntervalMs: 3_000 },
      () => now,
    );
    await lease.renew();
    const deadline = lease.deadline();
    failing = true;
    now += 12_000;
    await lease.renew();
    expect(lease.deadline()).toBe(deadline);
    now += 10_000;
    await expect(lease.renew()).rejects.toThrow(/coordinator/);
  });

  it('passes on the error of a heartbeat refused because the member left the group', async () => {
    const lease = createWriteLease(async () => Promise.reject(new Error('The coordinator is not aware of this member')), {
      leaseMs: 20_000,
      heartbeatIntervalMs: 3_000,
    });
    await expect(lease.renew()).rejects.toThrow(/not aware/);
  });
});

describe('the ClickHouse version floor', () => {
  it('compares release numbers, not strings', () => {
    expect(isAtLeast('26.7.2.1', '24.8')).toBe(true);
    expect(isAtLeast('24.8.1', '24.8')).toBe(true);
    expect(isAtLeast('24.10.1', '24.8')).toBe(true);
    expect(isAtLeast('24.3.5', '24.8')).toBe(false);
    expect(isAtLeast('23.12', '24.8')).toBe(false);
  });
});
