import type { ClickHouseClient } from '@clickhouse/client';

/**
 * - `server`: a ClickHouse server over HTTP (CLICKHOUSE_URL), production and docker-compose.
 * - `embedded`: this process opened the chdb engine on the data directory.
 * - `embedded-remote`: another govstats process holds the data directory; we talk to it over
 *   its loopback HTTP endpoint, so CLI commands work while a long-running service is up.
 */
export type StoreMode = 'server' | 'embedded' | 'embedded-remote';

/** The ClickHouse seam: one @clickhouse/client API whatever the engine behind it. */
export interface Store {
  client: ClickHouseClient;
  mode: StoreMode;
  /** Where the data lives, for logs and error messages. */
  location: string;
  close(): Promise<void>;
}
