import type { Config } from '@govstats/config';
import type { SourceBatch, SourceMessage, WriteLease } from '@govstats/kafka';
import { createLogger } from '@govstats/log';
import type { EventTypeDefinition } from '@govstats/schemas';
import { classifyStoreError, type Store } from '@govstats/store';
import { messageDigest, recordedPlaces, recordingPlaces, type BatchFacts } from './batch-facts.ts';
import type { Refusal } from './dead-letters.ts';
import { decodeMessage, type DecodeContext, type DecodedRow, type PlaceLookup } from './decode-message.ts';
import { batchFinished, readIntent, recordIntent, type Intent, type IntentKey } from './intents.ts';
import { LeaseExpiredError, findLoaded, planLoad, type AcceptedEvent, type LoadPlan, type LoadSettings } from './load-events.ts';
import { RangeBuffer } from './range-buffer.ts';

const log = createLogger('ingest');

/** A batch decoded and planned from its facts: what every attempt at it loads. */
export interface PreparedBatch {
  /** The messages planned: the fetched batch, or the part of it an earlier attempt's intent covered. */
  batch: SourceBatch;
  accepted: AcceptedEvent[];
  rejected: Refusal[];
  plan: LoadPlan;
  facts: BatchFacts;
  replayed: boolean;
  startedAt: number;
  /** Milliseconds spent decoding and validating, and looking the events up in the ledger. */
  decodeMs: number;
  planMs: number;
}

export interface BatchPlannerDeps {
  config: Config;
  store: Store;
  /** The event type each topic carries (undefined: the unrouted topic). */
  topics: Map<string, EventTypeDefinition | undefined>;
  writes: LoadSettings;
  clock: () => number;
  /** Today's division catalogue, for batches no attempt has planned yet. */
  places: () => PlaceLookup;
}

/** What a batch's decoding depends on besides its messages: the same for every attempt at it. */
export interface DecodeFacts {
  /** The event type the batch's topic carries; undefined for the unrouted topic. */
  topicType: EventTypeDefinition | undefined;
  places: PlaceLookup;
  now: number;
  maxEventBytes: number;
  futureToleranceMs: number;
}

/** Each message of the batch, accepted as a raw-table row or refused with its reason. Pure. */
export function decodeBatch(batch: SourceBatch, facts: DecodeFacts): { accepted: AcceptedEvent[]; rejected: Refusal[] } {
  const accepted: AcceptedEvent[] = [];
  const rejected: Refusal[] = [];
  const context: DecodeContext = { ...facts, topic: batch.topic, partition: batch.partition };
  for (const message of batch.messages) {
    const decoded = decodeMessage(message, context);
    if (!decoded.ok) {
      rejected.push({ ...decoded, message });
      continue;
    }
    accepted.push(acceptedEvent(decoded, message));
    for (const row of decoded.fed) accepted.push(acceptedEvent(row, message, decoded.eventId));
  }
  return { accepted, rejected };
}

/** Named fields, not spreads: this runs for every event of every batch. */
function acceptedEvent(decoded: DecodedRow, message: SourceMessage, fedBy?: string): AcceptedEvent {
  const event: AcceptedEvent = {
    eventType: decoded.eventType,
    eventId: decoded.eventId,
    occurredAt: decoded.occurredAt,
    row: decoded.row,
    message,
  };
  if (fedBy !== undefined) event.fedBy = fedBy;
  if (decoded.trace) event.trace = decoded.trace;
  return event;
}

/** How a fetched batch is planned, given the intent recorded at its first offset (if any). */
export type IntentDecision =
  /** No intent (or one recorded for other bytes): plan with today's facts and record an intent. */
  | { plan: 'afresh'; batch: SourceBatch; otherMessages: boolean }
  /** The intent's range goes on past this fetch: keep what came and fetch the rest first. */
  | { plan: 'fetch-rest'; fetchFrom: string }
  /** Exactly the intent's range, with its facts (undefined for intents written before facts were recorded). */
  | { plan: 'replay'; batch: SourceBatch; facts: BatchFacts | undefined };

/**
 * The replay rule. A batch an earlier attempt recorded an intent for covers exactly that intent's
 * range, no more and no less, or the replay would insert other blocks than the first attempt did. Pure.
 */
export function decideFromIntent(batch: SourceBatch, intent: Intent | undefined): IntentDecision {
  if (!intent) return { plan: 'afresh', batch, otherMessages: false };
  if (intent.facts && intent.facts.firstMessage !== messageDigest(batch.messages[0]!))
    return { plan: 'afresh', batch, otherMessages: true };
  const last = BigInt(batch.messages[batch.messages.length - 1]!.offset);
  if (BigInt(intent.last) > last) return { plan: 'fetch-rest', fetchFrom: (last + 1n).toString() };
  const range = { ...batch, messages: batch.messages.filter((m) => BigInt(m.offset) <= BigInt(intent.last)) };
  return { plan: 'replay', batch: range, facts: intent.facts };
}

