import { open, readFile, rm, stat } from 'node:fs/promises';
import { pollUntil } from '@govstats/log';
import { isAlive } from './process-control.ts';

/** Longer than a slow first start (Maven download + JVM start), so a live holder is never robbed. */
const STALE_AFTER_MS = 15 * 60_000;

/**
 * Runs `work` while holding an exclusive lock file, so two processes (parallel test workers, two
 * CLI commands) never format storage or spawn a broker at the same time. A lock left behind by a
 * dead process is taken over.
 */
export async function withFileLock<T>(lockFile: string, waitTimeoutMs: number, work: () => Promise<T>): Promise<T> {
  const acquired = await pollUntil(
    async () => {
      if (await tryAcquire(lockFile)) return true;
      if (!(await isStale(lockFile))) return false;
      await rm(lockFile, { force: true });
      return tryAcquire(lockFile);
    },
    { timeoutMs: waitTimeoutMs, intervalMs: 250 },
  );
  if (!acquired) {
    const holder = (await readFile(lockFile, 'utf8').catch(() => '')).trim() || 'unknown';
    throw new Error(
      `timed out waiting for ${lockFile} (held by pid ${holder}): another process is starting the local Kafka broker; ` +
        'wait for it, or delete the lock file if that process is gone',
    );
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function tryAcquire(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx');
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function isStale(lockFile: string): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
    const holder = Number(content.trim());
    if (Date.now() - info.mtimeMs > STALE_AFTER_MS) return true;
    // An empty file means the holder is between creating and writing it: not stale.
    return Number.isInteger(holder) && holder > 0 && holder !== process.pid && !(await isAlive(holder));
  } catch {
    return false; // vanished meanwhile: the next tryAcquire decides
  }
}
