import cron, { type ScheduledTask } from 'node-cron';
import { createLogger } from '@govstats/log';
import { CHINA_TIME_ZONE } from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { requireCity, UnknownCityError } from './check-city.ts';
import { rebuildIndex } from './catalog/publish-index.ts';
import type { BulletinPeriod, PeriodKind } from './document.ts';
import { DEFAULT_LOCK_WAIT_MS, issueBulletin, type IssuedBulletin } from './issue-bulletin.ts';
import { IssuerBusyError } from './issuer-lock.ts';
import type { BulletinMetrics } from './metrics.ts';
import { duePeriods } from './schedule.ts';
import { DEFAULT_FINAL_AFTER_DAYS, statusAt } from './status.ts';

export interface BulletinScheduleOptions {
  /** 4-digit-prefix city codes, 12 digits each. */
  cities: string[];
  kinds: PeriodKind[];
  /** Days after a period closes before its bulletin is issued. */
  delayDays: number;
  /** First day whose periods get bulletins (YYYY-MM-DD). */
  since: string;
  /** Recent periods per kind checked again on every run: late events there give a new revision. */
  recheck: number;
  outDir: string;
  /** Cron expression, Asia/Shanghai time. Default: 03:00 every day. */
  cron?: string;
  /** How long to wait for another issuer of a city before leaving it to the next run (default 2 minutes). */
  lockWaitMs?: number;
  /** Printed in every bulletin (BULLETIN_ISSUER). */
  issuer?: string;
  /** Days after a period closes from which its bulletin is final (BULLETIN_FINAL_AFTER_DAYS, status.ts). */
  finalAfterDays?: number;
  /** Where each run's outcome, duration and issues are counted (the /metrics of `govstats bulletin --serve`). */
  metrics?: BulletinMetrics;
}

export interface BulletinService {
  /** Issues what is due and not issued yet (catch-up) and re-checks recent periods. */
  runDue(): Promise<IssuedBulletin[]>;
  start(): Promise<IssuedBulletin[]>;
  stop(): void;
}

const log = createLogger('bulletin-service');

export function createBulletinService(store: Store, options: BulletinScheduleOptions, clock: () => number = Date.now): BulletinService {
  let task: ScheduledTask | undefined;
  let running: Promise<IssuedBulletin[]> | undefined;

  async function runDue(): Promise<IssuedBulletin[]> {
    const now = clock();
    const results: IssuedBulletin[] = [];
    for (const cityCode of options.cities) {
      try {
        await requireCity(store, cityCode);
      } catch (error) {
        // The catalogue changed under a running service (a newer edition retired the city): the
        // other cities' bulletins go on, and this one is reported on every run until fixed.
        if (!(error instanceof UnknownCityError)) throw error;
        log.error({ city: cityCode }, `no bulletins for ${cityCode}: ${error.message}`);
        options.metrics?.citySkipped(cityCode, 'unknown_city');
        continue;
      }
      const lastIssued = await lastIssuedAt(store, cityCode);
      const finalAfterDays = options.finalAfterDays ?? DEFAULT_FINAL_AFTER_DAYS;
      // A period whose last revision is preliminary gets its final one once it may, however old.
      const awaitingFinal = (period: BulletinPeriod) => {
        const last = lastIssued.get(period.key);
        return (
          last !== undefined &&
          statusAt(period, last, finalAfterDays) === 'preliminary' &&
          statusAt(period, now, finalAfterDays) === 'final'
        );
      };
      const { issuer, lockWaitMs, outDir } = options;
      try {
        for (const kind of options.kinds) {
          const due = duePeriods(kind, now, options.since, options.delayDays);
          const recent = new Set(due.slice(-options.recheck).map((p) => p.key));
          for (const period of due.filter((p) => !lastIssued.has(p.key) || recent.has(p.key) || awaitingFinal(p))) {
            results.push(await issueBulletin(store, { cityCode, period, outDir, now, lockWaitMs, issuer, finalAfterDays }));
          }
        }
      } catch (error) {
        // Someone else has been issuing this city for longer than we wait (a long manual run):
        // the other cities go on, and the next run catches this one up.
        if (!(error instanceof IssuerBusyError)) throw error;
        log.warn({ city: cityCode }, `bulletins of ${cityCode} left for the next run: ${error.message}`);
        options.metrics?.citySkipped(cityCode, 'issuer_busy');
      }
    }
    const counts = { new: 0, revised: 0, unchanged: 0 };
    for (const r of results) counts[r.status]++;
    log.info(counts, 'bulletin run finished');
    return results;
  }

  /**
   * Every configured city must be a city of the catalogue before the service starts: a wrong code
   * in BULLETIN_CITIES is a configuration mistake, and like any other bad setting it stops the
   * process at start with what is wrong, rather than a service that runs for months and never
   * issues that city's bulletin.
   */
  async function checkCities(): Promise<void> {
    const refused: UnknownCityError[] = [];
    for (const cityCode of options.cities) {
      await requireCity(store, cityCode).catch((error: unknown) => {
        if (!(error instanceof UnknownCityError)) throw error;
        refused.push(error);
      });
    }
    if (refused.length > 0)
      throw new UnknownCityError(
        refused.flatMap((e) => e.cityCodes),
        refused.map((e) => e.message).join('\n'),
      );
  }

  /** When each issued period of a city was last issued (epoch ms). */
  async function lastIssuedAt(store: Store, cityCode: string): Promise<Map<string, number>> {
    const rows = await queryRows<{ period: string; last: string }>(
      store.client,
      'SELECT period, max(generated_at) AS last FROM bulletins WHERE city_code = {city:String} GROUP BY period',
      { city: cityCode },
    );
    // DateTime64 in UTC, as `2024-10-05 02:00:00.000`.
    return new Map(rows.map((r) => [r.period, Date.parse(`${r.last.replace(' ', 'T')}Z`)]));
  }

  /** A run, timed, its outcome counted: a failing or stalled service shows on /metrics, not only in its log. */
  async function measuredRun(): Promise<IssuedBulletin[]> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const results = await runDue();
      options.metrics?.runSucceeded(results, seconds(), clock());
      return results;
    } catch (error) {
      options.metrics?.runFailed(error, seconds(), clock());
      throw error;
    }
  }

  /** One run at a time: a slow run and the next cron tick must not issue the same revision twice. */
  const runExclusive = () => (running ??= measuredRun().finally(() => (running = undefined)));

  return {
    runDue: runExclusive,
    async start() {
      await checkCities();
      // Whatever a crash left of the index (a revision published, the index not yet updated).
      await rebuildIndex(options.outDir, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS).catch((error: unknown) =>
        log.error({ err: error }, 'the bulletin index could not be rebuilt; the next issue tries again'),
      );
      const caughtUp = await runExclusive();
      task = cron.schedule(
        options.cron ?? '0 3 * * *',
        () => void runExclusive().catch((error: unknown) => log.error({ err: error }, 'bulletin run failed')),
        {
          timezone: CHINA_TIME_ZONE,
          name: 'govstats-bulletins',
          noOverlap: true,
        },
      );
      return caughtUp;
    },
    stop() {
      void task?.stop();
    },
  };
}
