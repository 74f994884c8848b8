// npm run bench — measures govstats against its ceilings and the native Kafka-engine path on one
// stream, and its throughput as the store's history grows, and writes
// bench-results/<time>/report.{md,json}. Sizes: BENCH_RUNS (3), BENCH_SCENARIO
// (services/bench/stream.yaml, ~230k events), BENCH_FRESHNESS_SECONDS (20), BENCH_QUERY_ROWS
// (10,000,000), BENCH_HISTORY (0,10M,100M); BENCH_QUICK=1 for a round of ~12 minutes.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, childEnvironment, loadConfig, topicsFor } from '@govstats/config';
import { createKafka, createKafkaSink, deleteTopics, ensureTopics } from '@govstats/kafka';
import { resolveInfrastructure } from '@govstats/local-infra';
import { publishLines } from '@govstats/producer';
import { EVENT_TYPES } from '@govstats/schemas';
import { openStore } from '@govstats/store';
import { preparedDataDir } from './history/prepared-store.ts';
import { repeat, summarize, timed, type Summary } from './measure.ts';
import { renderMarkdown, type BenchReport } from './report.ts';
import { runKafkaEnginePeer } from './peer/kafka-engine-peer.ts';
import { clickhouseInsertCeiling } from './runs/clickhouse-ceiling.ts';
import { freshDatabase } from './runs/database.ts';
import { measureFreshness } from './runs/freshness.ts';
import { measureProducerService, type LoadPoint, type ProducerLoadRun } from './runs/producer-load.ts';
import { kafkaConsumerCeiling } from './runs/kafka-ceiling.ts';
import { runOurs, type OursRun } from './runs/ours.ts';
import { QUERIED_TYPE, loadSyntheticRows, measureQueries } from './runs/query-latency.ts';
import { benchSizes } from './sizes.ts';
import { serializeAsConsumerWould, writeBenchStream } from './stream.ts';

const sizes = benchSizes();
const { runs: RUNS, scenario: SCENARIO, freshnessSeconds: FRESHNESS_SECONDS, queryRows: QUERY_ROWS } = sizes;
const say = (text: string) => process.stdout.write(`${text}\n`);
const round = (value: number) => Math.round(value).toLocaleString('en-US');

