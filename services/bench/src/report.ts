import type { Summary } from './measure.ts';
import type { QueryLatency } from './runs/query-latency.ts';

export interface BenchReport {
  startedAt: string;
  machine: { cpus: number; memoryGb: number; node: string };
  stream: { events: number; byType: Record<string, number> };
  runs: number;
  ours: { endToEndEventsPerSecond: Summary; drainEventsPerSecond: Summary; peakRssMb: Summary };
  kafkaConsumerCeiling: Summary;
  clickhouseInsertCeiling: Summary;
  peer?: { eventsPerSecond: Summary; mode: string; notes: string };
  queries: { rawRows: number; loadSeconds: number; results: QueryLatency[] };
  ratios: Record<string, number>;
  notMeasured: string[];
}

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const row = (label: string, s: Summary, unit: string) => `| ${label} | ${n(s.median)} | ${n(s.min)} | ${n(s.max)} | ${unit} |`;

export function renderMarkdown(report: BenchReport): string {
  const lines = [
    `# govstats benchmark — ${report.startedAt}`,
    '',
    `Machine: ${report.machine.cpus} cores, ${report.machine.memoryGb} GiB, Node ${report.machine.node}. Stream: ${n(report.stream.events)} events (${Object.entries(report.stream.byType).map(([t, c]) => `${t} ${n(c)}`).join(', ')}). Each figure: median of ${report.runs} runs, with min and max.`,
    '',
    '| figure | median | min | max | unit |',
    '|---|---|---|---|---|',
    row('govstats end to end (consumer start → drained, rollups visible)', report.ours.endToEndEventsPerSecond, 'events/s'),
    row('govstats drain (consumer-reported)', report.ours.drainEventsPerSecond, 'events/s'),
    row('ceiling: Kafka consumer, no processing (KafkaJS)', report.kafkaConsumerCeiling, 'events/s'),
    row('ceiling: ClickHouse insert, pre-serialized, same views', report.clickhouseInsertCeiling, 'rows/s'),
    ...(report.peer ? [row(`peer: ClickHouse Kafka engine (${report.peer.mode})`, report.peer.eventsPerSecond, 'events/s')] : []),
    row('govstats consumer peak RSS', report.ours.peakRssMb, 'MB'),
    '',
    '## Ratios',
    '',
    ...Object.entries(report.ratios).map(([k, v]) => `- ${k}: ${n(v, 2)}`),
    '',
    `## Rollup query latency on ${n(report.queries.rawRows)} raw events (loaded through the views in ${n(report.queries.loadSeconds, 1)} s)`,
    '',
    '| level | period | rollup p50 ms | rollup p95 ms | raw p50 ms | raw p95 ms | visits | same answer |',
    '|---|---|---|---|---|---|---|---|',
    ...report.queries.results.map((q) => `| ${q.level} | ${q.period} | ${n(q.rollupP50Ms, 1)} | ${n(q.rollupP95Ms, 1)} | ${n(q.rawP50Ms, 1)} | ${n(q.rawP95Ms, 1)} | ${n(q.visits)} | ${q.agree ? 'yes' : 'NO'} |`),
    '',
    ...(report.notMeasured.length > 0 ? ['## Not measured in this run', '', ...report.notMeasured.map((m) => `- ${m}`), ''] : []),
  ];
  return `${lines.join('\n')}\n`;
}
