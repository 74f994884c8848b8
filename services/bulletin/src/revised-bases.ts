import { queryRows, type Store } from '@govstats/store';
import type { BulletinContent } from './collect-figures.ts';
import type { BulletinPeriod, RevisedBase } from './document.ts';
import { previousPeriod, yearAgoPeriod } from './period.ts';
import { formatNumber } from './render/format.ts';
import { sameKey } from './revisions.ts';

/*
 * A bulletin compares each headline figure with the previous period and the same period a year
 * earlier, using those periods' figures as they are now. When late events changed a base period
 * after its own bulletin was issued, the base differs from what that bulletin printed, and a reader
 * putting the two bulletins side by side would find numbers that do not match. Such bases are
 * listed, so the bulletin can say so (上年同期数据已修订：公报发布为 X，现为 Y).
 */

interface LatestRevision {
  revision: number;
  content: string;
}

/** The figures of the base period's latest issued bulletin, if it has one. */
async function latestIssued(store: Store, cityCode: string, period: BulletinPeriod): Promise<LatestRevision | undefined> {
  const [row] = await queryRows<LatestRevision>(
    store.client,
    `SELECT revision, content FROM bulletins FINAL
WHERE city_code = {city:String} AND period = {period:String} ORDER BY revision DESC LIMIT 1`,
    { city: cityCode, period: period.key },
  );
  return row;
}

/**
 * The comparison bases of `content` that differ, as printed (at the precision the bulletin shows),
 * from the latest issued bulletin of their period. A base now empty (the period is not covered)
 * compares nothing, so it is not listed; a period with no bulletin of its own has nothing to differ from.
 */
export async function findRevisedBases(store: Store, content: BulletinContent): Promise<RevisedBase[]> {
  const bases = [
    { basis: 'previous' as const, period: previousPeriod(content.period) },
    { basis: 'yearAgo' as const, period: yearAgoPeriod(content.period) },
  ];
  const revised: RevisedBase[] = [];
  const seen = new Set<string>();
  for (const { basis, period } of bases) {
    // For an annual bulletin the previous period and a year ago are the same year: one note.
    if (seen.has(period.key)) continue;
    seen.add(period.key);
    const issued = await latestIssued(store, content.city.code, period);
    if (!issued) continue;
    const printed = (JSON.parse(issued.content) as BulletinContent).headline.flatMap((s) => s.figures);
    const figures: RevisedBase['figures'] = [];
    for (const figure of content.headline.flatMap((s) => s.figures)) {
      const current = basis === 'previous' ? figure.previous : figure.yearAgo;
      const before = printed.find((f) => sameKey(f.key, figure.key));
      if (current === null || !before) continue;
      if (formatNumber(before.value, figure.unit) === formatNumber(current, figure.unit)) continue;
      figures.push({ key: figure.key, label: figure.label, unit: figure.unit, published: before.value, current });
    }
    if (figures.length > 0) revised.push({ basis, period: { key: period.key, label: period.label }, revision: issued.revision, figures });
  }
  return revised;
}
