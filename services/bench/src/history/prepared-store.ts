import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@govstats/config';

/**
 * An embedded data directory the consumer can start on: migrated (the consumer holds its batches
 * until the schema is current) and holding `history` prior events in its ledger, the one table
 * the consumer reads per event. Raw and rollup tables stay empty: their inserts read no history.
 */
export async function preparedDataDir(env: NodeJS.ProcessEnv, history: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `govstats-bench-history-${history}-`));
  const chdbPath = join(dir, 'chdb');
  const script = join(REPO_ROOT, 'services', 'bench', 'src', 'history', 'fill-ledger.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, chdbPath, String(history)], {
    env: { ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: REPO_ROOT,
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`preparing a store with ${history} prior events failed (exit ${code}): ${stderr}`);
  return chdbPath;
}

/** A private copy of a prepared data directory for one run: each run starts from the same history. */
export function copyOfDataDir(chdbPath: string): { chdbPath: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'govstats-bench-run-'));
  cpSync(chdbPath, join(dir, 'chdb'), { recursive: true });
  return { chdbPath: join(dir, 'chdb'), dir };
}
