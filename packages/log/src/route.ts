import { closeSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type DestinationStream } from 'pino';

/**
 * Where the JSON lines go: stderr (services under Docker or systemd, whose supervisor collects
 * it), or a file (people at a terminal, who get words instead). Chosen once at start-up; loggers
 * made before that — every module's `createLogger` at import — follow the choice, because they
 * all write through the one routed stream below.
 */
export type LogRoute =
  | { to: 'stderr' }
  | {
      to: 'file';
      path: string;
      /** Told of each warning, error and fatal record, e.g. to show it to a person in one line. */
      onWarning?: (record: LogRecord) => void;
    };

/** A pino record as parsed back from its JSON line. */
export interface LogRecord {
  level: number;
  msg?: string;
  component?: string;
  err?: { message?: string; type?: string };
  [field: string]: unknown;
}

/** pino's numbers for warn, error and fatal; `level` is the first key of every line it writes. */
const WARNING_OR_WORSE = /^\{"level":[456]0,/;

/** A log file over this size is moved aside to `<path>.1` (replacing the one before) when opened. */
export const ROTATE_BYTES = 16 * 1024 * 1024;

class RoutedStream implements DestinationStream {
  #sink: DestinationStream = pino.destination({ dest: 2, sync: false });
  #onWarning: ((record: LogRecord) => void) | undefined;

  write(line: string): void {
    this.#sink.write(line);
    if (this.#onWarning && WARNING_OR_WORSE.test(line)) this.#onWarning(JSON.parse(line) as LogRecord);
  }

  route(sink: DestinationStream, onWarning: ((record: LogRecord) => void) | undefined): void {
    this.#sink = sink;
    this.#onWarning = onWarning;
  }
}

export const routedStream = new RoutedStream();

/**
 * Opens the log file for appending, private to its owner (records may quote refused events).
 * Written synchronously: a command logs little, and the record of a failure written just before
 * the process exits must reach the file (an asynchronous write in flight at exit is lost).
 */
function openLogFile(path: string): DestinationStream {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    if (statSync(path).size > ROTATE_BYTES) renameSync(path, `${path}.1`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fd = openSync(path, 'a', 0o600);
  try {
    return pino.destination({ dest: fd, sync: true });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

let routed: LogRoute | undefined;

/** Sends every logger's lines where `route` says; once per process. */
export function routeLogs(route: LogRoute): void {
  if (routed) throw new Error(`logs are already routed to ${routed.to === 'file' ? routed.path : 'stderr'}`);
  if (route.to === 'file') routedStream.route(openLogFile(route.path), route.onWarning);
  routed = route;
}

/** The file the logs go to, if they go to one. */
export function logFile(): string | undefined {
  return routed?.to === 'file' ? routed.path : undefined;
}
