import type { PeriodKind } from '../document.ts';

/*
 * Where a bulletin's files are, relative to the bulletins root (BULLETIN_OUT_DIR):
 *
 *   index.html, catalog.json               every city, period and revision, with links
 *   <city>/series-<month|quarter|year>.csv the city's headline figures across its periods
 *   <city>/<period>/r<N>/                  revision N, never changed once published
 *   <city>/<period>/latest/                a copy of the newest revision's files
 *
 * Only names matching these patterns are read back, so nothing else in the folder (a README put
 * there by hand, a staging directory of a revision being written) ends up in the index.
 */

export const CATALOG_FILE = 'catalog.json';
export const INDEX_FILE = 'index.html';
export const LATEST_DIR = 'latest';
/** Serialises writers of index.html and catalog.json (taken after a city's issuer lock, never before). */
export const INDEX_LOCK_FILE = '.index.lock';

/** The files of one revision, by what they are. */
export const REVISION_FILES = {
  html: 'bulletin.html',
  markdown: 'bulletin.md',
  csv: 'figures.csv',
  json: 'figures.json',
  /** What the index and the time series need, without reading the whole document. */
  summary: 'revision.json',
  sums: 'SHA256SUMS',
} as const;

export type RevisionFile = keyof typeof REVISION_FILES;

export const CITY_DIR = /^\d{4}0{8}$/;
export const REVISION_DIR = /^r([1-9]\d{0,5})$/;

export const revisionDir = (revision: number) => `r${revision}`;

export const seriesFile = (kind: PeriodKind) => `series-${kind}.csv`;

/** A path relative to the root, with `/` whatever the platform: the form links take. */
export const relativeLink = (...parts: string[]) => parts.join('/');
