import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../schemas/src/index.ts';

const ROOT = join(import.meta.dirname, '..');

/** What would tie code to one type: its name in any spelling, its tables. */
function namesOf(type: (typeof EVENT_TYPES)[number]): string[] {
  const camel = type.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return [type.name, type.name.replaceAll('-', '_'), camel, type.rawTable.name, type.rollup.table];
}

/** Non-test source outside the type folders; the registry lists the folders, one line each. */
function sourceOutsideTypeFolders(): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.js'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).split('\n');
  return files.filter(
    (f) =>
      f !== '' &&
      !f.startsWith('test/') &&
      !f.includes('/test/') &&
      !f.endsWith('.test.ts') &&
      !f.startsWith('schemas/src/event-types/') &&
      f !== 'schemas/src/registry.ts',
  );
}

describe('an event type is one folder', () => {
  it('no non-test code outside schemas/src/event-types names a particular type', () => {
    const names = EVENT_TYPES.flatMap(namesOf);
    const pattern = new RegExp(`(?<![A-Za-z0-9])(${names.map((n) => n.replace(/[-_]/g, '[-_]')).join('|')})(?![A-Za-z0-9])`, 'i');
    const hits: string[] = [];
    for (const file of sourceOutsideTypeFolders()) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        continue; // deleted in the working tree
      }
      text.split('\n').forEach((line, i) => {
        if (pattern.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits, 'iterate EVENT_TYPES or move this into the type folder').toEqual([]);
  });

  it('finds a name when there is one (the check above can fail)', () => {
    const [type] = EVENT_TYPES;
    const pattern = new RegExp(`(?<![A-Za-z0-9])(${namesOf(type!).join('|')})(?![A-Za-z0-9])`, 'i');
    expect(pattern.test(`const t = EVENT_TYPES.find((t) => t.name === '${type!.name}');`)).toBe(true);
    expect(pattern.test(`INSERT INTO ${type!.rawTable.name} VALUES`)).toBe(true);
  });
});
