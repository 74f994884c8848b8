import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@govstats/log';
import { openStore, readLease, runCommand, startReadOnlyServer } from './src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'govstats-try-'));
const dataDir = join(dir, 'chdb');
const holder = await openStore({ dataDir, host: true, sessions: 2 });
const lease = readLease(dataDir)!;
await runCommand(holder.client, 'CREATE TABLE retried (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100');
await runCommand(holder.client, 'CREATE TABLE raw_secret (code String, n UInt32) ENGINE = MergeTree ORDER BY code');
await runCommand(holder.client, "INSERT INTO raw_secret SELECT concat('4112', toString(number)), number FROM numbers(10)");
await runCommand(holder.client, 'CREATE VIEW figures_daily AS SELECT code, n FROM raw_secret');
const { url } = await startReadOnlyServer({
  client: holder.client, host: '127.0.0.1', port: 0, user: 'reader', password: 'pw',
  maxRows: 5, maxSeconds: 1, scope: { database: 'default', views: new Set(['figures_daily']) }, logger: createLogger('ro'),
});
writeFileSync('/tmp/govstats-try-env.sh', `HOST=${lease.url}\nTOK=${lease.token}\nADM=${lease.adminToken}\nRO=${url}\nDIR=${dir}\n`);
console.log('ready', dir);
process.on('SIGTERM', async () => { await holder.close(); process.exit(0); });
setInterval(() => {}, 1 << 30);
