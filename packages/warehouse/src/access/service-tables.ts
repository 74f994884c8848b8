import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { viewName } from '../schema/event-type-tables.ts';
import { GRAINS, rollupGrain } from '../schema/rollup-grains.ts';

/**
 * Which tables each kind of ClickHouse user touches, and how: what the grants of
 * render-access.ts are made of. Per-type tables come from the event-type registry, so a new type
 * is covered the day it is added; the bookkeeping tables are named here, each with the code that
 * needs it, and packages/warehouse/test/access-model.test.ts fails when a migration creates a table nobody placed.
 */
export const ROLE_KINDS = ['migrator', 'ingest', 'bulletin', 'reader'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

export type TablePrivilege = 'SELECT' | 'INSERT';

export interface TableUse {
  table: string;
  privileges: readonly TablePrivilege[];
  /** The code that needs it, so a reviewer can check the grant against it. */
  why: string;
}

/** Bookkeeping tables ingest writes (services/ingest/src), each after or around a batch. */
const INGEST_BOOKKEEPING: readonly TableUse[] = [
  { table: 'event_keys', privileges: ['SELECT', 'INSERT'], why: 'load-events.ts: ids already loaded, and the ids of each loaded block' },
  { table: 'ingest_intents', privileges: ['SELECT', 'INSERT'], why: 'intents.ts: offsets and plan of a batch, before its first insert' },
  {
    table: 'ingest_batches',
    privileges: ['SELECT', 'INSERT'],
    why: 'batch-protocol.ts: one row per loaded batch; intents.ts: whether a re-read intent was finished',
  },
  { table: 'dead_letters', privileges: ['INSERT'], why: 'dead-letters.ts: refused messages' },
  { table: 'dead_letter_resolutions', privileges: ['INSERT'], why: 'batch-protocol.ts: replayed dead letters that loaded' },
  { table: 'divisions', privileges: ['SELECT'], why: 'division-catalogue.ts: places events count under' },
  { table: 'division_code_changes', privileges: ['SELECT'], why: 'division-catalogue.ts: successors of retired codes' },
  { table: 'schema_migrations', privileges: ['SELECT'], why: 'schema-gate.ts: consume only when the schema is current' },
  { table: 'schema_migration_lock', privileges: ['SELECT'], why: 'schema-gate.ts: pause while `govstats migrate` runs' },
];

/** What the bulletin service reads besides the rollups, and the one table it writes. */
const BULLETIN_BOOKKEEPING: readonly TableUse[] = [
  { table: 'bulletins', privileges: ['SELECT', 'INSERT'], why: 'issue-bulletin.ts: the last revision, and each new one' },
  { table: 'divisions', privileges: ['SELECT'], why: 'check-city.ts, rollup-query.ts: place names, silent villages' },
  { table: 'division_code_changes', privileges: ['SELECT'], why: 'check-city.ts: a city whose code was retired' },
  { table: 'division_editions', privileges: ['SELECT'], why: 'check-city.ts: the edition a bulletin names' },
  { table: 'dead_letters', privileges: ['SELECT'], why: 'data-quality.ts: refused messages of the city' },
  { table: 'dead_letter_resolutions', privileges: ['SELECT'], why: 'data-quality.ts: refusals a replay resolved' },
];

/** Written by `govstats migrate` only; no service reads them (event_ledger: replaced by event_keys, read by the migration that copies it). */
const MIGRATE_ONLY_TABLES: readonly string[] = ['division_editions', 'event_ledger'];

/** The bookkeeping tables the access model knows: anything else a migration creates is unplaced. */
export function bookkeepingTables(): string[] {
  return [...new Set([...INGEST_BOOKKEEPING, ...BULLETIN_BOOKKEEPING].map((u) => u.table).concat(MIGRATE_ONLY_TABLES))].sort();
}

export function rawTables(types: readonly EventTypeDefinition[] = EVENT_TYPES): string[] {
  return types.map((t) => t.rawTable.name);
}

/** The rollup of every grain (day, month, year) of every type. */
export function rollupTables(types: readonly EventTypeDefinition[] = EVENT_TYPES): string[] {
  return types.flatMap((t) => GRAINS.map((g) => rollupGrain(t, g).table));
}

/** The views SQL and BI users read (event-type-tables.ts, readableViewsMigration). */
export function readableViews(types: readonly EventTypeDefinition[] = EVENT_TYPES): string[] {
  return types.flatMap((t) => (['daily', 'monthly', 'month_totals', 'year_totals'] as const).map((grain) => viewName(t, grain)));
}

/**
 * The tables the readable views read. The views keep ClickHouse's default SQL SECURITY INVOKER
 * (see infra/clickhouse/ACCESS.md), so a reader needs SELECT on these too, and a scoped reader's
 * row policy on the rollups is what filters the view.
 */
export function readableViewSources(types: readonly EventTypeDefinition[] = EVENT_TYPES): string[] {
  return [...rollupTables(types), 'divisions'];
}

/** The per-table uses of a service role; the migrator has the whole database instead. */
export function tableUses(kind: Exclude<RoleKind, 'migrator'>, types: readonly EventTypeDefinition[] = EVENT_TYPES): TableUse[] {
  switch (kind) {
    case 'ingest':
      return [
        ...rawTables(types).map((table) => ({ table, privileges: ['INSERT'] as const, why: 'load-events.ts: the events of each batch' })),
        ...INGEST_BOOKKEEPING,
      ];
    case 'bulletin':
      return [
        ...rollupTables(types).map((table) => ({ table, privileges: ['SELECT'] as const, why: 'collect-figures.ts: the figures' })),
        ...rawTables(types).map((table) => ({ table, privileges: ['SELECT'] as const, why: 'data-quality.ts: events that arrived late' })),
        ...BULLETIN_BOOKKEEPING,
      ];
    case 'reader':
      return [
        ...readableViews(types).map((table) => ({ table, privileges: ['SELECT'] as const, why: 'what SQL and BI users query' })),
        ...readableViewSources(types).map((table) => ({
          table,
          privileges: ['SELECT'] as const,
          why: 'read by the readable views, which run with the rights of the reader (SQL SECURITY INVOKER)',
        })),
      ];
  }
}
