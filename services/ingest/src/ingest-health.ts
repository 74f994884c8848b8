import type { HealthReport } from './health-server.ts';
import type { IngestStats } from './ingest-stats.ts';

/** A batch failing for this long makes the member unhealthy (see the log for its error). */
export const FAILING_LIMIT_MS = 60_000;

export interface HealthInputs {
  now: number;
  running: boolean;
  /** Since when the current batch has been failing; undefined while batches succeed. */
  failingSince: number | undefined;
  /** Messages waiting as of the last lag check, and since when some have been waiting. */
  lag: number;
  waitingSince: number;
  /** When the source last committed a batch (or started). */
  lastProgressAt: number;
  stallMs: number;
  /** Why the schema gate holds batches back, if it does. */
  schemaWait: string | undefined;
  stats: IngestStats;
}

/**
 * Healthy while the consumer runs, no batch has been failing for longer than a minute and
 * messages waiting do not go unhandled for longer than `stallMs` (a livelock: an intent range that
 * cannot be loaded, offset commits that keep failing, a migration that never comes).
 */
export function assessHealth(inputs: HealthInputs): HealthReport {
  const { now, running, failingSince, lag, stats } = inputs;
  const failingFor = failingSince === undefined ? 0 : now - failingSince;
  const stalledFor = lag > 0 ? now - Math.max(inputs.lastProgressAt, inputs.waitingSince) : 0;
  const reasons = [
    ...(running ? [] : ['the consumer is not running']),
    ...(failingFor >= FAILING_LIMIT_MS
      ? [`a batch has been failing for ${Math.round(failingFor / 1000)} s (see the log for its error)`]
      : []),
    ...(stalledFor >= inputs.stallMs
      ? [
          `no batch committed for ${Math.round(stalledFor / 1000)} s while ${lag} messages wait${inputs.schemaWait ? `: ${inputs.schemaWait}` : ''}`,
        ]
      : []),
  ];
  return {
    healthy: reasons.length === 0,
    detail: {
      reasons,
      running,
      failingForSeconds: Math.round(failingFor / 1000),
      stalledForSeconds: Math.round(stalledFor / 1000),
      lag,
      ...stats,
    },
  };
}
