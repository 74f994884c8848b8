import { waitUntil } from '@govstats/log';

/**
 * Polls a service's HTTP endpoint until `probe` returns a value: refused connections (fetch's
 * TypeError) mean the service is not up yet; any other error ends the wait at once.
 */
export const untilServed = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) =>
  waitUntil(probe, { what, timeoutMs, intervalMs: 250, tolerate: (error) => error instanceof TypeError });
