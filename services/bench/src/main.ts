// npm run bench — measures govstats against its ceilings and the native Kafka-engine path on one
// stream, and writes bench-results/<time>/report.{md,json}. Sizes: BENCH_RUNS (3),
// BENCH_VISITS_PER_MEMBER (60 ≈ 200k events), BENCH_QUERY_ROWS (10,000,000).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, loadConfig, topicsFor } from '@govstats/config';
import { divisionCatalogue } from '@govstats/divisions';
import { decodeMessage } from '@govstats/ingest';
import { createKafka, createKafkaSink, ensureTopics } from '@govstats/kafka';
import { resolveInfrastructure } from '@govstats/local-infra';
import { publishLines } from '@govstats/producer';
import { EVENT_TYPES } from '@govstats/schemas';
import { openStore } from '@govstats/store';
import { repeat, summarize } from './measure.ts';
import { renderMarkdown, type BenchReport } from './report.ts';
import { runKafkaEnginePeer } from './peer/kafka-engine-peer.ts';
import { clickhouseInsertCeiling } from './runs/clickhouse-ceiling.ts';
import { freshDatabase } from './runs/database.ts';
import { kafkaConsumerCeiling } from './runs/kafka-ceiling.ts';
import { runOurs } from './runs/ours.ts';
import { loadSyntheticVisits, measureQueries } from './runs/query-latency.ts';
import { writeBenchStream } from './stream.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const VISITS = Number(process.env.BENCH_VISITS_PER_MEMBER ?? 60);
const QUERY_ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 10_000_000);
const say = (text: string) => process.stdout.write(`${text}\n`);

const startedAt = new Date().toISOString();
const stamp = startedAt.replace(/\D/g, '').slice(0, 14);
const config = loadConfig();
const home = join(config.home, 'bench');
rmSync(home, { recursive: true, force: true });
mkdirSync(home, { recursive: true });
const infra = await resolveInfrastructure();
try {
  const topics = topicsFor(`bench-${stamp}`);
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'govstats-bench' });
  const typeTopics = EVENT_TYPES.map((t) => topics.forEventType(t.name));
  await ensureTopics(kafka, [...typeTopics, topics.unrouted, topics.deadLetter], { partitions: config.kafka.partitions, replicationFactor: 1 });

  say('stream: generating and publishing');
  const streamFile = join(home, 'stream.ndjson');
  const counts = await writeBenchStream(streamFile, VISITS);
  const lines = readFileSync(streamFile, 'utf8').trimEnd().split('\n');
  const sink = await createKafkaSink(kafka);
  await publishLines(lines, sink, { topics });
  await sink.close();
  say(`  ${counts.events} events`);

  const env = { ...process.env, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topics.prefix, GOVSTATS_HOME: home };
  say('govstats end to end');
  const ours = await repeat(RUNS, async (run) => {
    const result = await runOurs(env, `bench-ours-${stamp}-${run}`);
    if (result.loaded !== counts.events) throw new Error(`run ${run} loaded ${result.loaded} of ${counts.events} events`);
    say(`  run ${run}: ${Math.round(result.endToEnd)} events/s end to end, ${Math.round(result.drain)} drain, ${result.peakRssMb} MB`);
    return result;
  });

  say('ceiling: Kafka consumer');
  const kafkaCeiling = await repeat(RUNS, (run) => kafkaConsumerCeiling(kafka, typeTopics, counts.events, `bench-kafka-${stamp}-${run}`));

  say('ceiling: ClickHouse insert');
  const store = await openStore({ dataDir: join(home, 'chdb') });
  try {
    const villages = new Set(divisionCatalogue().filter((d) => d.level === 'village').map((d) => d.code));
    const rowsByTable = new Map<string, string[]>();
    for (const line of lines) {
      const type = EVENT_TYPES.find((t) => line.includes(`"govstats.${t.name}.v`))!;
      const decoded = decodeMessage(
        { offset: '0', key: null, value: Buffer.from(line), headers: {} },
        { topic: topics.forEventType(type.name), partition: 0, topicType: type, knownVillages: villages, maxEventBytes: 1 << 20, futureToleranceMs: 0, now: Date.now() },
      );
      if (!decoded.ok) throw new Error(`bench stream has an invalid event: ${decoded.detail}`);
      const table = decoded.eventType.rawTable.name;
      const rows = rowsByTable.get(table) ?? [];
      rows.push(JSON.stringify(decoded.row));
      rowsByTable.set(table, rows);
    }
    const chCeiling = await repeat(RUNS, (run) => clickhouseInsertCeiling(store, rowsByTable, run));

    say('peer: ClickHouse Kafka table engine into the same rollups (grid visits)');
    const gridEvents = counts.eventsByType['grid-visit'] ?? 0;
    const peer = await repeat(RUNS, async (run) => {
      await freshDatabase(store, `bench_peer_${run}`);
      const result = await runKafkaEnginePeer({ store, brokers: infra.kafkaBrokers, topic: topics.forEventType('grid-visit'), groupId: `bench-peer-${stamp}-${run}`, expectedEvents: gridEvents });
      say(`  run ${run}: ${Math.round(result.eventsPerSecond)} events/s (${result.mode})`);
      return result;
    });

    say(`rollup queries: loading ${QUERY_ROWS} raw events`);
    const loadSeconds = await loadSyntheticVisits(store, QUERY_ROWS);
    const queries = await measureQueries(store);

    const oursE2E = summarize(ours.map((r) => r.endToEnd));
    const kafkaSummary = summarize(kafkaCeiling);
    const chSummary = summarize(chCeiling);
    const peerSummary = summarize(peer.map((r) => r.eventsPerSecond));
    const report: BenchReport = {
      startedAt,
      machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      stream: { events: counts.events, byType: counts.eventsByType },
      runs: RUNS,
      ours: { endToEndEventsPerSecond: oursE2E, drainEventsPerSecond: summarize(ours.map((r) => r.drain)), peakRssMb: summarize(ours.map((r) => r.peakRssMb)) },
      kafkaConsumerCeiling: kafkaSummary,
      clickhouseInsertCeiling: chSummary,
      peer: { eventsPerSecond: peerSummary, mode: peer[0]!.mode, notes: `grid-visit topic only (${gridEvents} events); ${peer[0]!.notes}` },
      queries: { rawRows: QUERY_ROWS, loadSeconds, results: queries },
      ratios: {
        'ours / native Kafka engine': oursE2E.median / peerSummary.median,
        'ours / lower ceiling': oursE2E.median / Math.min(kafkaSummary.median, chSummary.median),
      },
      notMeasured: ['freshness p50/p99 at 20% of the maximum rate (next)'],
    };
    const outDir = join(REPO_ROOT, 'bench-results', stamp);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    const markdown = renderMarkdown(report);
    writeFileSync(join(outDir, 'report.md'), markdown);
    say(`\n${markdown}\nreport: ${outDir}/report.md`);
  } finally {
    await store.close();
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [...typeTopics, topics.unrouted, topics.deadLetter] }).catch(() => undefined);
  await admin.disconnect();
} finally {
  await infra.stop();
}
