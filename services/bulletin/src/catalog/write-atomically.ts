import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { fsyncDirectory, writeDurably } from '../publish-revision.ts';

/**
 * Replaces `path` with `text` so that a reader sees the old file or the new one, never a part:
 * written and fsynced under a hidden temporary name in the same directory, then renamed over it.
 * Returns false, writing nothing, when the file already holds exactly `text` (a rebuild of an
 * index that is right leaves it untouched, so caches and mirrors see no change).
 */
export function writeAtomically(path: string, text: string | Buffer): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  if (existsSync(path) && readFileSync(path).equals(bytes)) return false;
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    writeDurably(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(dirname(path));
  return true;
}
