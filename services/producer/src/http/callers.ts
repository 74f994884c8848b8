import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '@govstats/schemas';

/*
 * Who may post events: each calling system (a hotline platform, the grid members' app, a
 * cooperative's ledger) has its own key, and speaks only for the CloudEvents sources and the
 * places (division-code prefixes) it is bound to. The file holds SHA-256 digests of the keys, not
 * the keys: the keys are 256 random bits, so a fast digest is as safe as a slow one and costs
 * nothing per request.
 */

const KEY_PREFIX = 'gsk_';
/** A key made by hand (a Docker secret) must still be too long to guess. */
const MIN_KEY_LENGTH = 32;

const divisionPrefix = z
  .string()
  .regex(/^\d{2}(?:\d{2}(?:\d{2}(?:\d{3}(?:\d{3})?)?)?)?$/, 'a division-code prefix: 2, 4, 6, 9 or 12 digits (province … village)');

/** An exact `source`, or a prefix of sources when it ends in `*`. */
const sourcePattern = z
  .string()
  .min(1)
  .max(257)
  .regex(/^[^*]+\*?$/, "an exact source, or a prefix ending in a single '*'");

const callerEntry = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits and . _ - (at most 64)'),
    key_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the key, 64 lower-case hex digits (`govstats producer-key` prints it)')
      .optional(),
    /** Or the key itself in a file of its own, such as a Docker secret, read and hashed at start-up. */
    key_file: z.string().min(1).optional(),
    sources: z.array(sourcePattern).min(1),
    divisions: z.array(divisionPrefix).min(1),
  })
  .strict()
  .refine((entry) => (entry.key_sha256 === undefined) !== (entry.key_file === undefined), 'give key_sha256 or key_file (one of them)');

const callersFileSchema = z.object({ callers: z.array(callerEntry).min(1) }).strict();

export type CallerEntry = z.infer<typeof callerEntry>;

/** Why a caller may not publish one event, naming the attribute at fault. */
export interface Forbidden {
  field: 'source' | 'subject';
  detail: string;
}

export interface Caller {
  name: string;
  /** undefined when the caller may publish an event of this source about this place. */
  forbids(source: string, subject: string): Forbidden | undefined;
}

export interface CallerRegistry {
  /** The caller an `Authorization: Bearer <key>` header names, or undefined. */
  identify(authorization: string | undefined): Caller | undefined;
  readonly size: number;
}

/** A key file's key: its text without the editor's trailing newline. */
function readKeyFile(path: string, name: string, where: string): string {
  let key: string;
  try {
    key = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`${where}: caller ${name}: cannot read key_file ${path} (${why})`, { cause: error });
  }
  if (key.length < MIN_KEY_LENGTH)
    throw new Error(`${where}: caller ${name}: the key in ${path} is shorter than ${MIN_KEY_LENGTH} characters`);
  return key;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key (shown once) and the entry that binds it, for the callers file. */
export function newCaller(entry: Omit<CallerEntry, 'key_sha256' | 'key_file'>): { key: string; entry: CallerEntry; yaml: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const checked = callerEntry.parse({ ...entry, key_sha256: hashKey(key) });
  return { key, entry: checked, yaml: stringify([checked]) };
}

function sourceMatches(pattern: string, source: string): boolean {
  return pattern.endsWith('*') ? source.startsWith(pattern.slice(0, -1)) : source === pattern;
}

function callerOf(entry: CallerEntry): Caller {
  return {
    name: entry.name,
    forbids(source, subject) {
      if (!entry.sources.some((pattern) => sourceMatches(pattern, source))) {
        return {
          field: 'source',
          detail: `caller ${entry.name} may not publish events of source ${source} (it may: ${entry.sources.join(', ')})`,
        };
      }
      if (!entry.divisions.some((prefix) => subject.startsWith(prefix))) {
        return {
          field: 'subject',
          detail: `caller ${entry.name} may not publish events about ${subject} (it speaks for codes beginning ${entry.divisions.join(', ')})`,
        };
      }
      return undefined;
    },
  };
}

/** Checks the callers file's text; throws with every problem and where it is. */
export function parseCallers(text: string, where: string): CallerRegistry {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`${where}: not YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = callersFileSchema.safeParse(document);
  if (!parsed.success) throw new Error(`${where}: ${describeIssues(parsed.error)}`);
  return callerRegistry(parsed.data.callers, where);
}

/** The registry of checked entries (a file's, or ones made in this process, such as the demo's). */
export function callerRegistry(entries: CallerEntry[], where = 'callers'): CallerRegistry {
  const byDigest = new Map<string, Caller>();
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new Error(`${where}: caller ${entry.name} is listed twice`);
    const digest = entry.key_sha256 ?? hashKey(readKeyFile(entry.key_file!, entry.name, where));
    if (byDigest.has(digest)) throw new Error(`${where}: caller ${entry.name} has the same key as another caller`);
    names.add(entry.name);
    byDigest.set(digest, callerOf(entry));
  }
  return {
    size: byDigest.size,
    identify(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      return match ? byDigest.get(hashKey(match[1]!)) : undefined;
    },
  };
}

export function loadCallers(path: string): CallerRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`PRODUCER_CALLERS_FILE=${path}: cannot read it (${why})`, { cause: error });
  }
  return parseCallers(text, path);
}
