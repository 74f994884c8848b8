import { createHash } from 'node:crypto';
import { chinaDate, rawColumnNames, type EventTypeDefinition } from '@govstats/schemas';
import type { SourceMessage, WriteLease } from '@govstats/kafka';
import { classifyStoreError, insertRows, queryRows, type Store, type StoreErrorInfo } from '@govstats/store';
import { EVENT_KEYS_TABLE, listedKeysSql, settingsClause, type QuerySettings } from '@govstats/warehouse';
import type { TraceFields } from './trace-context.ts';

/** Settings for the two kinds of writes a batch makes: empty on a single node, quorum and foreground inserts on a cluster. */
export interface LoadSettings {
  /** Ledger, intents: reads must see the last write on any node. */
  bookkeeping: QuerySettings;
  /** Raw rows through Distributed tables. */
  raw: QuerySettings;
}

export interface AcceptedEvent {
  eventType: EventTypeDefinition;
  eventId: string;
  /** When it happened, epoch milliseconds: decides the month partition its row lands in. */
  occurredAt: number;
  row: Record<string, unknown>;
  /** Kept to dead-letter the original bytes if the store refuses the row for good. */
  message: SourceMessage;
  /** Id of the event that recorded this one (see FedEvent): loaded with it, not counted as a message. */
  fedBy?: string;
  /** Its W3C trace context, when it carried one: logged if the store refuses it. */
  trace?: TraceFields;
  /** Its identity (eventKey), kept once computed: planning, tokens and the ledger each need it. */
  key?: string;
}

/** Events of their own, as messages count them; events recorded inside them are loaded with them. */
export const ownEvents = (events: readonly AcceptedEvent[]) => events.filter((e) => e.fedBy === undefined);

/** One insert: rows of one raw table, and the token that makes a retry of it a no-op. */
export interface LoadBlock {
  table: string;
  eventType: EventTypeDefinition;
  events: AcceptedEvent[];
  token: string;
}

/** What a batch will insert, fixed before the first attempt so every retry inserts the same blocks. */
export interface LoadPlan {
  inserts: LoadBlock[];
  duplicates: number;
}

/** A valid event the store refuses on every attempt (a constraint, a value its column cannot hold). */
export interface StoreRejection {
  event: AcceptedEvent;
  error: StoreErrorInfo;
}

/**
 * ClickHouse refuses an insert whose rows fall in more than 100 partitions
 * (max_partitions_per_insert_block), and raw tables and day rollups are partitioned by month: a
 * backfill of ten years in one batch is cut into blocks of at most this many months.
 */
export const MONTHS_PER_INSERT = 100;

/** The China month of an instant, `2024-07`: the raw tables' partition. */
const partitionMonth = (occurredAt: number) => chinaDate(occurredAt).slice(0, 7);

/** CloudEvents identity: an id is unique only within its source. */
const identity = (source: string, id: string) => `${source}\u0000${id}`;

export function eventKey(event: AcceptedEvent): string {
  return (event.key ??= identity(String(event.row.source), event.eventId));
}

function tokenFor(events: AcceptedEvent[]): string {
  return `ev:${createHash('sha256').update(events.map(eventKey).join('\n')).digest('hex')}`;
}

/** Events of one table in blocks of at most MONTHS_PER_INSERT months; the usual batch is one block. */
function monthBlocks(events: AcceptedEvent[]): AcceptedEvent[][] {
  const months = new Map<string, AcceptedEvent[]>();
  for (const event of events) {
    const month = partitionMonth(event.occurredAt);
    const list = months.get(month);
    if (list) list.push(event);
    else months.set(month, [event]);
  }
  if (months.size <= MONTHS_PER_INSERT) return [events];
  const ordered = [...months.keys()].sort();
  const blocks: AcceptedEvent[][] = [];
  for (let i = 0; i < ordered.length; i += MONTHS_PER_INSERT)
    blocks.push(ordered.slice(i, i + MONTHS_PER_INSERT).flatMap((m) => months.get(m)!));
  return blocks;
}

/**
 * Drops events already loaded (same source and id earlier in the batch, or listed in the ledger
 * when the batch was planned: `loadedBefore`, recorded with the intent), then groups the rest
 * into inserts per raw table. A pure function of its inputs, so a replay plans the same blocks;
 * each block's token is derived from its events, so ClickHouse drops a repeated block in the raw
 * table and in every rollup fed from it.
 */
