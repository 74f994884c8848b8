import type { Division } from '@govstats/divisions';
import { DAY, EVENT_TYPES, Random } from '@govstats/schemas';
import { toEnvelope } from '../envelope.ts';
import { corruptEvent } from './corrupt.ts';
import { sampleVillage } from './sample-villages.ts';

export interface SampleOptions {
  villages: Division[];
  /** Inclusive local dates, YYYY-MM-DD. */
  from: string;
  to: string;
  seed: number;
  /** Share of events replaced by a broken variant, 0..1. */
  invalidShare?: number;
  /** Share of events sent a second time, 0..1. */
  duplicateShare?: number;
}

export interface SampleCounts {
  lines: number;
  valid: number;
  invalid: number;
  duplicates: number;
  validByType: Record<string, number>;
}

const SOURCE = 'urn:govstats:producer:sample';

/** Midnight in Asia/Shanghai of a YYYY-MM-DD date, as epoch milliseconds. */
export function chinaMidnight(date: string): number {
  const ms = Date.parse(`${date}T00:00:00+08:00`);
  if (Number.isNaN(ms)) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  return ms;
}

/** Deterministic UUID-shaped id from the sample's PRNG. */
function eventId(random: Random): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random.next() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * NDJSON lines of a realistic event stream, day by day, yielded as they are made so a long
 * period never sits in memory. `counts` tells what was produced once the generator is done.
 */
export function* generateSample(options: SampleOptions, counts: SampleCounts): Generator<string> {
  const random = new Random(options.seed);
  const villages = options.villages.map((v) => sampleVillage(v, options.seed));
  const recent: string[] = [];
  for (let dayStart = chinaMidnight(options.from); dayStart <= chinaMidnight(options.to); dayStart += DAY) {
    for (const village of villages) {
      for (const type of EVENT_TYPES) {
        for (const sampled of type.sampleDay({ random, village, dayStart })) {
          const event = toEnvelope(type, { id: eventId(random), subject: village.code, time: sampled.time, data: sampled.data }, SOURCE);
          counts.lines++;
          if (random.chance(options.invalidShare ?? 0)) {
            counts.invalid++;
            yield corruptEvent(event, random);
            continue;
          }
          const line = JSON.stringify(event);
          counts.valid++;
          counts.validByType[type.name] = (counts.validByType[type.name] ?? 0) + 1;
          recent.push(line);
          if (recent.length > 200) recent.shift();
          yield line;
          if (random.chance(options.duplicateShare ?? 0)) {
            counts.lines++;
            counts.duplicates++;
            yield random.pick(recent);
          }
        }
      }
    }
  }
}

export function emptySampleCounts(): SampleCounts {
  return { lines: 0, valid: 0, invalid: 0, duplicates: 0, validByType: {} };
}
