import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const fromEnv = process.env.GOVSTATS_HOME?.trim();
  return fromEnv ? resolve(fromEnv) : join(repoRoot(), '.govstats');
}
