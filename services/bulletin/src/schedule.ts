import { chinaDate, DAY_MS } from '@govstats/schemas';
import type { BulletinPeriod, PeriodKind } from './document.ts';
import { periodContaining, periodEnd, previousPeriod } from './period.ts';

/**
 * Periods of `kind` that have closed at least `delayDays` before `now` (so late reports had time
 * to arrive), from the one containing `since` up to the latest, oldest first.
 */
export function duePeriods(kind: PeriodKind, now: number, since: string, delayDays: number): BulletinPeriod[] {
  const due: BulletinPeriod[] = [];
  let period = periodContaining(kind, chinaDate(now));
  while (periodEnd(period) + delayDays * DAY_MS > now) period = previousPeriod(period);
  const first = periodContaining(kind, since);
  for (; period.from >= first.from; period = previousPeriod(period)) due.unshift(period);
  return due;
}