const startedAt = new Date().toISOString();
const stamp = startedAt.replace(/\D/g, '').slice(0, 14);
const config = loadConfig();
const home = join(config.home, 'bench');
rmSync(home, { recursive: true, force: true });
mkdirSync(home, { recursive: true });
const infra = await resolveInfrastructure();
const templates = new Map<number, string>();
try {
  const topics = topicsFor(`bench-${stamp}`);
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'govstats-bench', security: config.kafka.security });
  const typeTopics = EVENT_TYPES.map((t) => topics.forEventType(t.name));
  await ensureTopics(kafka, [...typeTopics, topics.unrouted, topics.deadLetter], {
    partitions: config.kafka.partitions,
    replicationFactor: 1,
  });

  say('stream: generating and publishing');
  const streamFile = join(home, 'stream.ndjson');
  const counts = await writeBenchStream(streamFile, SCENARIO);
  const lines = readFileSync(streamFile, 'utf8').trimEnd().split('\n');
  const sink = await createKafkaSink(kafka);
  await publishLines(lines, sink, { topics });
  await sink.close();
  say(`  ${counts.events} events`);

  const env = childEnvironment({ KAFKA_BROKERS: infra.kafkaBrokers.join(','), GOVSTATS_HOME: home });
  // Every store the consumer starts on is prepared first (migrated, its history in the ledger) and copied per run.
  for (const history of sizes.history) {
    say(`store: migrating${history ? `, ${round(history)} prior events in the ledger` : ''}`);
    const { value, seconds } = await timed(() => preparedDataDir(env, history));
    templates.set(history, value);
    say(`  ready in ${seconds.toFixed(1)} s`);
  }

  const sweep: { history: number; runs: OursRun[] }[] = [];
  for (const history of sizes.history) {
    say(`govstats end to end (govstats ingest --until-idle in its own process), ${round(history)} prior events`);
    const runs = await repeat(RUNS, async (run) => {
      const result = await runOurs(
        { ...env, KAFKA_TOPIC_PREFIX: topics.prefix },
        `bench-ours-${stamp}-${history}-${run}`,
        templates.get(history)!,
      );
      if (result.loaded !== counts.events) throw new Error(`run ${run} loaded ${result.loaded} of ${counts.events} events`);
      say(
        `  run ${run}: ${round(result.endToEnd)} events/s end to end (${round(result.process)} whole process), ${result.batches} batches, peak RSS ${result.peakRssMb} MB, CPU ${round(result.cpuMicrosPerEvent)} µs an event`,
      );
      return result;
    });
    sweep.push({ history, runs });
  }
  const ours = sweep[0]!.runs;
  const oursE2E = summarize(ours.map((r) => r.endToEnd));
  const history = sweep.map(({ history: prior, runs }) => {
    const endToEnd = summarize(runs.map((r) => r.endToEnd));
    return { priorEvents: prior, endToEnd, ofEmpty: endToEnd.median / oursE2E.median, peakRssMb: summarize(runs.map((r) => r.peakRssMb)) };
  });
  const deepest = history[history.length - 1]!;
  const peakRss = Math.max(...sweep.flatMap((s) => s.runs.map((r) => r.peakRssMb)));

  say('ceiling: Kafka consumer');
  const kafkaCeiling = await repeat(RUNS, async (run) => {
    const rate = await kafkaConsumerCeiling(kafka, typeTopics, counts.events, `bench-kafka-${stamp}-${run}`);
    say(`  run ${run}: ${round(rate)} events/s`);
    return rate;
  });

  const freshRate = Math.max(1, Math.round(oursE2E.median * 0.2));
  say(`freshness: govstats ingest as a service, ${round(freshRate)} events/s for ${FRESHNESS_SECONDS} s`);
  const freshness = await repeat(RUNS, async (run) => {
    const result = await measureFreshness({
      kafka,
      env,
      lines,
      ratePerSecond: freshRate,
      seconds: FRESHNESS_SECONDS,
      partitions: config.kafka.partitions,
      name: `bench-${stamp}-fresh-${run}`,
      template: templates.get(0)!,
    });
    say(
      `  run ${run}: p50 ${round(result.p50Ms)} ms, p99 ${round(result.p99Ms)} ms, max ${round(result.maxMs)} ms over ${result.events} events`,
    );
    return result;
  });

  const load = { batchEvents: 100, connections: 8, seconds: sizes.loadSeconds };
  say(
    `producer service: autocannon over loopback, ${load.connections} connections, ${load.batchEvents} events a request, ${load.seconds} s a level`,
  );
  const producerLoad = await repeat(RUNS, async (run) => {
    const result = await measureProducerService({ env, lines, topicPrefix: topics.prefix, home, ...load });
    say(
      `  run ${run}: capacity ${round(result.capacity.eventsPerSecond)} events/s; at 50% p50 ${result.at50.p50Ms} ms p99 ${result.at50.p99Ms} ms; at 100% p50 ${result.at100.p50Ms} ms p99 ${result.at100.p99Ms} ms`,
    );
    return result;
  });
  const loadLevel = (level: string, pick: (run: ProducerLoadRun) => LoadPoint) => {
    const points = producerLoad.map(pick);
    return {
      level,
      offeredEventsPerSecond: summarize(points.map((p) => p.offeredEventsPerSecond)),
      eventsPerSecond: summarize(points.map((p) => p.eventsPerSecond)),
      p50Ms: summarize(points.map((p) => p.p50Ms)),
      p99Ms: summarize(points.map((p) => p.p99Ms)),
      notAccepted: summarize(points.map((p) => p.notAccepted)),
    };
  };

  const store = await openStore({ dataDir: join(home, 'chdb') });
  try {
    say('ceiling: ClickHouse insert');
    const serialized = serializeAsConsumerWould(lines, topics);
    const chCeiling = await repeat(RUNS, async (run) => {
      const result = await clickhouseInsertCeiling(store, serialized, run);
      say(`  run ${run}: ${round(result.rowsPerSecond)} rows/s, CPU ${round(result.cpuMicrosPerRow)} µs a row`);
      return result;
    });

    say('peer: ClickHouse Kafka table engine, all four topics, into the same tables and views');
    const peer = await repeat(RUNS, async (run) => {
      await freshDatabase(store, `bench_peer_${run}`);
      const feeds = EVENT_TYPES.map((eventType) => ({
        eventType,
        topic: topics.forEventType(eventType.name),
        events: counts.eventsByType[eventType.name] ?? 0,
      }));
      const result = await runKafkaEnginePeer({ store, brokers: infra.kafkaBrokers, feeds, groupId: `bench-peer-${stamp}-${run}` });
      say(`  run ${run}: ${round(result.eventsPerSecond)} events/s, CPU ${round(result.cpuMicrosPerEvent)} µs an event`);
      return result;
    });

    say(`rollup queries: loading ${round(QUERY_ROWS)} raw ${QUERIED_TYPE.name} events through the views`);
    const loaded = await loadSyntheticRows(store, QUERY_ROWS);
    say(`  loaded in ${loaded.loadSeconds.toFixed(1)} s, merged in ${loaded.mergeSeconds.toFixed(1)} s; measuring`);
    const queries = await measureQueries(store);

    const kafkaSummary = summarize(kafkaCeiling);
    const chSummary = summarize(chCeiling.map((r) => r.rowsPerSecond));
    const peerSummary = summarize(peer.map((r) => r.eventsPerSecond));
    const oursCpu = summarize(ours.map((r) => r.cpuMicrosPerEvent));
    const peerCpu = summarize(peer.map((r) => r.cpuMicrosPerEvent));
    const freshP99 = summarize(freshness.map((r) => r.p99Ms));
    const lowerCeiling = Math.min(kafkaSummary.median, chSummary.median);
    const worstQueryP95 = Math.max(...queries.map((q) => q.rollupP95Ms));
    const percentOf = (value: number, of: Summary) => `${Math.round((100 * value) / of.median)}% of ${round(of.median)}`;
    const report: BenchReport = {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      stream: { events: counts.events, byType: counts.eventsByType },
      runs: RUNS,
      quick: sizes.quick,
      ours: {
        endToEndEventsPerSecond: oursE2E,
        processEventsPerSecond: summarize(ours.map((r) => r.process)),
        batches: summarize(ours.map((r) => r.batches)),
        peakRssMb: summarize(ours.map((r) => r.peakRssMb)),
        cpuMicrosPerEvent: oursCpu,
      },
      history,
      kafkaConsumerCeiling: kafkaSummary,
      clickhouseInsertCeiling: chSummary,
      clickhouseInsertCpuMicrosPerRow: summarize(chCeiling.map((r) => r.cpuMicrosPerRow)),
      peer: { eventsPerSecond: peerSummary, cpuMicrosPerEvent: peerCpu, notes: peer.map((r) => r.notes) },
      freshness: {
        ratePerSecond: freshRate,
        seconds: FRESHNESS_SECONDS,
        events: summarize(freshness.map((r) => r.events)),
        p50Ms: summarize(freshness.map((r) => r.p50Ms)),
        p99Ms: freshP99,
        maxMs: summarize(freshness.map((r) => r.maxMs)),
      },
      queries: { type: QUERIED_TYPE.name, rawRows: QUERY_ROWS, ...loaded, results: queries },
      producerService: {
        ...load,
        levels: [
          loadLevel('capacity (as fast as it answers)', (r) => r.capacity),
          loadLevel('50% of capacity', (r) => r.at50),
          loadLevel('100% of capacity', (r) => r.at100),
        ],
      },
      ratios: {
        'ours / native Kafka engine': oursE2E.median / peerSummary.median,
        'ours / ClickHouse insert ceiling': oursE2E.median / chSummary.median,
        'ours / lower ceiling': oursE2E.median / lowerCeiling,
        'CPU per event, ours / native Kafka engine': oursCpu.median / peerCpu.median,
        [`ours at ${round(deepest.priorEvents)} prior events / empty store`]: deepest.ofEmpty,
      },
      targets: [
        {
          target: 'end to end ≥ native Kafka engine',
          reached: oursE2E.median >= peerSummary.median,
          value: `${round(oursE2E.median)} vs ${round(peerSummary.median)} events/s`,
        },
        {
          target: 'end to end ≥ 60% of the ClickHouse insert ceiling',
          reached: oursE2E.median >= 0.6 * chSummary.median,
          value: percentOf(oursE2E.median, chSummary),
        },
        {
          target: `end to end at ${round(deepest.priorEvents)} prior events within 20% of an empty store`,
          reached: deepest.ofEmpty >= 0.8,
          value: `${round(deepest.endToEnd.median)} vs ${round(oursE2E.median)} events/s (${Math.round(100 * deepest.ofEmpty)}%)`,
        },
        { target: 'consumer peak RSS ≤ 600 MB', reached: peakRss <= 600, value: `${round(peakRss)} MB (highest of all runs)` },
        { target: 'freshness p99 < 1 s', reached: freshP99.median < 1000, value: `${round(freshP99.median)} ms (median of runs)` },
        { target: 'rollup query p95 < 50 ms', reached: worstQueryP95 < 50, value: `worst ${worstQueryP95.toFixed(1)} ms` },
        {
          target: 'rollups agree with raw',
          reached: queries.every((q) => q.agree),
          value: `${queries.filter((q) => q.agree).length}/${queries.length}`,
        },
      ],
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
  await deleteTopics(kafka, [...typeTopics, topics.unrouted, topics.deadLetter]);
} finally {
  for (const template of templates.values()) rmSync(dirname(template), { recursive: true, force: true });
  await infra.stop();
}
