/**
 * A progress line for long steps, rewritten in place on a terminal (stderr, so stdout stays the
 * record of what was done). Nothing when stderr is a file, a pipe or a CI log: there a line per
 * update would only bury the results.
 */

let open = false;

export function showProgress(text: string): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r\x1b[K    ${text}`);
  open = true;
}

/** Ends the progress line, leaving its last text on screen. */
export function endProgress(): void {
  if (!open) return;
  process.stderr.write('\n');
  open = false;
}

/** Erases the progress line: the step's result, printed next, says it all. */
export function clearProgress(): void {
  if (!open) return;
  process.stderr.write('\r\x1b[K');
  open = false;
}

/** Runs a step that reports no progress of its own, showing on a terminal how long it has taken so far. */
export async function withElapsed<T>(text: string, work: () => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work();
  const started = Date.now();
  const draw = () => showProgress(`${text} … ${Math.round((Date.now() - started) / 1000)} s`);
  draw();
  const timer = setInterval(draw, 1_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    clearProgress();
  }
}

/** Writes a line to stderr above the progress line, which the next update draws again. */
export function writeAboveProgress(line: string): void {
  clearProgress();
  process.stderr.write(`${line}\n`);
}
