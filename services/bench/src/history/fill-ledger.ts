// Child process of the bench, `fill-ledger.ts DATA_DIR EVENTS`: migrates the embedded store in
// DATA_DIR and puts EVENTS prior events in its ledger (random UUIDs, as real producers send),
// compacted as in a store that has been running a while. A process of its own: the engine binds one
// data directory per process.
import { EVENT_TYPES } from '@govstats/schemas';
import { openStore, runCommand } from '@govstats/store';
import { EVENT_KEYS_TABLE, SINGLE_NODE, setUpWarehouse } from '@govstats/warehouse';

const [dataDir, count] = process.argv.slice(2);
const events = Number(count);
if (!dataDir || !Number.isSafeInteger(events) || events < 0)
  throw new Error('usage: fill-ledger.ts DATA_DIR EVENTS (a count of prior events)');
/** Rows per INSERT … SELECT: bounded so the statement's memory stays small whatever the history. */
const CHUNK = 10_000_000;
/** Prior events are of every type in turn. */
const TYPE_NAMES = `[${EVENT_TYPES.map((t) => `'${t.name}'`).join(', ')}]`;

const store = await openStore({ dataDir });
try {
  await setUpWarehouse(store, SINGLE_NODE);
  for (let start = 0; start < events; start += CHUNK) {
    await runCommand(
      store.client,
      `INSERT INTO ${EVENT_KEYS_TABLE} (event_id, source, event_type, ingested_at)
SELECT toString(generateUUIDv4(number)), 'urn:govstats:bench:history', ${TYPE_NAMES}[number % ${EVENT_TYPES.length} + 1], now64(3)
FROM numbers(${start}, ${Math.min(CHUNK, events - start)})`,
    );
    process.stdout.write(`${Math.min(events, start + CHUNK)}\n`);
  }
  // A key-value table compacts on its own (there is no FINAL); a store that ran a while has.
  if (events > 0) await runCommand(store.client, `OPTIMIZE TABLE ${EVENT_KEYS_TABLE}`);
} finally {
  await store.close();
}
