import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { CodeChange } from './code-change.ts';
import { parseCodeChangesCsv } from './code-change-csv.ts';

/** Where the committed table lives, and how to rebuild it when it does not check out. */
export const CODE_CHANGES_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
export const CODE_CHANGES_SCRIPT = 'npx tsx packages/divisions/scripts/derive-code-changes.ts';

/** The table file in `dataDir`: code-changes.csv, or code-changes.csv.gz when it was too big to keep plain. */
export function codeChangesFile(dataDir: string = CODE_CHANGES_DATA_DIR): string {
  const plain = join(dataDir, 'code-changes.csv');
  return existsSync(plain) ? plain : `${plain}.gz`;
}

/** The sha256 recorded for the table: the first line of code-changes.sha256 that is not a comment. */
export function recordedSha256(dataDir: string = CODE_CHANGES_DATA_DIR): string {
  const path = join(dataDir, 'code-changes.sha256');
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((l) => l.trim() !== '' && !l.startsWith('#'));
  const sha = line?.split(/\s+/)[0];
  if (!sha || !/^[0-9a-f]{64}$/.test(sha)) throw new Error(`${path}: no sha256 found; re-run \`${CODE_CHANGES_SCRIPT}\``);
  return sha;
}

/** The table's CSV text, checked against code-changes.sha256 (taken over the uncompressed bytes). */
export function readCodeChangesCsv(dataDir: string = CODE_CHANGES_DATA_DIR): string {
  const path = codeChangesFile(dataDir);
  const stored = readFileSync(path);
  const bytes = path.endsWith('.gz') ? gunzipSync(stored) : stored;
  const actual = createHash('sha256').update(bytes).digest('hex');
  const expected = recordedSha256(dataDir);
  if (actual !== expected) {
    throw new Error(
      `${path}: sha256 is ${actual} but code-changes.sha256 records ${expected}; the table was edited or is stale. Re-run \`${CODE_CHANGES_SCRIPT}\` to rebuild it`,
    );
  }
  return bytes.toString('utf8');
}

/** Every retired code with where its place is now counted, keyed by retired code. */
export function loadCodeChanges(dataDir: string = CODE_CHANGES_DATA_DIR): Map<string, CodeChange> {
  const path = codeChangesFile(dataDir);
  return new Map(parseCodeChangesCsv(readCodeChangesCsv(dataDir), path).map((change) => [change.retiredCode, change]));
}
