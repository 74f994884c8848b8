/**
 * A small Prometheus registry: counters, gauges and one histogram, rendered in the text
 * exposition format. Enough for the ingest consumer without another dependency.
 */
type Labels = Record<string, string>;

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const render = (labels: Labels, extra: Labels = {}) => {
  const all = { ...labels, ...extra };
  const parts = Object.entries(all).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
};

class Series {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge') {}
  add(labels: Labels, delta: number): void {
    const k = key(labels);
    const current = this.values.get(k) ?? { labels, value: 0 };
    current.value += delta;
    this.values.set(k, current);
  }
  set(labels: Labels, value: number): void {
    this.values.set(key(labels), { labels, value });
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${render(labels)} ${value}`);
    return lines.join('\n');
  }
}

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.buckets.forEach((bound, i) => {
      if (value <= bound) this.counts[i]!++;
    });
    this.sum += value;
    this.count++;
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

export class IngestMetrics {
  readonly events = new Series('govstats_ingest_events_total', 'Messages handled by the ingest consumer, by event type and outcome (loaded, duplicate, dead_lettered).', 'counter');
  readonly batches = new Series('govstats_ingest_batches_total', 'Batches loaded and committed.', 'counter');
  readonly retries = new Series('govstats_ingest_retries_total', 'Batch attempts that failed and were retried.', 'counter');
  readonly lag = new Series('govstats_consumer_lag_messages', 'Messages on the subscribed topics not yet committed by the consumer group.', 'gauge');
  readonly lastBatch = new Series('govstats_ingest_last_batch_timestamp_seconds', 'When the last batch was committed (Unix time).', 'gauge');
  readonly batchSeconds = new Histogram('govstats_ingest_batch_seconds', 'Time from receiving a batch to committing it.', [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

  text(): string {
    return `${[this.events, this.batches, this.retries, this.lag, this.lastBatch, this.batchSeconds].map((s) => s.text()).join('\n')}\n`;
  }
}
