import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { createLogger, pollUntil, isProcessAlive } from '@govstats/log';

/*
 * One issuer of a city's bulletins at a time on this host, across processes (the bulletin service
 * and a person running `govstats bulletin`) and within one: an issuer reads the last revision,
 * renders the next and records it, and two doing that together would both number theirs N+1.
 *
 * The lock is a file created with O_EXCL ('wx'), which exactly one creator wins, holding who took
 * it. Node has no flock, and a file that outlives a killed process must be recognised as stale:
 * it is when its process is gone, on this host (a pid cannot be checked on another one). A
 * restarted container often gets the pid its predecessor had, so the holder also names the
 * process instance: our own pid with another instance is a predecessor's lock.
 *
 * Taking over a stale lock re-reads it just before removing it, which leaves a window too small
 * to matter but not none; the revision claim (publish-revision.ts) is what guarantees that two
 * issuers can never write the same revision, and the lock is what makes them take turns.
 */

/**
 * The city's issuer lock, in the output directory every issuer of the published bulletins shares
 * (BULLETIN_OUT_DIR). It serialises issuers on this host writing there; issuers with another
 * `--out`, or on other hosts against one ClickHouse server, are not serialised by it — run one
 * bulletin service per database.
 */
export const issuerLockFile = (outDir: string, cityCode: string) => join(outDir, cityCode, '.issuing.lock');

export interface LockHolder {
  pid: number;
  host: string;
  /** This process's run, told apart from an earlier one with the same pid. */
  instance: string;
  /** ISO time the lock was taken. */
  since: string;
  /** This taking of the lock, told apart from another in the same process. */
  token: string;
}

const INSTANCE = randomUUID();
/** A lock file still empty after this long was left by a creator that died before writing it. */
const UNWRITTEN_STALE_MS = 10_000;
const POLL_MS = 200;

const log = createLogger('bulletin-lock');

export class IssuerBusyError extends Error {
  override name = 'IssuerBusyError';
  constructor(
    readonly cityCode: string,
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
    waitedMs: number,
  ) {
    const who = holder
      ? `pid ${holder.pid}${holder.host === hostname() ? '' : ` on host ${holder.host}`}, since ${holder.since}`
      : 'a process that has not written its pid yet';
    super(
      `another issuer (${who}) is issuing bulletins for ${cityCode}` +
        `${waitedMs > 0 ? `; waited ${Math.round(waitedMs / 1000)} s for it` : ''}. ` +
        `Wait for it to finish and issue again, or remove the lock file ${lockFile} if that process is gone.`,
    );
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.instance === 'string')
      return { pid: value.pid, host: value.host, instance: value.instance, since: String(value.since), token: String(value.token) };
  } catch {
    // Being written, or garbage: judged by its age below.
  }
  return undefined;
}

type Held = { text: string; holder: LockHolder | undefined; stale: boolean };

/** Who holds the lock file, and whether that holder is gone; undefined if there is no file. */
function inspect(lockFile: string): Held | undefined {
  let text: string;
  let ageMs: number;
  try {
    text = readFileSync(lockFile, 'utf8');
    ageMs = Date.now() - statSync(lockFile).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const holder = parseHolder(text);
  if (!holder) return { text, holder, stale: ageMs > UNWRITTEN_STALE_MS };
  const here = holder.host === hostname();
  const stale = here && (holder.pid === process.pid ? holder.instance !== INSTANCE : !isProcessAlive(holder.pid));
  return { text, holder, stale };
}

function tryCreate(lockFile: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Removes the file if it still holds `text`: never a lock someone else took meanwhile. */
function removeIfStill(lockFile: string, text: string): void {
  try {
    if (readFileSync(lockFile, 'utf8') === text) unlinkSync(lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Runs `work` holding the issuer lock of `cityCode` (file `lockFile`). While another live issuer
 * holds it, waits up to `waitMs` (checking every 200 ms), then throws IssuerBusyError saying who
 * holds it and what to do. A lock left by a process that is gone is taken over, with a warning.
 */
export async function withIssuerLock<T>(lockFile: string, cityCode: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockFile), { recursive: true });
  const mine: LockHolder = { pid: process.pid, host: hostname(), instance: INSTANCE, since: new Date().toISOString(), token: randomUUID() };
  const text = `${JSON.stringify(mine)}\n`;
  const started = Date.now();
  let last: Held | undefined;
  let told = false;
  const acquired = await pollUntil(
    () => {
      if (tryCreate(lockFile, text)) return true;
      last = inspect(lockFile);
      if (last?.stale) {
        log.warn({ city: cityCode, lockFile, holder: last.holder }, 'taking over the bulletin lock of an issuer that is gone');
        removeIfStill(lockFile, last.text);
        return tryCreate(lockFile, text);
      }
      return false;
    },
    {
      timeoutMs: waitMs,
      intervalMs: POLL_MS,
      onWait: () => {
        if (told || !last) return;
        told = true;
        log.info({ city: cityCode, lockFile, holder: last.holder }, 'another issuer is issuing this city; waiting for it');
      },
    },
  );
  if (!acquired) throw new IssuerBusyError(cityCode, lockFile, last?.holder, Date.now() - started);
  try {
    return await work();
  } finally {
    const now = inspect(lockFile);
    if (now?.text === text) unlinkSync(lockFile);
    else log.warn({ city: cityCode, lockFile }, 'the bulletin lock was removed or replaced while this issuer held it');
  }
}
