import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BulletinMetrics,
  UnknownCityError,
  createBulletinService,
  issueBulletin,
  parsePeriod,
  rebuildIndex,
  type BulletinStatus,
} from '@govstats/bulletin';
import { startHealthServer } from '@govstats/ingest';
import { UsageError, config, connectStore, withStore } from '../runtime.ts';

export const usage = `govstats bulletin --city CODE --period 2024|2024-Q3|2024-07 [--out DIR] [--json]
  Produces the city's statistical bulletin (统计公报) for a period: HTML (A4), Markdown, CSV and
  JSON under DIR (default $GOVSTATS_HOME/bulletins), recorded in ClickHouse. Issuing it again is a
  no-op unless late events changed the figures, which gives a new revision. CODE must be a city of
  the division catalogue (exit code 2 otherwise); a province-level municipality's is its
  city-level code, e.g. 110100000000 for 北京.
  Each bulletin names its issuer (BULLETIN_ISSUER) and is preliminary until BULLETIN_FINAL_AFTER_DAYS
  after the period closed, final from then on. Every issue also updates DIR/index.html,
  DIR/catalog.json, DIR/<city>/<period>/latest/ and DIR/<city>/series-<kind>.csv.
govstats bulletin --index [--out DIR]
  Rebuilds index.html, catalog.json, the latest/ copies and the series CSVs from the bulletin files
  under DIR alone (no ClickHouse needed), e.g. after a crash between publishing and indexing.
govstats bulletin --serve
  Runs the bulletin service: issues what is due (BULLETIN_CITIES, BULLETIN_SINCE, BULLETIN_DELAY_DAYS)
  at start, then daily at 03:00 Asia/Shanghai, until SIGINT/SIGTERM.`;

export const STATUS_WORDS: Record<BulletinStatus, string> = { preliminary: '初步数据 (preliminary)', final: '最终数据 (final)' };

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      city: { type: 'string' },
      period: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      serve: { type: 'boolean' },
      index: { type: 'boolean' },
    },
  });
  const cfg = config();
  if (values.serve) return serve(cfg);
  if (values.index) return index(values.out ?? cfg.bulletin.outDir, values.json ?? false);
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
    issueBulletin(store, {
      cityCode: city,
      period,
      outDir: values.out ?? cfg.bulletin.outDir,
      now: Date.now(),
      issuer: cfg.bulletin.issuer,
      finalAfterDays: cfg.bulletin.finalAfterDays,
    }),
  ).catch((error: unknown) => {
    // Exit code 2 with the reason, as for any other wrong argument; nothing was written.
    throw error instanceof UnknownCityError ? new UsageError(error.message) : error;
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ status: result.status, files: result.files, document: result.document }, null, 2)}\n`);
  } else {
    const { document } = result;
    process.stdout.write(
      `${document.city.name}${document.period.label}统计公报 · revision ${document.revision} · ${STATUS_WORDS[document.status]} · ${result.status}\n`,
    );
    for (const file of result.files) process.stdout.write(`  ${file}\n`);
    for (const change of document.changes) process.stdout.write(`  修订: ${change}\n`);
    process.stdout.write(`  index: ${join(values.out ?? cfg.bulletin.outDir, 'index.html')}\n`);
  }
  return 0;
}

/** `--index`: everything derived from the bulletin files, rebuilt from them. */
async function index(outDir: string, json: boolean): Promise<number> {
  const catalog = await rebuildIndex(outDir, 120_000);
  const periods = catalog.cities.flatMap((c) => c.periods);
  if (json) process.stdout.write(`${JSON.stringify(catalog, null, 2)}\n`);
  else
    process.stdout.write(
      `${catalog.cities.length} cities, ${periods.length} periods, ${periods.reduce((n, p) => n + p.revisions.length, 0)} revisions\n` +
        `  ${join(outDir, 'index.html')}\n  ${join(outDir, 'catalog.json')}\n`,
    );
  return 0;
}

async function serve(cfg: ReturnType<typeof config>): Promise<number> {
  const store = await connectStore(cfg, 'host');
  const metrics = new BulletinMetrics();
  const service = createBulletinService(store, {
    cities: cfg.bulletin.cities,
    kinds: ['month', 'quarter', 'year'],
    delayDays: cfg.bulletin.delayDays,
    since: cfg.bulletin.since,
    recheck: 2,
    outDir: cfg.bulletin.outDir,
    issuer: cfg.bulletin.issuer,
    finalAfterDays: cfg.bulletin.finalAfterDays,
    metrics,
  });
  let endpoint: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  try {
    // Up before the catch-up run, which may take minutes: Prometheus sees the service from its start.
    if (cfg.bulletin.metricsPort > 0)
      endpoint = await startHealthServer(
        cfg.bulletin.metricsPort,
        () => metrics.text(),
        () => metrics.health(),
        cfg.bulletin.metricsHost,
      );
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
    await endpoint?.close();
    await store.close();
  }
}
