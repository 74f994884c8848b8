import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/index.ts';

/** process.env, process['env'], or env destructured from process. */
const READS_ENV = /\bprocess\s*(?:\?\.|\.)\s*env\b|\bprocess\s*\[\s*['"`]env['"`]\s*\]|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/;

/** Tests set up their own environments; everything else asks packages/config. */
function isTestCode(path: string): boolean {
  return path.startsWith('test/') || path.includes('/test/') || /\.test\.ts$/.test(path);
}

function sourceFiles(): string[] {
  // Tracked files, and new ones not yet added, so the check bites before a commit.
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return [...new Set(listed.split('\0').filter(Boolean))].filter((path) => existsSync(join(REPO_ROOT, path)));
}

describe('environment access', () => {
  it('only packages/config reads process.env outside tests', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    const offenders = files
      .filter((path) => !isTestCode(path) && !path.startsWith('packages/config/'))
      .flatMap((path) =>
        readFileSync(join(REPO_ROOT, path), 'utf8')
          .split('\n')
          .flatMap((line, i) => (READS_ENV.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(
      offenders,
      'declare the variable in packages/config/src/environment.ts and use readVariable/loadConfig/childEnvironment',
    ).toEqual([]);
  });

  it('recognises the ways of reading it', () => {
    for (const line of ['const a = process.env.A;', "process.env['A']", "process['env'].A", 'const { env } = process;', 'process?.env'])
      expect(READS_ENV.test(line), line).toBe(true);
    for (const line of ['const env = childEnvironment();', 'options.env', 'process.envelope'])
      expect(READS_ENV.test(line), line).toBe(false);
  });
});
