import type { Envelope, Random } from '@govstats/schemas';

/**
 * Ways real feeds go wrong, applied to a valid envelope: each must end up dead-lettered with the
 * matching reason, never in a rollup.
 */
const CORRUPTIONS: ((event: Envelope, random: Random) => string)[] = [
  (event) => JSON.stringify(event).slice(0, 40), // truncated line
  (event) => JSON.stringify({ ...event, subject: event.subject.slice(0, 6) }), // county code, not a village
  (event) => JSON.stringify({ ...event, type: event.type.replace(/\.v\d+$/, '.v9') }), // unknown version
  (event) => JSON.stringify({ ...event, type: 'govstats.patrol-log.v1' }), // unknown type
  (event) => JSON.stringify({ ...event, time: 'yesterday afternoon' }), // unreadable time
  (event) => JSON.stringify({ ...event, data: { ...(event.data as object), unexpected_field: 1 } }), // not in contract
  (event) => JSON.stringify({ ...event, data: null }), // no data
];

export function corruptEvent(event: Envelope, random: Random): string {
  return random.pick(CORRUPTIONS)(event, random);
}
