import type { Config } from '@govstats/config';
import type { KafkaSink, SourceBatch, WriteLease } from '@govstats/kafka';
import { createLogger } from '@govstats/log';
import type { EventTypeDefinition } from '@govstats/schemas';
import { insertRows, type Store } from '@govstats/store';
import { createBatchPlanner, type PreparedBatch } from './batch-planner.ts';
import { REPLAY_HEADER, deadLetter, originOf, type Refusal } from './dead-letters.ts';
import type { PlaceLookup } from './decode-message.ts';
import { executeLoad, type AcceptedEvent, type LoadSettings, type StoreRejection } from './load-events.ts';
import type { SchemaGate } from './schema-gate.ts';

const log = createLogger('ingest');

export interface BatchProtocolDeps {
  config: Config;
  store: Store;
  /** The event type each topic carries (undefined: the unrouted topic). */
  topics: Map<string, EventTypeDefinition | undefined>;
  writes: LoadSettings;
  clock: () => number;
  gate: SchemaGate;
  /** Today's division catalogue, for batches no attempt has planned yet. */
  places: () => PlaceLookup;
  /** Where refusals are published; connected before the first batch. */
  sink: () => KafkaSink;
}

/** A batch loaded and recorded, ready for its offsets to be committed. */
export interface LoadedBatch {
  /** The messages handled: the fetched batch, or the part of it an earlier attempt's intent covered. */
  batch: SourceBatch;
  work: PreparedBatch;
  /** Every message refused: by decoding, and valid events the store refused for good. */
  refused: Refusal[];
  /** Events inserted (or found inserted by an earlier attempt's identical block). */
  loaded: number;
  /** The last offset handled: what is committed. */
  last: string;
  finishedAt: number;
}

/** The batch was loaded, or it is an intent's range that continues past the fetch: fetch the rest first. */
export type BatchOutcome = { loaded: LoadedBatch } | { fetchFrom: string };

/**
 * Valid events the store refuses for good (a constraint, a value no column can hold) would fail
 * the batch on every attempt: they take the dead-letter path and the partition moves on.
 */
export function storeRefusals(rejected: StoreRejection[]): Refusal[] {
  return rejected.map(({ event, error }) => ({
    message: event.message,
    reason: 'store_rejected',
    detail: `${error.type ?? 'store error'}: ${error.message}`.slice(0, 2000),
    eventId: event.eventId,
    eventType: `govstats.${event.eventType.name}.v${String(event.row.contract_version)}`,
    subject: String(event.row.original_code),
    ...(event.trace && { trace: event.trace }),
  }));
}

/**
 * The exactly-once protocol for one batch: wait for the schema, plan (from the intent an earlier
 * attempt recorded, or afresh, recording one), dead-letter the refused, load the planned blocks,
 * resolve replayed dead letters, and record the batch. Every step tolerates being repeated, so a
 * failure anywhere means: run the same batch again. Offsets are committed by the caller after it.
 */
export function createBatchProtocol(deps: BatchProtocolDeps) {
  const { config, store, writes, clock } = deps;
  const planner = createBatchPlanner(deps);

  async function handle(fetched: SourceBatch, lease: WriteLease): Promise<BatchOutcome> {
    const handleStarted = clock();
    await deps.gate.ready();
    await lease.renew();
    const prepared = await planner.plan(fetched, lease);
    if ('fetchFrom' in prepared) return { fetchFrom: prepared.fetchFrom };
    const work = prepared;
    const { batch } = work;
    const first = batch.messages[0]!.offset;
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const key = `${batch.topic}:${batch.partition}:${first}`;
    const loadStarted = clock();
    const deadLetters = { sink: deps.sink(), store, topic: config.topics.deadLetter, now: work.facts.now };
    await deadLetter(batch, work.rejected, deadLetters);
    const { loaded, rejected: storeRejected } = await executeLoad(store, work.plan, new Date(work.facts.now).toISOString(), lease, writes);
    const refusedByStore = storeRefusals(storeRejected);
    await deadLetter(batch, refusedByStore, deadLetters);
    await recordResolutions(
      batch,
      work,
      storeRejected.map((r) => r.event),
    );
    const loadMs = clock() - loadStarted;
    const deadLettered = work.rejected.length + refusedByStore.length;
    await insertRows(
      store.client,
      'ingest_batches',
      [
        {
          batch_id: `${key}-${last}`,
          consumer_group: config.ingest.groupId,
          kafka_topic: batch.topic,
          kafka_partition: batch.partition,
          first_offset: first,
          last_offset: last,
          messages: batch.messages.length,
          loaded,
          duplicates: work.plan.duplicates,
          dead_lettered: deadLettered,
          started_at: new Date(work.startedAt).toISOString(),
          finished_at: new Date(clock()).toISOString(),
          planned_at: new Date(work.facts.now).toISOString(),
        },
      ],
      // Every attempt at one plan writes the same row; another reading of the range writes its own.
      { deduplicationToken: `batch:${config.ingest.groupId}:${key}-${last}:${work.facts.now}` },
    );
    const finishedAt = clock();
    log.debug(
      {
        batch: key,
        last,
        loaded,
        duplicates: work.plan.duplicates,
        deadLettered,
        replayed: work.replayed,
        ms: { total: finishedAt - handleStarted, decode: work.decodeMs, ledgerLookup: work.planMs, load: loadMs },
      },
      'batch loaded',
    );
    return { loaded: { batch, work, refused: [...work.rejected, ...refusedByStore], loaded, last, finishedAt } };
  }

  /**
   * Replayed dead letters that were accepted this time (loaded, or found loaded already) are
   * resolved: `govstats dlq` stops listing them and `dlq replay` does not send them again.
   */
  async function recordResolutions(batch: SourceBatch, work: PreparedBatch, refused: AcceptedEvent[]): Promise<void> {
    const replays = work.accepted.filter((e) => e.message.headers[REPLAY_HEADER] !== undefined);
    if (replays.length === 0) return;
    const stillRefused = new Set(refused.map((e) => e.message.offset));
    const resolved = replays.filter((e) => !stillRefused.has(e.message.offset));
    const inserted = new Set(work.plan.inserts.flatMap((i) => i.events.map((e) => e.eventId)));
    await insertRows(
      store.client,
      'dead_letter_resolutions',
      resolved.map((event) => {
        const origin = originOf(event.message, batch);
        return {
          origin_topic: origin.topic,
          origin_partition: origin.partition,
          origin_offset: origin.offset,
          outcome: inserted.has(event.eventId) ? 'loaded' : 'duplicate',
          event_id: event.eventId,
          kafka_topic: batch.topic,
          kafka_partition: batch.partition,
          kafka_offset: event.message.offset,
        };
      }),
    );
  }

  return { handle };
}

export type BatchProtocol = ReturnType<typeof createBatchProtocol>;
