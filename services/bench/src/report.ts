import type { Summary } from './measure.ts';
import type { QueryLatency } from './runs/query-latency.ts';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; memoryGb: number; node: string };
  stream: { events: number; byType: Record<string, number> };
  runs: number;
  quick: boolean;
  ours: {
    endToEndEventsPerSecond: Summary;
    processEventsPerSecond: Summary;
    batches: Summary;
    peakRssMb: Summary;
    cpuMicrosPerEvent: Summary;
  };
  /** Our end-to-end rate with prior events in the store's ledger; the first point is the empty store. */
  history: { priorEvents: number; endToEnd: Summary; ofEmpty: number; peakRssMb: Summary }[];
  kafkaConsumerCeiling: Summary;
  clickhouseInsertCeiling: Summary;
  clickhouseInsertCpuMicrosPerRow: Summary;
  peer: { eventsPerSecond: Summary; cpuMicrosPerEvent: Summary; notes: string[] };
  freshness: { ratePerSecond: number; seconds: number; events: Summary; p50Ms: Summary; p99Ms: Summary; maxMs: Summary };
  queries: { type: string; rawRows: number; loadSeconds: number; mergeSeconds: number; results: QueryLatency[] };
  /** `govstats serve-producer` under autocannon: as hard as it answers, then at 50% and 100% of that. */
  producerService: {
    batchEvents: number;
    connections: number;
    seconds: number;
    levels: {
      level: string;
      offeredEventsPerSecond: Summary;
      eventsPerSecond: Summary;
      p50Ms: Summary;
      p99Ms: Summary;
      notAccepted: Summary;
    }[];
  };
  ratios: Record<string, number>;
  targets: { target: string; reached: boolean; value: string }[];
}

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const row = (label: string, s: Summary, unit: string, digits = 0) =>
  `| ${label} | ${n(s.median, digits)} | ${n(s.min, digits)} | ${n(s.max, digits)} | ${unit} |`;

export function renderMarkdown(report: BenchReport): string {
  const f = report.freshness;
  const lines = [
    `# govstats benchmark — ${report.startedAt}`,
    '',
    `Machine: ${report.machine.cpus} cores, ${report.machine.memoryGb} GiB, Node ${report.machine.node}; the Kafka broker, the consumer and ClickHouse share it. ` +
      `Stream: ${n(report.stream.events)} events (${Object.entries(report.stream.byType)
        .map(([t, c]) => `${t} ${n(c)}`)
        .join(', ')}). ` +
      `Each figure: median of ${report.runs} run${report.runs === 1 ? '' : 's'}, with min and max${report.quick ? ' (quick round, BENCH_QUICK=1)' : ''}. Event ids are random-looking UUIDs, as real producers send.`,
    '',
    '| figure | median | min | max | unit |',
    '|---|---|---|---|---|',
    row('govstats end to end: consumer start → last batch visible in the rollups', report.ours.endToEndEventsPerSecond, 'events/s'),
    row('govstats whole process (start-up, schema, idle check, shutdown included)', report.ours.processEventsPerSecond, 'events/s'),
    row('ceiling: Kafka consumer, no processing (KafkaJS)', report.kafkaConsumerCeiling, 'events/s'),
    row('ceiling: ClickHouse insert, pre-serialized rows, same views', report.clickhouseInsertCeiling, 'rows/s'),
    row('peer: ClickHouse Kafka table engine into the same tables and views', report.peer.eventsPerSecond, 'events/s'),
    row(`freshness p50 at ${n(f.ratePerSecond)} events/s (20% of our end-to-end median)`, f.p50Ms, 'ms'),
    row('freshness p99', f.p99Ms, 'ms'),
    row('freshness max', f.maxMs, 'ms'),
    row('govstats consumer peak RSS', report.ours.peakRssMb, 'MB'),
    row('govstats consumer CPU per event (whole process, engine threads and start-up included)', report.ours.cpuMicrosPerEvent, 'µs'),
    row('peer CPU per event (the process hosting the engine, over its run)', report.peer.cpuMicrosPerEvent, 'µs'),
    row('ceiling CPU per row: ClickHouse insert with the same views', report.clickhouseInsertCpuMicrosPerRow, 'µs'),
    row('govstats batches per run', report.ours.batches, 'batches'),
    '',
    '## History sweep',
    '',
    'The same stream into a store whose ledger already lists this many prior events (random UUIDs, merged); each run on its own copy.',
    '',
    '| prior events | end to end median | min | max | of empty store | peak RSS per run |',
    '|---|---|---|---|---|---|',
    ...report.history.map(
      (h) =>
        `| ${n(h.priorEvents)} | ${n(h.endToEnd.median)} | ${n(h.endToEnd.min)} | ${n(h.endToEnd.max)} | ${n(100 * h.ofEmpty)}% | ${h.peakRssMb.runs.map((mb) => `${n(mb)} MB`).join(', ')} |`,
    ),
    '',
    '## Producer service',
    '',
    `\`govstats serve-producer\` in its own process, loaded over loopback by autocannon: ${report.producerService.connections} connections, ` +
      `${report.producerService.batchEvents} events a request (\`application/cloudevents-batch+json\`), ${report.producerService.seconds} s a level. ` +
      'Every 202 means the events are acknowledged by Kafka (acks=all). Capacity is the rate it answers when pressed; the latencies are at 50% and 100% of it.',
    '',
    '| level | offered events/s | acknowledged events/s (median, min–max) | p50 ms | p99 ms | requests not answered 202 |',
    '|---|---|---|---|---|---|',
    ...report.producerService.levels.map(
      (l) =>
        `| ${l.level} | ${l.offeredEventsPerSecond.median ? n(l.offeredEventsPerSecond.median) : 'unlimited'} | ${n(l.eventsPerSecond.median)} (${n(l.eventsPerSecond.min)}–${n(l.eventsPerSecond.max)}) | ${n(l.p50Ms.median, 1)} | ${n(l.p99Ms.median, 1)} | ${n(l.notAccepted.median)} |`,
    ),
    '',
    '## Ratios',
    '',
    ...Object.entries(report.ratios).map(([k, v]) => `- ${k}: ${n(v, 2)}`),
    '',
    '## Targets',
    '',
    '| target | reached | value |',
    '|---|---|---|',
    ...report.targets.map((t) => `| ${t.target} | ${t.reached ? 'yes' : 'no'} | ${t.value} |`),
    '',
    `## Rollup query latency on ${n(report.queries.rawRows)} raw ${report.queries.type} events`,
    '',
    `Loaded through the views in ${n(report.queries.loadSeconds, 1)} s; rollup parts merged (OPTIMIZE … FINAL) in ${n(report.queries.mergeSeconds, 1)} s. ` +
      'Each query is the one `govstats rollup` runs; the raw column computes the same figures from the raw table.',
    '',
    '| level | period | rollup p50 ms | rollup p95 ms | raw p50 ms | raw p95 ms | events | same answer |',
    '|---|---|---|---|---|---|---|---|',
    ...report.queries.results.map(
      (q) =>
        `| ${q.level} | ${q.period} | ${n(q.rollupP50Ms, 1)} | ${n(q.rollupP95Ms, 1)} | ${n(q.rawP50Ms, 1)} | ${n(q.rawP95Ms, 1)} | ${n(q.events)} | ${q.agree ? 'yes' : 'NO'} |`,
    ),
    '',
    '## Native peer notes',
    '',
    ...report.peer.notes.map((note, i) => `- run ${i + 1}: ${note}`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
