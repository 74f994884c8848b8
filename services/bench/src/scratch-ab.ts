// SCRATCH — not committed. A/B of the consumer on the bench stream.
// usage: tsx scratch-ab.ts <runs> '<json array of env overrides>'
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, childEnvironment, loadConfig, topicsFor } from '@govstats/config';
import { createKafka, createKafkaSink, ensureTopics } from '@govstats/kafka';
import { resolveInfrastructure } from '@govstats/local-infra';
import { publishLines } from '@govstats/producer';
import { EVENT_TYPES } from '@govstats/schemas';
import { preparedDataDir, copyOfDataDir } from './history/prepared-store.ts';
import { writeBenchStream } from './stream.ts';

const runs = Number(process.argv[2] ?? 2);
const variants = JSON.parse(process.argv[3] ?? '[{}]') as Record<string, string>[];
const config = loadConfig();
const home = join(config.home, 'bench');
rmSync(home, { recursive: true, force: true });
mkdirSync(home, { recursive: true });
const infra = await resolveInfrastructure();
const stamp = String(Date.now());
const topics = topicsFor(`ab-${stamp}`);
const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'ab', security: config.kafka.security });
const typeTopics = EVENT_TYPES.map((t) => topics.forEventType(t.name));
await ensureTopics(kafka, [...typeTopics, topics.unrouted, topics.deadLetter], {
  partitions: config.kafka.partitions,
  replicationFactor: 1,
});
const streamFile = join(home, 'stream.ndjson');
const counts = await writeBenchStream(streamFile);
const lines = readFileSync(streamFile, 'utf8').trimEnd().split('\n');
const sink = await createKafkaSink(kafka);
await publishLines(lines, sink, { topics });
await sink.close();
console.log(`${counts.events} events`);
const env = childEnvironment({ KAFKA_BROKERS: infra.kafkaBrokers.join(','), GOVSTATS_HOME: home, KAFKA_TOPIC_PREFIX: topics.prefix });
const template = await preparedDataDir(env, Number(process.env.AB_HISTORY ?? 0));
for (let run = 0; run < runs; run++) {
  for (const [v, overrides] of variants.entries()) {
    const { chdbPath, dir } = copyOfDataDir(template);
    const command = [
      process.execPath,
      ...(overrides.AB_NODE_ARGS ? overrides.AB_NODE_ARGS.split(' ') : []),
      '--import',
      'tsx',
      join(overrides.AB_ROOT ?? REPO_ROOT, 'services', 'cli', 'src', 'main.ts'),
      'ingest',
      '--until-idle',
    ];
    const started = performance.now();
    const wrap = overrides.AB_WRAP ? overrides.AB_WRAP.split(' ') : [];
    const child = spawn(
      wrap[0] ?? '/usr/bin/time',
      [...wrap.slice(1), ...(wrap.length ? ['/usr/bin/time'] : []), '-f', 'peak-rss-kb=%M user=%U sys=%S', ...command],
      {
        env: {
          ...env,
          ...overrides,
          CHDB_PATH: chdbPath,
          INGEST_GROUP_ID: `ab-${stamp}-${run}-${v}`,
          INGEST_METRICS_PORT: '0',
          LOG_LEVEL: overrides.LOG_LEVEL ?? 'error',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: overrides.AB_ROOT ?? REPO_ROOT,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    const seconds = (performance.now() - started) / 1000;
    if (overrides.AB_KEEP) console.log('kept', chdbPath);
    else rmSync(dir, { recursive: true, force: true });
    if (code !== 0) {
      console.log(`variant ${v} failed: ${stderr.slice(-3000)}`);
      continue;
    }
    const report = JSON.parse(stdout.trim().split('\n').pop()!);
    const consuming = (report.lastBatchAt - report.consumingSince) / 1000;
    const m = /peak-rss-kb=(\d+) user=([\d.]+) sys=([\d.]+)/.exec(stderr)!;
    if (overrides.LOG_LEVEL) writeFileSync(`/tmp/i17/log-${v}-${run}.txt`, stderr);
    console.log(
      `run ${run} variant ${v} ${JSON.stringify(overrides)}: e2e ${Math.round(report.messages / consuming)} ev/s, consuming ${consuming.toFixed(2)} s, process ${seconds.toFixed(1)} s, loaded ${report.loaded}, batches ${report.batches}, RSS ${Math.round(Number(m[1]) / 1024)} MB, cpu user ${m[2]} sys ${m[3]}`,
    );
  }
}
