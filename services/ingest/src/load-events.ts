import { createHash } from 'node:crypto';
import type { EventTypeDefinition } from '@govstats/schemas';
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
    await insertRows(store.client, insert.table, insert.rows, { deduplicationToken: insert.token });
    await insertRows(
      store.client,
      'event_ledger',
      insert.rows.map((row) => ({ event_id: row.event_id, event_type: insert.eventType.name, ingested_at: ingestedAt })),
      { deduplicationToken: `ledger:${insert.token}` },
    );
  }
}

/** Ids per ledger lookup: keeps each statement well under ClickHouse's 256 KiB max_query_size. */
const LOOKUP_CHUNK = 2_000;

/**
 * Ids found in the ledger. Ids are inlined into the SQL body rather than bound as a parameter:
 * thousands of them would not fit in a URL. Contracts restrict ids to [A-Za-z0-9._:-], which
 * cannot break out of a quoted literal; anything else is rejected here to be sure.
 */
async function alreadyLoaded(store: Store, ids: string[]): Promise<Set<string>> {
  for (const id of ids) if (!/^[A-Za-z0-9._:-]+$/.test(id)) throw new Error(`unsafe event id reached the loader: ${JSON.stringify(id)}`);
  const found = new Set<string>();
  for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
    const chunk = ids.slice(start, start + LOOKUP_CHUNK);
    const rows = await queryRows<{ event_id: string }>(
      store.client,
      `SELECT event_id FROM event_ledger WHERE event_id IN (${chunk.map((id) => `'${id}'`).join(',')})`,
    );
    for (const row of rows) found.add(row.event_id);
  }
  return found;
}
