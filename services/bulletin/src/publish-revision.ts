import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/*
 * A revision's files appear all at once or not at all, and never over another revision's: they
 * are written and fsynced in a staging directory beside the revision's (same file system), which
 * is then renamed to `r<N>`. rename(2) is atomic, and it refuses to replace a directory that has
 * files in it — so of two writers of the same revision exactly one succeeds, and the other's
 * files are discarded instead of mixed into the first's. A reader (or a web server publishing the
 * directory) sees a complete revision or none; a crash leaves at most a hidden staging directory.
 */

export class RevisionTakenError extends Error {
  override name = 'RevisionTakenError';
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(message);
  }
}

/** fsync of a directory makes the names in it (a rename, a new file) survive a crash. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the rename is atomic regardless.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Creates `path` (it must not exist) with `text`, on disk before this returns. */
export function writeDurably(path: string, text: string | Buffer): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Publishes `files` (name → text) as the directory `dir`, atomically. Throws RevisionTakenError,
 * having written nothing there, when `dir` already holds files.
 */
export function publishRevision(dir: string, files: ReadonlyArray<readonly [string, string]>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(dir)}.staging-`));
  try {
    for (const [name, text] of files) writeDurably(join(staging, name), text);
    fsyncDirectory(staging);
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new RevisionTakenError(dir, `${dir} already exists; nothing was written over it`);
    throw error;
  }
  fsyncDirectory(parent);
}

/** Takes a published revision back (its recording failed), so issuing again starts clean. */
export function withdrawRevision(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  fsyncDirectory(dirname(dir));
}