/**
 * Where a batch is planned: from the intent an earlier attempt recorded for its first offset when
 * there is one, else afresh — recording the intent, with the facts the plan was made from, before
 * anything is written.
 */
export function createBatchPlanner({ config, store, topics, writes, clock, places }: BatchPlannerDeps) {
  const ranges = new RangeBuffer();

  function decodeFacts(
    batch: SourceBatch,
    facts: Pick<BatchFacts, 'now' | 'maxEventBytes' | 'futureToleranceMs'>,
    lookup: PlaceLookup,
  ): DecodeFacts {
    return {
      topicType: topics.get(batch.topic),
      places: lookup,
      now: facts.now,
      maxEventBytes: facts.maxEventBytes,
      futureToleranceMs: facts.futureToleranceMs,
    };
  }

  /** First attempt: decode with today's clock, catalogue and ledger, and keep what they said as the batch's facts. */
  async function planAfresh(batch: SourceBatch): Promise<PreparedBatch> {
    const startedAt = clock();
    const base = {
      version: 1 as const,
      now: startedAt,
      maxEventBytes: config.ingest.maxEventBytes,
      futureToleranceMs: config.ingest.futureToleranceMs,
    };
    const recording = recordingPlaces(places());
    const { accepted, rejected } = decodeBatch(batch, decodeFacts(batch, base, recording.lookup));
    const decodedAt = clock();
    const loadedBefore = await findLoaded(store, accepted, writes.bookkeeping);
    const facts: BatchFacts = { ...base, places: recording.answers, loadedBefore, firstMessage: messageDigest(batch.messages[0]!) };
    const plan = planLoad(accepted, new Set(loadedBefore));
    return {
      batch,
      accepted,
      rejected,
      plan,
      facts,
      replayed: false,
      startedAt,
      decodeMs: decodedAt - startedAt,
      planMs: clock() - decodedAt,
    };
  }

  /** A later attempt: the recorded facts decide, so the blocks and their tokens are the first attempt's. */
  function planFromFacts(batch: SourceBatch, facts: BatchFacts): PreparedBatch {
    const startedAt = clock();
    const { accepted, rejected } = decodeBatch(batch, decodeFacts(batch, facts, recordedPlaces(facts.places)));
    const decodedAt = clock();
    const plan = planLoad(accepted, new Set(facts.loadedBefore));
    return {
      batch,
      accepted,
      rejected,
      plan,
      facts,
      replayed: true,
      startedAt,
      decodeMs: decodedAt - startedAt,
      planMs: clock() - decodedAt,
    };
  }

  /**
   * Plans the batch from the intent recorded for its first offset when there is one (then only
   * the intent's range is handled, waiting for more messages until it is all here), else afresh,
   * recording the intent before anything is written.
   */
  async function prepare(batch: SourceBatch, lease: WriteLease): Promise<PreparedBatch | { fetchFrom: string }> {
    const first = batch.messages[0]!;
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const key: IntentKey = { group: config.ingest.groupId, topic: batch.topic, partition: batch.partition, first: first.offset };
    const intent = await readIntent(store, key, batch, writes.bookkeeping);
    const decision = decideFromIntent(batch, intent);
    switch (decision.plan) {
      case 'fetch-rest':
        ranges.keep(batch);
        return { fetchFrom: decision.fetchFrom };
      case 'replay':
        if (intent && (await batchFinished(store, key, intent, writes.bookkeeping))) {
          log.info(
            { ...key, last: intent.last },
            're-reading a batch loaded before (offsets moved back): planning it afresh against the ledger',
          );
          break;
        }
        // Intents written before facts were recorded replay with today's facts, as they always did.
        return decision.facts ? planFromFacts(decision.batch, decision.facts) : await planAfresh(decision.batch);
      case 'afresh':
        if (decision.otherMessages) {
          log.warn(
            { ...key, intendedLast: intent?.last },
            'the intent at this offset was recorded for other messages (topic recreated?); planning the batch afresh',
          );
        }
    }
    const work = await planAfresh(batch);
    await lease.renew();
    try {
      await recordIntent(store, key, last, work.facts, lease.deadline(), writes.bookkeeping);
    } catch (error) {
      throw classifyLease(error, 'ingest_intents');
    }
    return work;
  }

  function classifyLease(error: unknown, table: string): unknown {
    return classifyStoreError(error).leaseExpired ? new LeaseExpiredError(table, error) : error;
  }

  return {
    /** The fetched batch's plan, or where to fetch from to complete the range its intent covers. */
    plan: (fetched: SourceBatch, lease: WriteLease) => prepare(ranges.join(fetched), lease),
  };
}