export function planLoad(accepted: AcceptedEvent[], loadedBefore: ReadonlySet<string>): LoadPlan {
  const firstByKey = new Map<string, AcceptedEvent>();
  for (const event of accepted) {
    const key = eventKey(event);
    if (!firstByKey.has(key)) firstByKey.set(key, event);
  }
  const byTable = new Map<string, AcceptedEvent[]>();
  for (const event of firstByKey.values()) {
    if (loadedBefore.has(event.message.offset)) continue;
    const table = event.eventType.rawTable.name;
    const events = byTable.get(table);
    if (events) events.push(event);
    else byTable.set(table, [event]);
  }
  const inserts = [...byTable].flatMap(([table, events]) =>
    monthBlocks(events).map((block) => ({ table, eventType: block[0]!.eventType, events: block, token: tokenFor(block) })),
  );
  const loading = inserts.reduce((n, i) => n + ownEvents(i.events).length, 0);
  return { inserts, duplicates: ownEvents(accepted).length - loading };
}

/**
 * Inserts each raw block (its views fill the rollups), then records its ids in the ledger. The
 * ledger comes last so it never lists an event whose rollups might be incomplete: after a crash
 * in between, the replayed batch is planned the same way and the same tokens complete it.
 *
 * A block the store refuses for good is halved until the refused events stand alone: the rest
 * load, those come back as rejections for the dead-letter path. The halving depends only on the
 * block, so a replay after a crash halves the same way and its tokens match.
 */
export async function executeLoad(
  store: Store,
  plan: LoadPlan,
  ingestedAt: string,
  lease: WriteLease,
  settings: LoadSettings,
): Promise<{ loaded: number; rejected: StoreRejection[] }> {
  let loaded = 0;
  const rejected: StoreRejection[] = [];
  const load = async (block: LoadBlock): Promise<void> => {
    try {
      await lease.renew();
      const deadline = new Date(lease.deadline()).toISOString();
      for (const event of block.events) event.row.write_deadline = deadline;
      await insertRows(
        store.client,
        block.table,
        block.events.map((e) => e.row),
        { deduplicationToken: block.token, columns: rawColumnNames(block.eventType.rawTable), settings: settings.raw },
      );
    } catch (error) {
      const info = classifyStoreError(error);
      if (info.leaseExpired) throw new LeaseExpiredError(block.table, error);
      if (!info.permanent) throw error;
      if (block.events.length === 1) {
        rejected.push({ event: block.events[0]!, error: info });
        return;
      }
      const half = Math.ceil(block.events.length / 2);
      for (const events of [block.events.slice(0, half), block.events.slice(half)])
        await load({ ...block, events, token: tokenFor(events) });
      return;
    }
    await insertRows(
      store.client,
      EVENT_KEYS_TABLE,
      block.events.map((e) => ({ event_id: e.eventId, source: e.row.source, event_type: block.eventType.name, ingested_at: ingestedAt })),
      { deduplicationToken: `ledger:${block.token}`, columns: LEDGER_COLUMNS, settings: settings.bookkeeping },
    );
    loaded += ownEvents(block.events).length;
  };
  for (const block of plan.inserts) await load(block);
  return { loaded, rejected };
}

/** The store refused a block because this member's lease had run out: renew it (or let the batch go) and replay. */
export class LeaseExpiredError extends Error {
  constructor(table: string, cause: unknown) {
    super(
      `the write lease ran out before the insert into ${table} reached ClickHouse; the batch is replayed from its intent once the lease is renewed`,
      { cause },
    );
    this.name = 'LeaseExpiredError';
  }
}

const LEDGER_COLUMNS = ['event_id', 'source', 'event_type', 'ingested_at'];
/** Bytes of ids per ledger lookup: keeps each statement well under ClickHouse's 256 KiB max_query_size. */
const LOOKUP_BYTES = 192 * 1024;

/**
 * Offsets of the accepted events the ledger lists (same source and id) as loaded: one lookup per
 * source and LOOKUP_BYTES of its ids (a producer system is one source, so usually one or two).
 */
export async function findLoaded(store: Store, accepted: AcceptedEvent[], settings: QuerySettings): Promise<string[]> {
  const idsBySource = new Map<string, Set<string>>();
  for (const event of accepted) {
    const source = String(event.row.source);
    const ids = idsBySource.get(source);
    if (ids) ids.add(event.eventId);
    else idsBySource.set(source, new Set([event.eventId]));
  }
  const found = new Set<string>();
  for (const [source, idSet] of idsBySource) {
    const ids = [...idSet];
    for (let start = 0; start < ids.length;) {
      let end = start;
      for (let bytes = 0; end < ids.length && bytes < LOOKUP_BYTES; end++) bytes += ids[end]!.length + 1;
      const rows = await queryRows<{ event_id: string; source: string }>(
        store.client,
        `${listedKeysSql(source, ids.slice(start, end))}${settingsClause(settings)}`,
      );
      for (const row of rows) found.add(identity(row.source, row.event_id));
      start = end;
    }
  }
  return accepted.filter((e) => found.has(eventKey(e))).map((e) => e.message.offset);
}
