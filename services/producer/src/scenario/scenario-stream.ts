import { Random, type Envelope } from '@govstats/schemas';
import { corruptEvent } from './corrupt.ts';
import { scenarioEvents, type PreparedScenario } from './generate-scenario.ts';

export interface ScenarioCounts {
  /** Valid events, each counted once in the rollups. */
  events: number;
  /** Lines produced: events plus every injected fault. */
  lines: number;
  invalid: number;
  duplicates: number;
  outOfOrder: number;
  late: number;
  eventsByType: Record<string, number>;
}

export function emptyScenarioCounts(): ScenarioCounts {
  return { events: 0, lines: 0, invalid: 0, duplicates: 0, outOfOrder: 0, late: 0, eventsByType: {} };
}

const HOLD_BACK = 500;

/**
 * The scenario as NDJSON lines, with the faults `inject` asks for added on top of the valid events
 * (so targets still hold): broken copies, repeats, events held back a while (out of order), and
 * events held to the very end (late). Buffers are bounded except the late ones, a fixed share.
 */
export function* scenarioLines(prepared: PreparedScenario, counts: ScenarioCounts): Generator<string> {
  const { inject } = prepared.scenario;
  const random = new Random(prepared.seed ^ 0x5eed);
  const recent: string[] = [];
  const heldBack: string[] = [];
  const late: string[] = [];
  const out = function* (line: string): Generator<string> {
    counts.lines++;
    yield line;
  };
  for (const event of scenarioEvents(prepared)) {
    const line = JSON.stringify(event);
    counts.events++;
    const type = event.type.split('.')[1]!;
    counts.eventsByType[type] = (counts.eventsByType[type] ?? 0) + 1;
    if (random.chance(inject.invalid)) {
      counts.invalid++;
      yield* out(corruptEvent(event as Envelope, random));
    }
    if (random.chance(inject.late)) {
      counts.late++;
      late.push(line);
    } else if (random.chance(inject.out_of_order)) {
      counts.outOfOrder++;
      heldBack.push(line);
    } else {
      yield* out(line);
    }
    if (heldBack.length > 0 && (heldBack.length >= HOLD_BACK || random.chance(0.01))) yield* out(heldBack.shift()!);
    recent.push(line);
    if (recent.length > 200) recent.shift();
    if (random.chance(inject.duplicates)) {
      counts.duplicates++;
      yield* out(random.pick(recent));
    }
  }
  for (const line of heldBack) yield* out(line);
  for (const line of late) yield* out(line);
}
