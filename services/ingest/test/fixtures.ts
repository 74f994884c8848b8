import type { SourceBatch, SourceMessage } from '@govstats/kafka';
import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import type { PlaceLookup } from '../src/decode-message.ts';

/** 三门峡市 卢氏县: a village, and a code of an earlier edition retired into it. */
export const VILLAGE = '411224104201';
export const RETIRED_VILLAGE = '411224104299';
export const TOWNSHIP = '411224104000';

export const GRID_TOPIC = 'govstats.grid-visit';
export const SALE_TOPIC = 'govstats.cooperative-sale';

export function eventType(name: string): EventTypeDefinition {
  const found = EVENT_TYPES.find((t) => t.name === name);
  if (!found) throw new Error(`no event type ${name}`);
  return found;
}

/** A valid v1 grid visit (unless `overrides` breaks it). */
export function gridVisit(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'urn:govstats:test',
    type: 'govstats.grid-visit.v1',
    time: '2024-06-03T10:00:00+08:00',
    subject: VILLAGE,
    data: {
      grid_id: 'G01',
      member_id: 'gm000001',
      household_id: null,
      kind: 'patrol',
      issues_found: 0,
      hazards_found: 0,
      duration_minutes: 10,
    },
    ...overrides,
  };
}

/** A valid v1 cooperative sale. */
export function sale(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'urn:govstats:test',
    type: 'govstats.cooperative-sale.v1',
    time: '2024-06-03T10:00:00+08:00',
    subject: VILLAGE,
    data: { cooperative_id: 'coop_a', product: '香菇', quantity: 100, unit: 'kg', amount_fen: 160_000, channel: 'e_commerce' },
    ...overrides,
  };
}

/** A Kafka message: objects are sent as JSON, strings and buffers as they are. */
export function message(offset: number | string, value: unknown, headers: SourceMessage['headers'] = {}): SourceMessage {
  const bytes =
    value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return { offset: String(offset), key: Buffer.from(VILLAGE), value: bytes, headers };
}

/** Messages at consecutive offsets from `first`. */
export function batchOf(topic: string, first: number, values: unknown[], partition = 0): SourceBatch {
  return { topic, partition, messages: values.map((value, i) => message(first + i, value)) };
}

/** A catalogue of a few places, changeable between calls like the real one between editions. */
export function placesOf(entries: Record<string, { code: string; area: string }>): PlaceLookup & { entries: typeof entries } {
  return { entries, resolve: (subject) => entries[subject] };
}

export const defaultPlaces = () =>
  placesOf({
    [VILLAGE]: { code: VILLAGE, area: 'rural' },
    [RETIRED_VILLAGE]: { code: VILLAGE, area: 'rural' },
    [TOWNSHIP]: { code: TOWNSHIP, area: '' },
  });
