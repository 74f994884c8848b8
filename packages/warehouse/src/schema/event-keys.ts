import { dedupSettings, engine, onCluster, quoteString, type DdlOptions } from './ddl-options.ts';

/**
 * The ledger of loaded events, keyed by one string: ingest looks up every event of every batch
 * in it, so the lookup must stay cheap as the history grows to hundreds of millions of events.
 *
 * - Single node: EmbeddedRocksDB, a key-value table. `key IN (subquery)` is a point read per key:
 *   30,000 random misses took 77–101 ms at 100M keys once compacted, with the bloom filters of
 *   the embedded engine's config (0.7–0.9 s at 10M before filters; seconds while a bulk fill is
 *   still compacting), where the sorted MergeTree it replaced took 1.6 s at 10M. Re-inserting a key
 *   overwrites it, so a retried ledger insert is a no-op as on MergeTree. The table is local to
 *   its server and has no replication, hence:
 * - Replicated (a cluster): a ReplacingMergeTree kept on every node, sorted by the same key, so
 *   any node answers a lookup with the quorum reads of cluster-settings.ts.
 */
export const EVENT_KEYS_TABLE = 'event_keys';

/**
 * CloudEvents identity as one string: the source, a NUL, the id. Ids are restricted to
 * [A-Za-z0-9._:-] by the contracts and sources are URIs, so no NUL occurs in either and the pair
 * is unambiguous. Both arguments are SQL expressions.
 */
export function eventKeySql(sourceSql: string, idSql: string): string {
  return `concat(${sourceSql}, '\\0', ${idSql})`;
}

export function eventKeysTableDdl(options: DdlOptions): string {
  const columns = `(
  event_key String DEFAULT ${eventKeySql('source', 'event_id')} COMMENT 'source, NUL, id: what identifies a CloudEvent',
  event_id String,
  source String,
  event_type LowCardinality(String),
  ingested_at DateTime64(3, 'UTC')
)`;
  if (!options.replicated)
    return `CREATE TABLE IF NOT EXISTS ${EVENT_KEYS_TABLE} ${columns} ENGINE = EmbeddedRocksDB PRIMARY KEY event_key`;
  return `CREATE TABLE IF NOT EXISTS ${EVENT_KEYS_TABLE}${onCluster(options)} ${columns} ENGINE = ${engine('ReplacingMergeTree', options)}
ORDER BY event_key
SETTINGS ${dedupSettings(options)}`;
}

/** Copies one event type's rows of the ledger that event_keys replaced (re-running it rewrites the same keys). */
export function copyLedgerOfTypeSql(typeName: string): string {
  return `INSERT INTO ${EVENT_KEYS_TABLE} (event_id, source, event_type, ingested_at) SELECT event_id, source, event_type, ingested_at FROM event_ledger FINAL WHERE event_type = ${quoteString(typeName)}`;
}

/**
 * Which of these ids of one source the ledger lists: `event_key IN (subquery)`, the form
 * EmbeddedRocksDB turns into point reads (an IN over an array expression scans the whole table).
 * The ids travel as one comma-separated literal split by the engine: parsing one literal is far
 * cheaper than parsing thousands. Contracts restrict ids to [A-Za-z0-9._:-], which can neither
 * break out of the literal nor contain the comma; anything else is refused here to be sure.
 */
export function listedKeysSql(source: string, ids: readonly string[]): string {
  for (const id of ids)
    if (!/^[A-Za-z0-9._:-]+$/.test(id)) throw new Error(`unsafe event id reached the ledger lookup: ${JSON.stringify(id)}`);
  const keys = eventKeySql(quoteString(source), `arrayJoin(splitByChar(',', '${ids.join(',')}'))`);
  return `SELECT event_id, source FROM ${EVENT_KEYS_TABLE} WHERE event_key IN (SELECT ${keys})`;
}
