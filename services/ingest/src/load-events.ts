import { createHash } from 'node:crypto';
import { rawColumnNames, type EventTypeDefinition } from '@govstats/schemas';
import type { SourceMessage } from '@govstats/kafka';
import { classifyStoreError, insertRows, queryRows, type Store, type StoreErrorInfo } from '@govstats/store';

export interface AcceptedEvent {
  eventType: EventTypeDefinition;
  eventId: string;
  /** When it happened, epoch milliseconds: decides the month partition its row lands in. */
  occurredAt: number;
  row: Record<string, unknown>;
  /** Kept to dead-letter the original bytes if the store refuses the row for good. */
  message: SourceMessage;
}

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

const CHINA_OFFSET_MS = 8 * 3_600_000;

function chinaMonth(occurredAt: number): number {
  const local = new Date(occurredAt + CHINA_OFFSET_MS);
  return local.getUTCFullYear() * 12 + local.getUTCMonth();
}

function tokenFor(events: AcceptedEvent[]): string {
  return `ev:${createHash('sha256').update(events.map((e) => e.eventId).join('\n')).digest('hex')}`;
}

/** Events of one table in blocks of at most MONTHS_PER_INSERT months; the usual batch is one block. */
function monthBlocks(events: AcceptedEvent[]): AcceptedEvent[][] {
  const months = new Map<number, AcceptedEvent[]>();
  for (const event of events) {
    const month = chinaMonth(event.occurredAt);
    const list = months.get(month);
    if (list) list.push(event);
    else months.set(month, [event]);
  }
  if (months.size <= MONTHS_PER_INSERT) return [events];
  const ordered = [...months.keys()].sort((a, b) => a - b);
  const blocks: AcceptedEvent[][] = [];
  for (let i = 0; i < ordered.length; i += MONTHS_PER_INSERT) blocks.push(ordered.slice(i, i + MONTHS_PER_INSERT).flatMap((m) => months.get(m)!));
  return blocks;
}

/**
 * Drops events already loaded (same id earlier in the batch, or in the ledger from an earlier
 * batch), then groups the rest into inserts per raw table. Each insert gets a token derived from
 * its event ids: a retry, or the same events re-read after a restart, is deduplicated by
 * ClickHouse in the raw table and in every rollup fed from it.
 */
export async function planLoad(store: Store, accepted: AcceptedEvent[]): Promise<LoadPlan> {
  const firstById = new Map<string, AcceptedEvent>();
  for (const event of accepted) if (!firstById.has(event.eventId)) firstById.set(event.eventId, event);
  const seen = await alreadyLoaded(store, [...firstById.keys()]);
  const byTable = new Map<string, AcceptedEvent[]>();
  for (const event of firstById.values()) {
    if (seen.has(event.eventId)) continue;
    const table = event.eventType.rawTable.name;
    const events = byTable.get(table);
    if (events) events.push(event);
    else byTable.set(table, [event]);
  }
  const inserts = [...byTable].flatMap(([table, events]) =>
    monthBlocks(events).map((block) => ({ table, eventType: block[0]!.eventType, events: block, token: tokenFor(block) })),
  );
  const loading = inserts.reduce((n, i) => n + i.events.length, 0);
  return { inserts, duplicates: accepted.length - loading };
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
export async function executeLoad(store: Store, plan: LoadPlan, ingestedAt: string): Promise<{ loaded: number; rejected: StoreRejection[] }> {
  let loaded = 0;
  const rejected: StoreRejection[] = [];
  const load = async (block: LoadBlock): Promise<void> => {
    try {
      await insertRows(store.client, block.table, block.events.map((e) => e.row), { deduplicationToken: block.token, columns: rawColumnNames(block.eventType.rawTable) });
    } catch (error) {
      const info = classifyStoreError(error);
      if (!info.permanent) throw error;
      if (block.events.length === 1) {
        rejected.push({ event: block.events[0]!, error: info });
        return;
      }
      const half = Math.ceil(block.events.length / 2);
      for (const events of [block.events.slice(0, half), block.events.slice(half)]) await load({ ...block, events, token: tokenFor(events) });
      return;
    }
    await insertRows(
      store.client,
      'event_ledger',
      block.events.map((e) => ({ event_id: e.eventId, event_type: block.eventType.name, ingested_at: ingestedAt })),
      { deduplicationToken: `ledger:${block.token}`, columns: LEDGER_COLUMNS },
    );
    loaded += block.events.length;
  };
  for (const block of plan.inserts) await load(block);
  return { loaded, rejected };
}

const LEDGER_COLUMNS = ['event_id', 'event_type', 'ingested_at'];
/** Bytes of ids per ledger lookup: keeps each statement well under ClickHouse's 256 KiB max_query_size. */
const LOOKUP_BYTES = 192 * 1024;

/**
 * Ids found in the ledger. The ids travel as one comma-separated string literal split by the
 * engine: parsing one literal is far cheaper than parsing thousands (and no URL could hold them
 * as a parameter). Contracts restrict ids to [A-Za-z0-9._:-], which can neither break out of the
 * literal nor contain the comma; anything else is rejected here to be sure.
 */
async function alreadyLoaded(store: Store, ids: string[]): Promise<Set<string>> {
  for (const id of ids) if (!/^[A-Za-z0-9._:-]+$/.test(id)) throw new Error(`unsafe event id reached the loader: ${JSON.stringify(id)}`);
  const found = new Set<string>();
  for (let start = 0; start < ids.length; ) {
    let end = start;
    for (let bytes = 0; end < ids.length && bytes < LOOKUP_BYTES; end++) bytes += ids[end]!.length + 1;
    const rows = await queryRows<{ event_id: string }>(
      store.client,
      `SELECT event_id FROM event_ledger WHERE event_id IN splitByChar(',', '${ids.slice(start, end).join(',')}')`,
    );
    for (const row of rows) found.add(row.event_id);
    start = end;
  }
  return found;
}
