import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PeriodKind } from '../document.ts';
import type { BulletinStatus } from '../status.ts';
import { LATEST_DIR, REVISION_FILES, relativeLink, revisionDir, seriesFile, type RevisionFile } from './layout.ts';
import type { IssuedCity } from './scan.ts';

/*
 * catalog.json: the machine-readable index of everything issued under the bulletins root. Every
 * path is relative to the root (where catalog.json is), with `/`, and names a file that exists:
 * a link is only listed once its file is found. It is rebuilt from the files alone and holds no
 * time of its own making, so the same files always give the same bytes.
 */

export const CATALOG_FORMAT = 'govstats-bulletin-catalog/1';

export type FileLinks = Partial<Record<RevisionFile, string>>;

export interface CatalogRevision {
  revision: number;
  issuedAt: string;
  /** null: issued before bulletins were labelled preliminary or final. */
  status: BulletinStatus | null;
  issuer: string | null;
  /** Whether this is the period's newest revision. */
  latest: boolean;
  /** What it revised, in words (empty for a first revision). */
  changes: string[];
  files: FileLinks;
}

export interface CatalogPeriod {
  key: string;
  kind: PeriodKind;
  label: string;
  from: string;
  to: string;
  /** The newest revision, and the stable folder that always holds a copy of it. */
  latest: { revision: number; status: BulletinStatus | null; issuedAt: string; path: string; files: FileLinks };
  /** Oldest first. */
  revisions: CatalogRevision[];
}

export interface CatalogCity {
  code: string;
  name: string;
  /** The city's time series CSV per period kind it has bulletins of. */
  series: Partial<Record<PeriodKind, string>>;
  /** Years, then quarters, then months, each oldest first. */
  periods: CatalogPeriod[];
}

export interface Catalog {
  format: typeof CATALOG_FORMAT;
  cities: CatalogCity[];
}

export const KIND_ORDER: PeriodKind[] = ['year', 'quarter', 'month'];

function links(root: string, parts: string[]): FileLinks {
  const found: FileLinks = {};
  for (const [what, name] of Object.entries(REVISION_FILES) as [RevisionFile, string][]) {
    if (existsSync(join(root, ...parts, name))) found[what] = relativeLink(...parts, name);
  }
  return found;
}

export function buildCatalog(root: string, cities: IssuedCity[]): Catalog {
  return {
    format: CATALOG_FORMAT,
    cities: cities.map((city) => {
      const periods = [...city.periods].sort(
        (a, b) => KIND_ORDER.indexOf(a.period.kind) - KIND_ORDER.indexOf(b.period.kind) || a.period.from.localeCompare(b.period.from),
      );
      const series: CatalogCity['series'] = {};
      for (const kind of KIND_ORDER) {
        if (existsSync(join(root, city.code, seriesFile(kind)))) series[kind] = relativeLink(city.code, seriesFile(kind));
      }
      return {
        code: city.code,
        name: city.name,
        series,
        periods: periods.map(({ period, revisions }) => {
          const newest = revisions.at(-1)!;
          return {
            key: period.key,
            kind: period.kind,
            label: period.label,
            from: period.from,
            to: period.to,
            latest: {
              revision: newest.revision,
              status: newest.status,
              issuedAt: newest.issuedAt,
              path: `${relativeLink(city.code, period.key, LATEST_DIR)}/`,
              files: links(root, [city.code, period.key, LATEST_DIR]),
            },
            revisions: revisions.map((r) => ({
              revision: r.revision,
              issuedAt: r.issuedAt,
              status: r.status,
              issuer: r.issuer,
              latest: r === newest,
              changes: r.changes,
              files: links(root, [city.code, period.key, revisionDir(r.revision)]),
            })),
          };
        }),
      };
    }),
  };
}

export const renderCatalog = (catalog: Catalog) => `${JSON.stringify(catalog, null, 2)}\n`;
