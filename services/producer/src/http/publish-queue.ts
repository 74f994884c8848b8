import type { KafkaSink, OutgoingMessage } from '@govstats/kafka';
import { createLogger } from '@govstats/log';
import type { RoutedEvent } from './judge-events.ts';

const log = createLogger('producer-service');

/** Kafka did not acknowledge in time, or is known to be down: answer 503, the caller retries later. */
export class KafkaUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** More events are waiting for Kafka than the service holds: answer 429, the caller slows down. */
export class TooBusy extends Error {
  readonly retryAfterSeconds = 1;
}

export interface PublishQueueOptions {
  /** Events held (queued or being sent) across all requests: the service's memory bound. */
  maxPendingEvents: number;
  /** A request not acknowledged by Kafka within this is answered 503. */
  sendTimeoutMs: number;
  /** After Kafka failed, requests are refused at once for this long before one is let through to try again. */
  retryAfterMs?: number;
  /** Asks whether Kafka answers again, while it is down and no request is trying. */
  probe?: () => Promise<boolean>;
  /** Kafka's send time per group of requests, for the metrics. */
  onSent?: (seconds: number) => void;
}

export interface PublishQueue {
  /** Resolves once Kafka acknowledged every event (acks=all); rejects with KafkaUnavailable or TooBusy. */
  publish(events: RoutedEvent[]): Promise<void>;
  /** Events held now. */
  readonly pending: number;
  /** undefined while Kafka acknowledges; else since when it has not. */
  readonly unavailableSince: number | undefined;
  /** Waits until every request handed in has been answered by Kafka (shutdown). */
  drain(): Promise<void>;
  close(): void;
}

interface Job {
  events: RoutedEvent[];
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve(): void;
  reject(error: Error): void;
}

/** Most events sent to Kafka as one group (several requests' worth). */
const GROUP_EVENTS = 5_000;
const DEFAULT_RETRY_AFTER_MS = 5_000;

/**
 * Group commit in front of the Kafka sink: the events of concurrent requests go out together, one
 * send at a time (the idempotent producer's sequence numbers need that), and each request is
 * answered when its events are acknowledged. Memory is bounded by maxPendingEvents; nothing is
 * acknowledged to a caller before Kafka acknowledged it.
 */
export function createPublishQueue(sink: KafkaSink, options: PublishQueueOptions): PublishQueue {
  const retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  const queued: Job[] = [];
  let pending = 0;
  let sending: Promise<void> | undefined;
  let unavailableSince: number | undefined;
  let tryAgainAt = 0;
  let closed = false;
  const idle = new Set<() => void>();

  const retryAfterSeconds = () => Math.max(1, Math.ceil((tryAgainAt - Date.now()) / 1000));

  function markUnavailable(reason: string): void {
    if (unavailableSince === undefined) {
      unavailableSince = Date.now();
      log.warn({ reason }, 'Kafka is not acknowledging; refusing events with 503 until it does');
    }
    tryAgainAt = Date.now() + retryAfterMs;
  }

  function markAvailable(): void {
    if (unavailableSince !== undefined) log.info({ downMs: Date.now() - unavailableSince }, 'Kafka acknowledges again');
    unavailableSince = undefined;
  }

  function settle(job: Job, error?: Error): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (error) job.reject(error);
    else job.resolve();
  }

  /** A request Kafka did not acknowledge in time: answered 503; a queued one is not sent at all. */
  function expire(job: Job): void {
    const at = queued.indexOf(job);
    if (at >= 0) {
      queued.splice(at, 1);
      release(job.events.length);
    }
    markUnavailable(`no acknowledgement within ${options.sendTimeoutMs} ms`);
    settle(job, new KafkaUnavailable(`Kafka did not acknowledge within ${options.sendTimeoutMs / 1000} s`, retryAfterSeconds()));
  }

  function release(events: number): void {
    pending -= events;
    if (pending === 0) for (const resolve of idle) resolve();
  }

  async function sendGroup(jobs: Job[]): Promise<void> {
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const job of jobs) {
      for (const event of job.events) {
        const messages = byTopic.get(event.topic);
        if (messages) messages.push(event.message);
        else byTopic.set(event.topic, [event.message]);
      }
    }
    const started = performance.now();
    try {
      for (const [topic, messages] of byTopic) await sink.send(topic, messages);
      options.onSent?.((performance.now() - started) / 1000);
      markAvailable();
      for (const job of jobs) settle(job);
    } catch (error) {
      log.warn({ err: error }, 'send failed; its requests are answered 503');
      markUnavailable((error as Error).message);
      for (const job of jobs)
        settle(job, new KafkaUnavailable(`Kafka did not acknowledge: ${(error as Error).message}`, retryAfterSeconds()));
    } finally {
      release(jobs.reduce((n, job) => n + job.events.length, 0));
    }
  }

  function kick(): void {
    if (sending || queued.length === 0) return;
    const group: Job[] = [];
    let events = 0;
    while (queued.length > 0 && (group.length === 0 || events + queued[0]!.events.length <= GROUP_EVENTS)) {
      const job = queued.shift()!;
      group.push(job);
      events += job.events.length;
    }
    sending = sendGroup(group).finally(() => {
      sending = undefined;
      kick();
    });
  }

  // While Kafka is down and nobody is trying, ask now and then whether it is back (/healthz).
  const prober = setInterval(() => {
    if (unavailableSince === undefined || sending || !options.probe) return;
    options.probe().then(
      (up) => {
        if (up && !sending) markAvailable();
      },
      () => undefined,
    );
  }, retryAfterMs);
  prober.unref();

  return {
    publish(events) {
      if (closed) return Promise.reject(new KafkaUnavailable('the service is shutting down', 5));
      if (unavailableSince !== undefined && (sending || Date.now() < tryAgainAt)) {
        return Promise.reject(
          new KafkaUnavailable(`Kafka has not acknowledged since ${new Date(unavailableSince).toISOString()}`, retryAfterSeconds()),
        );
      }
      if (pending + events.length > options.maxPendingEvents) {
        return Promise.reject(new TooBusy(`${pending} events are waiting for Kafka; at most ${options.maxPendingEvents} are held`));
      }
      if (events.length === 0) return Promise.resolve();
      pending += events.length;
      return new Promise<void>((resolve, reject) => {
        const job: Job = { events, settled: false, resolve, reject, timer: setTimeout(() => expire(job), options.sendTimeoutMs) };
        queued.push(job);
        kick();
      });
    },
    get pending() {
      return pending;
    },
    get unavailableSince() {
      return unavailableSince;
    },
    drain() {
      if (pending === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => (idle.delete(done), resolve());
        idle.add(done);
      });
    },
    close() {
      closed = true;
      clearInterval(prober);
    },
  };
}
