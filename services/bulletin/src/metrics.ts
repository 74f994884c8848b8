import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processMetrics } from '@govstats/log';

/** What one issue of a period gave: a first revision, a new revision, or nothing new. */
export type IssueOutcome = 'new' | 'revised' | 'unchanged';

/** Why a city's bulletins were left for the next run. */
export type SkipReason = 'unknown_city' | 'issuer_busy';

/** A run of the service, as /healthz reports it. */
export interface BulletinHealth {
  healthy: boolean;
  detail: Record<string, unknown>;
}

/**
 * The bulletin service's Prometheus metrics: what each run issued, how long it took, whether it
 * failed, and when the last good one finished — the alert rules in infra/prometheus/ watch the
 * last two, since a service that stopped issuing says nothing in its logs until someone looks.
 * Labels are passed in name order, the order the text format shows them in.
 */
export class BulletinMetrics {
  readonly #own = new Registry();
  /** This service's metrics and the process's. */
  readonly registry: Registry;
  #lastOutcome: 'succeeded' | 'failed' | undefined;
  #lastError: string | undefined;

  readonly #runs = new Counter({
    name: 'govstats_bulletin_runs_total',
    help: 'Runs of the bulletin service (catch-up at start, then each scheduled one), by outcome (succeeded, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.#own],
  });
  readonly #runSeconds = new Histogram({
    name: 'govstats_bulletin_run_seconds',
    help: 'Duration of a bulletin run, successful or not.',
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.#own],
  });
  readonly #lastRun = new Gauge({
    name: 'govstats_bulletin_last_run_timestamp_seconds',
    help: 'When the last bulletin run finished, successful or not (Unix time).',
    registers: [this.#own],
  });
  readonly #lastSuccess = new Gauge({
    name: 'govstats_bulletin_last_success_timestamp_seconds',
    help: 'When the last successful bulletin run finished (Unix time).',
    registers: [this.#own],
  });
  readonly #issued = new Counter({
    name: 'govstats_bulletin_issued_total',
    help: 'Periods issued, by city and outcome (new: first revision, revised: late events changed the figures, unchanged).',
    labelNames: ['city', 'outcome'] as const,
    registers: [this.#own],
  });
  readonly #skipped = new Counter({
    name: 'govstats_bulletin_city_skipped_total',
    help: 'Cities whose bulletins a run left for the next one, by reason (unknown_city, issuer_busy).',
    labelNames: ['city', 'reason'] as const,
    registers: [this.#own],
  });

  constructor() {
    this.registry = Registry.merge([processMetrics(), this.#own]);
  }

  /** A run ended; `results` are the periods it issued, in order. */
  runSucceeded(results: ReadonlyArray<{ document: { city: { code: string } }; status: IssueOutcome }>, seconds: number, at: number): void {
    for (const { document, status } of results) this.#issued.inc({ city: document.city.code, outcome: status });
    this.#finished('succeeded', seconds, at);
    this.#lastSuccess.set(at / 1000);
    this.#lastError = undefined;
  }

  runFailed(error: unknown, seconds: number, at: number): void {
    this.#finished('failed', seconds, at);
    this.#lastError = error instanceof Error ? error.message : String(error);
  }

  citySkipped(cityCode: string, reason: SkipReason): void {
    this.#skipped.inc({ city: cityCode, reason });
  }

  /** Healthy until a run fails, and again once one succeeds. */
  health(): BulletinHealth {
    return {
      healthy: this.#lastOutcome !== 'failed',
      detail: { lastRun: this.#lastOutcome ?? 'none yet', ...(this.#lastError ? { lastError: this.#lastError } : {}) },
    };
  }

  /** The text exposition Prometheus scrapes. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  #finished(outcome: 'succeeded' | 'failed', seconds: number, at: number): void {
    this.#runs.inc({ outcome });
    this.#runSeconds.observe(seconds);
    this.#lastRun.set(at / 1000);
    this.#lastOutcome = outcome;
  }
}
