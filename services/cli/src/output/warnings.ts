import type { LogRecord } from '@govstats/log';
import { writeAboveProgress } from './progress.ts';
import { terminalText } from './terminal-text.ts';

/*
 * While a command's JSON log goes to a file, what a person must not miss — a warning, an error —
 * is also shown on stderr, one line per record in words. A warning that keeps coming back (a retry
 * that keeps failing) is shown once per REPEAT_MS with how often it came meanwhile, not each time.
 */

const REPEAT_MS = 30_000;
const MAX_LENGTH = 300;
/** Fields every record has, or that the line shows in its own way. */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'msg', 'err', 'stack']);
const WORDS: Record<number, string> = { 40: 'warning', 50: 'error', 60: 'fatal' };

function shown(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(', ');
  return undefined;
}

/** `govstats: warning: send failed; retrying: connect ECONNREFUSED 127.0.0.1:9 (topic t, attempt 3)` */
export function warningLine(record: LogRecord, repeated = 0): string {
  const reason = record.err?.message?.split('\n')[0];
  const details = Object.entries(record)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .flatMap(([key, value]) => {
      const text = shown(value);
      return text === undefined ? [] : [`${key} ${text}`];
    });
  if (repeated > 0) details.push(`${repeated} more like it since the last shown`);
  const text = `${record.msg ?? '(no message)'}${reason ? `: ${reason}` : ''}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
  // Records may quote events and brokers' answers: one line, no control character reaches the terminal.
  const line = `govstats: ${WORDS[record.level] ?? 'warning'}: ${terminalText(text)}`;
  return line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH - 1)}…` : line;
}

interface Seen {
  shownAt: number;
  since: number;
}

/** Shows log records on stderr in words; `count` says whether any was. */
export class WarningLines {
  #seen = new Map<string, Seen>();
  #stopped = false;
  readonly #now: () => number;
  count = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  show(record: LogRecord): void {
    if (this.#stopped) return;
    const key = `${record.component ?? ''}\u0000${record.msg ?? ''}`;
    const seen = this.#seen.get(key);
    const now = this.#now();
    if (seen && now - seen.shownAt < REPEAT_MS) {
      seen.since++;
      return;
    }
    writeAboveProgress(warningLine(record, seen?.since ?? 0));
    this.#seen.set(key, { shownAt: now, since: 0 });
    this.count++;
  }

  /** From now on records stay in the log file only (the command says in its own words what failed). */
  stop(): void {
    this.#stopped = true;
  }
}
