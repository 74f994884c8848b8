import { setTimeout as timerSleep } from 'node:timers/promises';

/**
 * Waiting and retrying, in one place: exponential backoff with jitter, and polling a condition
 * until a deadline with a message that says what was waited for. Time, sleep and randomness can
 * be injected so tests run instantly and deterministically.
 */

export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => timerSleep(ms);

/**
 * How a delay is spread: `none` is the exponential delay itself; `equal` a uniform pick in
 * [delay/2, delay]; `full` in [0, delay]. Jitter only ever shortens a delay, so a caller's
 * worst case stays what it was, while processes that failed together stop retrying in step.
 */
export type Jitter = 'none' | 'equal' | 'full';

export interface Backoff {
  /** Delay after the first failure. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Each further failure multiplies the delay by this; default 2. */
  factor?: number;
  /** Default `equal`. */
  jitter?: Jitter;
}

/** The delay after failure number `failures` (1 for the first). */
export function backoffDelay(backoff: Backoff, failures: number, random: () => number = Math.random): number {
  const exponential = backoff.initialMs * (backoff.factor ?? 2) ** Math.max(0, failures - 1);
  const delay = Math.min(backoff.maxMs, Number.isFinite(exponential) ? exponential : backoff.maxMs);
  switch (backoff.jitter ?? 'equal') {
    case 'none':
      return delay;
    case 'equal':
      return Math.round(delay / 2 + (random() * delay) / 2);
    case 'full':
      return Math.round(random() * delay);
  }
}

export interface RetryOptions {
  backoff: Backoff;
  /** Attempts in all, the first included; default: no limit. */
  attempts?: number;
  /** No new attempt once this long has passed since the first began (checked after each failure). */
  giveUpAfterMs?: number;
  /** Whether an error is worth another attempt; default: every error. Others are thrown at once. */
  retryable?: (error: unknown, attempt: number) => boolean;
  /** Told before each pause, e.g. to log or count the retry. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
}

/**
 * Calls `attempt` (with its number, from 1) until it resolves; after a retryable failure it pauses
 * for the backoff delay. Throws the last error, unchanged, when it is not retryable or the
 * attempts or the time are used up.
 */
export async function retry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { sleep: pause = sleep, random = Math.random, now = Date.now } = options;
  const deadline = options.giveUpAfterMs === undefined ? Infinity : now() + options.giveUpAfterMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const exhausted = (options.attempts !== undefined && n >= options.attempts) || now() > deadline;
      if (exhausted || !(options.retryable?.(error, n) ?? true)) throw error;
      const delayMs = backoffDelay(options.backoff, n, random);
      options.onRetry?.(error, n, delayMs);
      await pause(delayMs);
    }
  }
}

export interface PollOptions {
  timeoutMs: number;
  /** Pause between checks. */
  intervalMs: number;
  /**
   * Errors of the condition that only mean "not yet" (a broker still starting); the last one is
   * reported on timeout. Any other error ends the wait at once. Default: none.
   */
  tolerate?: (error: unknown) => boolean;
  /** Called before each pause, e.g. to say that we are still waiting. */
  onWait?: () => void;
  sleep?: Sleep;
  now?: () => number;
}

type Outcome<T> = { met: true; value: T } | { met: false; lastError?: unknown };

async function poll<T>(condition: () => Promise<T> | T, options: PollOptions): Promise<Outcome<NonNullable<T>>> {
  const { sleep: pause = sleep, now = Date.now } = options;
  const deadline = now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) return { met: true, value: value as NonNullable<T> };
    } catch (error) {
      if (!options.tolerate?.(error)) throw error;
      lastError = error;
    }
    // Checked after the condition, so the last check happens at or after the deadline.
    if (now() >= deadline) return { met: false, lastError };
    options.onWait?.();
    await pause(options.intervalMs);
  }
}

/**
 * Checks `condition` every `intervalMs` until it returns a value other than undefined, null or
 * false, and returns that value; undefined when `timeoutMs` passed first (for callers that build
 * their own error or treat a timeout as an answer).
 */
export async function pollUntil<T>(condition: () => Promise<T> | T, options: PollOptions): Promise<NonNullable<T> | undefined> {
  const outcome = await poll(condition, options);
  return outcome.met ? outcome.value : undefined;
}

export interface WaitOptions extends PollOptions {
  /** What is waited for, completing "timed out after 30 s waiting for …". */
  what: string;
  /** Appended to the timeout message: what to do, or the state things were left in. */
  detail?: () => string | Promise<string>;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/** Like pollUntil, but a timeout is an error that says what was waited for. */
export async function waitUntil<T>(condition: () => Promise<T> | T, options: WaitOptions): Promise<NonNullable<T>> {
  const outcome = await poll(condition, options);
  if (outcome.met) return outcome.value;
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  const last =
    outcome.lastError === undefined
      ? ''
      : ` (last error: ${outcome.lastError instanceof Error ? outcome.lastError.message : String(outcome.lastError)})`;
  const detail = options.detail ? `: ${await options.detail()}` : '';
  throw new WaitTimeoutError(`timed out after ${seconds} s waiting for ${options.what}${last}${detail}`, { cause: outcome.lastError });
}
