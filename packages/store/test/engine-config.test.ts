import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, queryRows, runCommand, type Store } from '../src/index.ts';

const CONFIG = readFileSync(join(import.meta.dirname, '..', 'src', 'embedded', 'engine-config.xml'), 'utf8').replace(
  /<!--[\s\S]*?-->/g,
  '',
);
const configured = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(CONFIG)?.[1];

/** The embedded engine starts with engine-config.xml: caches sized for a process it shares, bloom filters for key-value tables. */
describe('the embedded engine configuration', () => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-engine-config-'));
    store = await openStore({ dataDir: dir });
  }, 120_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sizes the caches as the file says, not to half the machine', async () => {
    const names = ['mark_cache_size', 'primary_index_cache_size', 'index_mark_cache_size'];
    const rows = await queryRows<{ name: string; value: string }>(
      store.client,
      `SELECT name, value FROM system.server_settings WHERE name IN (${names.map((n) => `'${n}'`).join(', ')}) ORDER BY name`,
    );
    expect(rows.length).toBe(names.length);
    for (const { name, value } of rows) {
      expect(configured(name), `${name} is set in engine-config.xml`).toBeDefined();
      expect(value, name).toBe(configured(name));
      expect(Number(value), `${name} stays small`).toBeLessThanOrEqual(64 * 1024 * 1024);
    }
  });

  it('opens key-value tables with the bloom filters the file names', async () => {
    const policy = configured('filter_policy');
    expect(policy).toMatch(/^bloomfilter:/);
    await runCommand(store.client, 'CREATE TABLE kv (k String, v UInt8) ENGINE = EmbeddedRocksDB PRIMARY KEY k');
    await runCommand(store.client, "INSERT INTO kv SELECT concat('key-', toString(number)), 1 FROM numbers(1000)");
    const [table] = await queryRows<{ path: string }>(store.client, "SELECT data_paths[1] AS path FROM system.tables WHERE name = 'kv'");
    // RocksDB writes the options it opened the table with into OPTIONS-<n> beside its files.
    const dataDir = table!.path;
    const options = readdirSync(dataDir).filter((f) => f.startsWith('OPTIONS-'));
    expect(options.length).toBeGreaterThan(0);
    expect(readFileSync(join(dataDir, options.sort().at(-1)!), 'utf8')).toContain(`filter_policy=${policy}`);
  });
});
