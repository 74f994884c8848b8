import { createHash } from 'node:crypto';
import type { SourceBatch, SourceMessage } from '@govstats/kafka';
import type { PlaceLookup } from './decode-message.ts';

/**
 * Everything a batch's plan depends on besides its messages, recorded with its intent before the
 * first write. A replay — after a crash, a rebalance or an in-process restart — plans from these
 * instead of today's clock, catalogue and ledger, so it sends the same blocks under the same
 * tokens, and what the first attempt inserted is deduplicated instead of counted again.
 */
export interface BatchFacts {
  version: 1;
  /** The clock reading events were judged against (future_time) and stamped with (ingested_at). */
  now: number;
  maxEventBytes: number;
  futureToleranceMs: number;
  /** Each subject the batch asked about: [code, area] of the place it counts under, or null when unknown. */
  places: Record<string, [string, string] | null>;
  /** Offsets of events the ledger listed as loaded already. */
  loadedBefore: string[];
  /** Digest of the first message: an intent found at an offset that now holds other bytes (topic recreated) is not this batch's. */
  firstMessage: string;
}

export function messageDigest(message: SourceMessage): string {
  return createHash('sha256')
    .update(message.value ?? Buffer.alloc(0))
    .digest('hex')
    .slice(0, 32);
}

/** A place lookup that remembers every answer it gave, to record them with the intent. */
export function recordingPlaces(places: PlaceLookup): { lookup: PlaceLookup; answers: BatchFacts['places'] } {
  const answers: BatchFacts['places'] = {};
  return {
    answers,
    lookup: {
      resolve(subject) {
        const place = places.resolve(subject);
        answers[subject] = place ? [place.code, place.area] : null;
        return place;
      },
    },
  };
}

/** The answers recorded with an intent, given again: a replay sees the catalogue the first attempt saw. */
export function recordedPlaces(answers: BatchFacts['places']): PlaceLookup {
  return {
    resolve(subject) {
      const answer = answers[subject];
      return answer ? { code: answer[0], area: answer[1] } : undefined;
    },
  };
}

export function parseFacts(json: string, batch: SourceBatch): BatchFacts | undefined {
  if (json === '') return undefined;
  const facts = JSON.parse(json) as BatchFacts;
  if (facts.version !== 1)
    throw new Error(
      `intent of ${batch.topic}[${batch.partition}] has facts of version ${String(facts.version)}, which this ingest does not know: upgrade it`,
    );
  return facts;
}
