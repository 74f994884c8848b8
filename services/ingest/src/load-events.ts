import { createHash } from 'node:crypto';
import { rawColumnNames, type EventTypeDefinition } from '@govstats/schemas';
import { insertRows, queryRows, type Store } from '@govstats/store';

export interface AcceptedEvent {
  eventType: EventTypeDefinition;
  eventId: string;
  row: Record<string, unknown>;
}

/** What a batch will insert, fixed before the first attempt so every retry inserts the same blocks. */
export interface LoadPlan {
  inserts: { table: string; rows: Record<string, unknown>[]; token: string; eventType: EventTypeDefinition }[];
  duplicates: number;
}

/**
 * Drops events already loaded (same id earlier in the batch, or in the ledger from an earlier
 * batch), then groups the rest into one insert per raw table. Each insert gets a token derived
 * from its event ids: a retry, or the same events re-read after a restart, is deduplicated by
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
  const inserts = [...byTable].map(([table, events]) => ({
    table,
    rows: events.map((e) => e.row),
    eventType: events[0]!.eventType,
    token: `ev:${createHash('sha256').update(events.map((e) => e.eventId).join('\n')).digest('hex')}`,
  }));
  const loading = inserts.reduce((n, i) => n + i.rows.length, 0);
  return { inserts, duplicates: accepted.length - loading };
}

/**
 * Inserts each raw block (its views fill the rollups), then records its ids in the ledger. The
 * ledger comes last so it never lists an event whose rollups might be incomplete: after a crash
 * in between, the replayed batch is planned the same way and the same tokens complete it.
 */
export async function executeLoad(store: Store, plan: LoadPlan, ingestedAt: string): Promise<void> {
  for (const insert of plan.inserts) {
    await insertRows(store.client, insert.table, insert.rows, { deduplicationToken: insert.token, columns: rawColumnNames(insert.eventType.rawTable) });
    await insertRows(
      store.client,
      'event_ledger',
      insert.rows.map((row) => ({ event_id: row.event_id, event_type: insert.eventType.name, ingested_at: ingestedAt })),
      { deduplicationToken: `ledger:${insert.token}`, columns: LEDGER_COLUMNS },
    );
  }
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
