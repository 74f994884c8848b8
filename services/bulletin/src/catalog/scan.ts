import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@govstats/log';
import type { BulletinPeriod } from '../document.ts';
import { parsePeriod } from '../period.ts';
import { CITY_DIR, REVISION_DIR } from './layout.ts';
import { readSummary, type RevisionSummary } from './revision-summary.ts';

/*
 * What has been issued, read from the files alone: every `<city>/<period>/r<N>/` directory. A
 * revision directory appears complete or not at all (publish-revision.ts), so whatever is found
 * here was published, whether or not the index was updated after it.
 */

export interface IssuedPeriod {
  period: BulletinPeriod;
  /** Oldest first; the last is the latest. */
  revisions: RevisionSummary[];
}

export interface IssuedCity {
  code: string;
  /** The name the newest revision of the city printed. */
  name: string;
  periods: IssuedPeriod[];
}

const log = createLogger('bulletin-index');

const subdirectories = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];

function asPeriod(key: string): BulletinPeriod | undefined {
  try {
    return parsePeriod(key);
  } catch {
    return undefined;
  }
}

/** The revisions of one period of one city, checked against where they lie. */
function scanPeriod(root: string, cityCode: string, period: BulletinPeriod): RevisionSummary[] {
  const revisions: RevisionSummary[] = [];
  for (const name of subdirectories(join(root, cityCode, period.key))) {
    const number = REVISION_DIR.exec(name);
    if (!number) continue;
    const dir = join(root, cityCode, period.key, name);
    const summary = readSummary(dir);
    // A revision whose files say something else than its place would be linked under a wrong name.
    if (!summary || summary.revision !== Number(number[1]) || summary.city.code !== cityCode || summary.period.key !== period.key) {
      log.warn({ dir }, 'skipping a bulletin directory whose files do not describe it; it is left out of the index');
      continue;
    }
    revisions.push(summary);
  }
  return revisions.sort((a, b) => a.revision - b.revision);
}

/** Every issued period of a city, by period kind and key. */
export function scanCity(root: string, cityCode: string): IssuedCity | undefined {
  const periods: IssuedPeriod[] = [];
  for (const key of subdirectories(join(root, cityCode))) {
    const period = asPeriod(key);
    if (!period) continue;
    const revisions = scanPeriod(root, cityCode, period);
    if (revisions.length > 0) periods.push({ period, revisions });
  }
  if (periods.length === 0) return undefined;
  periods.sort((a, b) => a.period.key.localeCompare(b.period.key));
  const newest = periods.map((p) => p.revisions.at(-1)!).reduce((a, b) => (Date.parse(b.issuedAt) > Date.parse(a.issuedAt) ? b : a));
  return { code: cityCode, name: newest.city.name, periods };
}

/** The city directories under the root. */
export const cityCodes = (root: string) => subdirectories(root).filter((name) => CITY_DIR.test(name));

/** Every city with at least one issued revision, by code. */
export function scanAll(root: string): IssuedCity[] {
  return cityCodes(root)
    .sort()
    .map((code) => scanCity(root, code))
    .filter((city): city is IssuedCity => city !== undefined);
}
