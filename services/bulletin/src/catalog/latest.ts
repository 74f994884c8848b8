import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LATEST_DIR, REVISION_FILES, revisionDir } from './layout.ts';
import type { IssuedPeriod } from './scan.ts';
import { writeAtomically } from './write-atomically.ts';

/*
 * `<city>/<period>/latest/` holds a copy of the newest revision's files, under the same names.
 *
 * A copy rather than a symlink or a redirect: a symlink is lost or refused by what bulletins
 * are published with (zip archives, `rsync` without -l, object storage, web servers that do not
 * follow links), and an HTML redirect only helps a browser, not `curl …/latest/figures.csv` or a
 * spreadsheet's web query. A copy works everywhere and costs one revision's size (its files are
 * self-contained: the HTML links to nothing). Each file is replaced atomically, so the stable
 * address never answers 404 or half a file; SHA256SUMS is copied last and tells which revision
 * the others are, as does the revision number inside each of them.
 */

const ORDER = Object.values(REVISION_FILES).sort((a, b) => Number(a === REVISION_FILES.sums) - Number(b === REVISION_FILES.sums));

/** Makes `latest/` of one period a copy of its newest revision; returns whether anything changed. */
export function refreshLatest(root: string, cityCode: string, issued: IssuedPeriod): boolean {
  const newest = issued.revisions.at(-1);
  if (!newest) return false;
  const periodDir = join(root, cityCode, issued.period.key);
  const source = join(periodDir, revisionDir(newest.revision));
  const target = join(periodDir, LATEST_DIR);
  mkdirSync(target, { recursive: true });
  let changed = false;
  const names = ORDER.filter((name) => existsSync(join(source, name)));
  for (const name of names) changed = writeAtomically(join(target, name), readFileSync(join(source, name))) || changed;
  // A file the newest revision does not have (an older layout's) must not pass for part of it.
  for (const name of readdirSync(target)) {
    if (names.includes(name as (typeof ORDER)[number])) continue;
    rmSync(join(target, name), { force: true, recursive: true });
    changed = true;
  }
  return changed;
}
