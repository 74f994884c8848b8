import { parseArgs } from 'node:util';
import { UnknownCityError, createBulletinService, issueBulletin, parsePeriod } from '@govstats/bulletin';
import { UsageError, config, connectStore, withStore } from '../runtime.ts';

export const usage = `govstats bulletin --city CODE --period 2024|2024-Q3|2024-07 [--out DIR] [--json]
  Produces the city's statistical bulletin (统计公报) for a period: HTML (A4), Markdown, CSV and
  JSON under DIR (default $GOVSTATS_HOME/bulletins), recorded in ClickHouse. Issuing it again is a
  no-op unless late events changed the figures, which gives a new revision. CODE must be a city of
  the division catalogue (exit code 2 otherwise); a province-level municipality's is its
  city-level code, e.g. 110100000000 for 北京.
govstats bulletin --serve
  Runs the bulletin service: issues what is due (BULLETIN_CITIES, BULLETIN_SINCE, BULLETIN_DELAY_DAYS)
  at start, then daily at 03:00 Asia/Shanghai, until SIGINT/SIGTERM.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      city: { type: 'string' },
      period: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      serve: { type: 'boolean' },
    },
  });
  const cfg = config();
  if (values.serve) return serve(cfg);
  if (!values.city || !/^\d{4}0{8}$/.test(values.city))
    throw new UsageError(`--city must be a 12-digit city code such as 411200000000\n${usage}`);
  let period;
  try {
    period = parsePeriod(values.period ?? '');
  } catch (error) {
    throw new UsageError(`--${(error as Error).message}`);
  }
  const city = values.city;
  const result = await withStore(cfg, (store) =>
    issueBulletin(store, { cityCode: city, period, outDir: values.out ?? cfg.bulletin.outDir, now: Date.now() }),
  ).catch((error: unknown) => {
    // Exit code 2 with the reason, as for any other wrong argument; nothing was written.
    throw error instanceof UnknownCityError ? new UsageError(error.message) : error;
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ status: result.status, files: result.files, document: result.document }, null, 2)}\n`);
  } else {
    const { document } = result;
    process.stdout.write(`${document.city.name}${document.period.label}统计公报 · revision ${document.revision} · ${result.status}\n`);
    for (const file of result.files) process.stdout.write(`  ${file}\n`);
    for (const change of document.changes) process.stdout.write(`  修订: ${change}\n`);
  }
  return 0;
}

async function serve(cfg: ReturnType<typeof config>): Promise<number> {
  const store = await connectStore(cfg, 'host');
  const service = createBulletinService(store, {
    cities: cfg.bulletin.cities,
    kinds: ['month', 'quarter', 'year'],
    delayDays: cfg.bulletin.delayDays,
    since: cfg.bulletin.since,
    recheck: 2,
    outDir: cfg.bulletin.outDir,
  });
  try {
    await service.start().catch((error: unknown) => {
      throw error instanceof UnknownCityError ? new UsageError(`BULLETIN_CITIES: ${error.message}`) : error;
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    service.stop();
    return 0;
  } finally {
    await store.close();
  }
}
