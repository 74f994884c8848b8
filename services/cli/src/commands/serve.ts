import { EVENT_TYPES } from '@govstats/schemas';
import { startReadOnlyServer } from '@govstats/store';
import { viewName } from '@govstats/warehouse';
import { createLogger } from '@govstats/log';
import { UsageError, config, connectStore } from '../runtime.ts';

export const usage = `govstats serve
  Opt-in read-only SQL endpoint on the embedded engine for people and BI tools: ClickHouse's HTTP
  interface on SERVE_HOST:SERVE_PORT (default 127.0.0.1:8124), user SERVE_USER, password
  SERVE_PASSWORD or SERVE_PASSWORD_FILE (required). SELECT on the readable views only, at most
  SERVE_MAX_ROWS rows and SERVE_MAX_SECONDS seconds per statement. Runs until SIGINT/SIGTERM.
  With CLICKHOUSE_URL, give BI tools the server's reader user instead (infra/clickhouse/ACCESS.md).`;

const GRAINS = ['daily', 'monthly', 'month_totals', 'year_totals'] as const;

export async function run(): Promise<number> {
  const cfg = config();
  if (cfg.clickhouse.url) {
    throw new UsageError(
      'a ClickHouse server has its own users: give people and BI tools the reader user that `govstats migrate` creates (infra/clickhouse/ACCESS.md)',
    );
  }
  const { password } = cfg.serve;
  if (!password) throw new UsageError('set SERVE_PASSWORD or SERVE_PASSWORD_FILE (at least 12 characters) to serve');
  const store = await connectStore(cfg, 'host');
  const views = new Set(EVENT_TYPES.flatMap((type) => GRAINS.map((grain) => viewName(type, grain))));
  const { url, server } = await startReadOnlyServer({
    client: store.client,
    ...cfg.serve,
    password,
    scope: { database: 'default', views },
    logger: createLogger('serve'),
  });
  process.stdout.write(
    `govstats serve: read-only SQL on ${url} for user ${cfg.serve.user}: SELECT on ${views.size} readable views. Ctrl-C stops.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  return 0;
}
