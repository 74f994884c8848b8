import { chmodSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createClient, type ClickHouseClient } from '@clickhouse/client';

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];
import { createLogger, retry } from '@govstats/log';
import { startHostServer } from './embedded/host-server.ts';
import { newEndpointSecret, readLease, removeLease, writeLease } from './embedded/lease.ts';
import { createSessionPool } from './embedded/session-pool.ts';
import type { Store } from './store.ts';

export interface StoreOptions {
  /** A ClickHouse server, e.g. http://user:password@clickhouse:8123; unset = embedded engine. */
  url?: string;
  username?: string;
  password?: string;
  database?: string;
  /** Data directory of the embedded engine. */
  dataDir: string;
  /**
   * Long-running processes host the embedded engine for the others: they serve it on loopback
   * and advertise that in a lease file. Short CLI commands need not.
   */
  host?: boolean;
  /** Embedded engine only: statements that may run at once (default: one per core, at most 4). */
  sessions?: number;
  /**
   * Embedded engine held by another process: act as the owner's admin (DDL, SYSTEM), as
   * `govstats migrate` does. Other callers may only read and insert.
   */
  admin?: boolean;
}

const log = createLogger('store');

/**
 * Migrations and backfills may run for minutes. Progress headers keep the HTTP response alive
 * meanwhile, so no proxy or load balancer closes an idle socket (the embedded endpoint ignores them).
 */
const LONG_QUERIES = {
  request_timeout: 300_000,
  clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' },
} as const;

/** How long to wait for another process's endpoint when it holds the engine but has no lease yet. */
const LEASE_WAIT_MS = 15_000;

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.url) return await openServerStore(options);
  ownerOnlyDirectory(options.dataDir);
  try {
    // Locked: another process is opening the engine right now, and its lease will appear.
    return await retry(async () => (await connectToHolder(options.dataDir, options.admin ?? false)) ?? (await openEmbeddedStore(options)), {
      backoff: { initialMs: 250, maxMs: 250 },
      giveUpAfterMs: LEASE_WAIT_MS,
      retryable: isLockedByAnotherProcess,
    });
  } catch (error) {
    throw new Error(
      `cannot open the embedded ClickHouse engine in ${options.dataDir}: ${(error as Error).message}. ` +
        'If another govstats process holds it, wait for it to start serving or stop it; ' +
        'set CLICKHOUSE_URL to use a ClickHouse server instead.',
      { cause: error },
    );
  }
}

async function openServerStore(options: StoreOptions): Promise<Store> {
  const connect = (database?: string) =>
    createClient({ url: options.url, username: options.username, password: options.password, database, ...LONG_QUERIES });
  if (options.database) {
    // The database must exist before a client can use it as its default.
    const bootstrap = connect();
    try {
      // Looked up first: ClickHouse checks the CREATE DATABASE grant even when the database exists,
      // and only the migrator has it.
      const found = await bootstrap.query({
        query: 'SELECT 1 FROM system.databases WHERE name = {name:String}',
        query_params: { name: options.database },
        format: 'JSONEachRow',
      });
      if ((await found.json()).length === 0) await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${options.database}` });
    } finally {
      await bootstrap.close();
    }
  }
  const client = connect(options.database);
  const location = new URL(options.url!).host;
  return { client, mode: 'server', location, close: () => client.close() };
}

/** The data and the lease's secrets are the owner's alone (0700), whatever the umask. */
function ownerOnlyDirectory(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dataDir, 0o700);
  } catch (error) {
    log.warn({ dataDir, err: error }, 'cannot make the data directory private to its owner (chmod 700 it)');
  }
}

async function connectToHolder(dataDir: string, admin: boolean): Promise<Store | undefined> {
  const lease = readLease(dataDir);
  if (!lease) return undefined;
  const client = createClient({
    url: lease.url,
    username: admin ? 'govstats-admin' : 'govstats',
    password: admin ? lease.adminToken : lease.token,
    ...LONG_QUERIES,
  });
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    return undefined;
  }
  log.debug({ holder: lease.pid, url: lease.url }, 'using the embedded engine held by another process');
  return { client, mode: 'embedded-remote', location: `${dataDir} (held by pid ${lease.pid})`, close: () => client.close() };
}

async function openEmbeddedStore(options: StoreOptions): Promise<Store> {
  const connection = createSessionPool(options.dataDir, options.sessions ?? Math.min(4, availableParallelism()));
  // chdb types its connection against @clickhouse/client-common, the client bundles its own copy
  // of the same interface; they are structurally one contract.
  const client: ClickHouseClient = createClient({ connection: connection as unknown as ClientConnection });
  if (!options.host) {
    return { client, mode: 'embedded', location: options.dataDir, close: () => client.close() };
  }
  const secrets = { token: newEndpointSecret(), adminToken: newEndpointSecret() };
  const { url, server } = await startHostServer(connection, secrets, log);
  writeLease(options.dataDir, { pid: process.pid, url, startedAt: new Date().toISOString(), ...secrets });
  log.info({ dataDir: options.dataDir, url }, 'embedded ClickHouse engine open; other processes reach it here');
  return {
    client,
    mode: 'embedded',
    location: options.dataDir,
    async close() {
      removeLease(options.dataDir);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
    },
  };
}

function isLockedByAnotherProcess(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ''} ${String((error as Error)?.cause ?? '')}`;
  return /Cannot lock file|Another server instance|Failed to create connection/i.test(text);
}
