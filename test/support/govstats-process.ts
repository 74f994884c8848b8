import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const CLI_MAIN = join(ROOT, 'services', 'cli', 'src', 'main.ts');

/**
 * `govstats …` as one real process: node with tsx's loader, not the tsx wrapper, which would
 * spawn the CLI as a grandchild that a SIGKILL aimed at the wrapper never reaches.
 */
export function spawnGovstats(args: string[], options: SpawnOptions): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], { cwd: ROOT, ...options });
}

/** Arguments for execFile(process.execPath, …) running the CLI in one process. */
export function govstatsArgs(...args: string[]): string[] {
  return ['--import', 'tsx', CLI_MAIN, ...args];
}
