import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readVariable } from '@govstats/config';

let cachedRepoRoot: string | undefined;

/** The monorepo root: the nearest ancestor of this package that holds pnpm-workspace.yaml. */
export function repoRoot(): string {
  if (cachedRepoRoot) return cachedRepoRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return (cachedRepoRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find the govstats repository root (no pnpm-workspace.yaml above ${fileURLToPath(import.meta.url)})`);
    }
    dir = parent;
  }
}

/**
 * Where local state (jars classpath, broker data, pid files) lives. Read at call time so tests
 * and CLI commands can point GOVSTATS_HOME elsewhere; the default is git-ignored.
 */
export function govstatsHome(): string {
  return readVariable('GOVSTATS_HOME');
}
