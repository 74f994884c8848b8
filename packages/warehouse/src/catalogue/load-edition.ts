import type { DivisionCatalogue, Edition } from '@govstats/divisions';
import { insertRows, queryRows, type Store } from '@govstats/store';
import { createLogger } from '@govstats/log';
import { currentCatalogue } from './current-catalogue.ts';
import { DIVISION_COLUMNS, divisionRow } from './division-rows.ts';

const log = createLogger('divisions');

/** A retired code and the current place its events count under. */
export interface CodeChangeRow {
  retiredCode: string;
  currentCode: string;
  method: string;
  retiredIn: string;
  retiredName: string;
  currentName: string;
}

export interface EditionToLoad {
  edition: Edition;
  /** Of the source's bytes: the same edition from the same bytes is loaded once. */
  checksum: string;
  /**
   * complete: the whole table of an edition; places it no longer lists are retired, and their
   * codes mapped to successors. overlay: rows added or corrected (a province's table with its
   * 城乡分类代码), nothing retired.
   */
  mode: 'complete' | 'overlay';
  catalogue: DivisionCatalogue;
  /** Code changes that come with the edition (the shipped table's history since 2016). */
  codeChanges?: Iterable<CodeChangeRow>;
  /** Successors of places a complete load retires, found by comparing the two tables. */
  deriveChanges?: (before: DivisionCatalogue, after: DivisionCatalogue) => CodeChangeRow[];
}

export interface EditionLoadResult {
  status: 'loaded' | 'unchanged';
  places: number;
  retired: number;
  codeChanges: number;
  seconds: number;
}

const ROWS_PER_INSERT = 50_000;

/** Whether this edition's bytes were loaded before. */
export async function editionLoaded(store: Store, edition: string, checksum: string): Promise<boolean> {
  const rows = await queryRows(
    store.client,
    'SELECT 1 FROM division_editions WHERE edition = {edition:String} AND checksum = {checksum:String} LIMIT 1',
    { edition, checksum },
  );
  return rows.length > 0;
}

/** Complete editions other than `edition` that were loaded: the user moved on from the shipped table. */
export async function otherCompleteEditions(store: Store, edition: string): Promise<string[]> {
  const rows = await queryRows<{ edition: string }>(
    store.client,
    "SELECT DISTINCT edition FROM division_editions WHERE mode = 'complete' AND edition != {edition:String}",
    { edition },
  );
  return rows.map((r) => r.edition);
}

/**
 * Loads an edition of the division table into the warehouse, idempotently: the same edition from
 * the same bytes is recorded once in division_editions and skipped after that. Rows are only ever
 * added (ReplacingMergeTree keeps each code's latest), so a load interrupted half-way is finished
 * by running it again.
 */
export async function loadEdition(store: Store, load: EditionToLoad): Promise<EditionLoadResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  if (await editionLoaded(store, load.edition.id, load.checksum))
    return { status: 'unchanged', places: load.catalogue.size, retired: 0, codeChanges: 0, seconds: seconds() };

  let retired = 0;
  const changes: CodeChangeRow[] = [...(load.codeChanges ?? [])];
  if (load.mode === 'complete') {
    const before = await currentCatalogue(store);
    const dropped = [...before].filter((d) => !load.catalogue.has(d.code));
    await insertInChunks(
      store,
      dropped.map((d) => divisionRow(d, load.edition.id, true)),
    );
    retired = dropped.length;
    if (dropped.length > 0 && load.deriveChanges) changes.push(...load.deriveChanges(before, load.catalogue));
  }
  const rows = function* () {
    for (const division of load.catalogue) yield divisionRow(division, load.edition.id);
  };
  await insertInChunks(store, rows());
  for (let start = 0; start < changes.length; start += ROWS_PER_INSERT) {
    await insertRows(
      store.client,
      'division_code_changes',
      changes.slice(start, start + ROWS_PER_INSERT).map((c) => ({
        retired_code: c.retiredCode,
        current_code: c.currentCode,
        method: c.method,
        retired_in: c.retiredIn,
        retired_name: c.retiredName,
        current_name: c.currentName,
      })),
    );
  }
  await insertRows(
    store.client,
    'division_editions',
    [
      {
        ...load.edition,
        edition: load.edition.id,
        checksum: load.checksum,
        mode: load.mode,
        places: load.catalogue.size,
        retired,
        code_changes: changes.length,
      },
    ],
    { columns: ['edition', 'title', 'source', 'checksum', 'mode', 'places', 'retired', 'code_changes'] },
  );
  log.info(
    { edition: load.edition.id, mode: load.mode, places: load.catalogue.size, retired, codeChanges: changes.length, seconds: seconds() },
    'division edition loaded',
  );
  return { status: 'loaded', places: load.catalogue.size, retired, codeChanges: changes.length, seconds: seconds() };
}

async function insertInChunks(store: Store, rows: Iterable<Record<string, unknown>>): Promise<void> {
  let chunk: Record<string, unknown>[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === ROWS_PER_INSERT) {
      await insertRows(store.client, 'divisions', chunk, { columns: DIVISION_COLUMNS });
      chunk = [];
    }
  }
  await insertRows(store.client, 'divisions', chunk, { columns: DIVISION_COLUMNS });
}
