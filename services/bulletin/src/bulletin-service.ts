import cron, { type ScheduledTask } from 'node-cron';
import { createLogger } from '@govstats/log';
import { CHINA_TIME_ZONE } from '@govstats/schemas';
import { queryRows, type Store } from '@govstats/store';
import { requireCity, UnknownCityError } from './check-city.ts';
import type { PeriodKind } from './document.ts';
import { issueBulletin, type IssuedBulletin } from './issue-bulletin.ts';
import { IssuerBusyError } from './issuer-lock.ts';
import { duePeriods } from './schedule.ts';

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
        continue;
      }
      const issued = new Set(
        (
          await queryRows<{ period: string }>(store.client, 'SELECT DISTINCT period FROM bulletins WHERE city_code = {city:String}', {
            city: cityCode,
          })
        ).map((r) => r.period),
      );
      try {
        for (const kind of options.kinds) {
          const due = duePeriods(kind, now, options.since, options.delayDays);
          const recent = new Set(due.slice(-options.recheck).map((p) => p.key));
          for (const period of due.filter((p) => !issued.has(p.key) || recent.has(p.key))) {
            results.push(await issueBulletin(store, { cityCode, period, outDir: options.outDir, now, lockWaitMs: options.lockWaitMs }));
          }
        }
      } catch (error) {
        // Someone else has been issuing this city for longer than we wait (a long manual run):
        // the other cities go on, and the next run catches this one up.
        if (!(error instanceof IssuerBusyError)) throw error;
        log.warn({ city: cityCode }, `bulletins of ${cityCode} left for the next run: ${error.message}`);
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

  /** One run at a time: a slow run and the next cron tick must not issue the same revision twice. */
  const runExclusive = () => (running ??= runDue().finally(() => (running = undefined)));

  return {
    runDue: runExclusive,
    async start() {
      await checkCities();
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
