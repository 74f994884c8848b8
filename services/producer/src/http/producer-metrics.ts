import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processMetrics } from '@govstats/log';

/** What became of one posted event. */
export type EventOutcome = 'accepted' | 'invalid' | 'forbidden' | 'busy' | 'unavailable';

/**
 * The producer service's Prometheus metrics, a registry per service instance (tests run several).
 * Labels are passed in name order, the order the text format shows them in.
 */
export class ProducerMetrics {
  readonly #own = new Registry();
  readonly registry: Registry;

  readonly #requests = new Counter({
    name: 'govstats_producer_requests_total',
    help: 'HTTP requests answered, by route (events, healthz, metrics, openapi, other), content mode and status code.',
    labelNames: ['mode', 'route', 'status'] as const,
    registers: [this.#own],
  });
  readonly #events = new Counter({
    name: 'govstats_producer_events_total',
    help: 'Events posted, by event type (unknown when it names none) and outcome (accepted, invalid, forbidden, busy, unavailable).',
    labelNames: ['outcome', 'type'] as const,
    registers: [this.#own],
  });
  readonly #refusals = new Counter({
    name: 'govstats_producer_refusals_total',
    help: 'Events or requests refused, by reason (invalid_data, forbidden, unauthenticated, too_large, busy, kafka_unavailable, …).',
    labelNames: ['reason'] as const,
    registers: [this.#own],
  });
  readonly #latency = new Histogram({
    name: 'govstats_producer_request_seconds',
    help: 'Time from a request arriving to its answer, by content mode.',
    labelNames: ['mode'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.#own],
  });
  readonly #kafkaSend = new Histogram({
    name: 'govstats_producer_kafka_send_seconds',
    help: "Time Kafka took to acknowledge (acks=all) one group of requests' events.",
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.#own],
  });
  constructor(state: { pending(): number; kafkaUp(): boolean }) {
    // Read at scrape time from the queue itself, so they cannot drift from it.
    new Gauge({
      name: 'govstats_producer_pending_events',
      help: 'Events held while Kafka has not yet acknowledged them.',
      registers: [this.#own],
      collect() {
        this.set(state.pending());
      },
    });
    new Gauge({
      name: 'govstats_producer_kafka_up',
      help: "1 while Kafka acknowledges the service's sends, 0 while it refuses events with 503.",
      registers: [this.#own],
      collect() {
        this.set(state.kafkaUp() ? 1 : 0);
      },
    });
    this.registry = Registry.merge([processMetrics(), this.#own]);
  }

  request(route: string, mode: string, status: number, seconds: number | undefined): void {
    this.#requests.inc({ mode, route, status: String(status) });
    if (seconds !== undefined) this.#latency.observe({ mode }, seconds);
  }

  events(type: string, outcome: EventOutcome, n = 1): void {
    if (n > 0) this.#events.inc({ outcome, type }, n);
  }

  refused(reason: string, n = 1): void {
    if (n > 0) this.#refusals.inc({ reason }, n);
  }

  kafkaSent(seconds: number): void {
    this.#kafkaSend.observe(seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
