import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { issuerLockFile, withIssuerLock } from '../issuer-lock.ts';
import { buildCatalog, KIND_ORDER, renderCatalog, type Catalog } from './catalog.ts';
import { renderIndexHtml } from './index-html.ts';
import { refreshLatest } from './latest.ts';
import { CATALOG_FILE, INDEX_FILE, INDEX_LOCK_FILE, seriesFile } from './layout.ts';
import { cityCodes, scanAll, scanCity } from './scan.ts';
import { renderSeries } from './series.ts';
import { writeAtomically } from './write-atomically.ts';

/*
 * Everything derived from the revision directories — each period's latest/ copy, each city's
 * series CSVs, index.html and catalog.json — is recomputed from them, never patched: whatever
 * a crash between publishing a revision and updating the index left behind, the next issue of
 * that city, the service's start or `govstats bulletin --index` puts right. Files whose content is
 * already right are not rewritten.
 *
 * Locks: a city's derived files are written under that city's issuer lock (the one issuing holds
 * it already); the root files under the index lock, taken after a city lock and never before,
 * and read what is on disk only once held — so the last writer has seen every published revision.
 */

/** The latest/ copies and the series of one city. The caller holds the city's issuer lock. */
export function refreshCity(root: string, cityCode: string): void {
  const city = scanCity(root, cityCode);
  for (const period of city?.periods ?? []) refreshLatest(root, cityCode, period);
  for (const kind of KIND_ORDER) {
    const path = join(root, cityCode, seriesFile(kind));
    const csv = city && renderSeries(city, kind);
    if (csv) writeAtomically(path, csv);
    else if (existsSync(path)) rmSync(path);
  }
}

/** index.html and catalog.json of the whole root, from the files, under the index lock. */
export function writeRootIndex(root: string, lockWaitMs: number): Promise<Catalog> {
  mkdirSync(root, { recursive: true });
  return withIssuerLock(join(root, INDEX_LOCK_FILE), 'the bulletin index', lockWaitMs, () => {
    const catalog = buildCatalog(root, scanAll(root));
    writeAtomically(join(root, CATALOG_FILE), renderCatalog(catalog));
    writeAtomically(join(root, INDEX_FILE), renderIndexHtml(catalog));
    return Promise.resolve(catalog);
  });
}

/** Every city's derived files, then the root index: `govstats bulletin --index`. */
export async function rebuildIndex(root: string, lockWaitMs: number): Promise<Catalog> {
  for (const code of cityCodes(root)) {
    await withIssuerLock(issuerLockFile(root, code), code, lockWaitMs, () => Promise.resolve(refreshCity(root, code)));
  }
  return writeRootIndex(root, lockWaitMs);
}
