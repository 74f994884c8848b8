/**
 * Runs the native peer once, end to end:
 *   node_modules/.bin/tsx services/bench/src/peer/try-peer.mts
 *
 * Uses KAFKA_BROKERS if set; otherwise starts the local broker with startKafka() (which honours
 * KAFKA_PORT, KAFKA_CONTROLLER_PORT and GOVSTATS_HOME) and stops it again at the end if this
 * script started it. Publishes PEER_EVENTS (default 50 000) grid-visit envelopes to a fresh
 * topic of PEER_PARTITIONS (default 3) partitions, opens an embedded store in a temp dir,
 * migrates, runs runKafkaEnginePeer, checks the rollups and prints the result as JSON.
 * PEER_MODE=direct-select-loop forces that mode; PEER_SETTINGS='{"kafka_num_consumers":1}'
 * overrides engine settings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBrokerList, startKafka, stopKafka } from '@govstats/local-infra';
import { openStore, queryRows } from '@govstats/store';
import { allMigrations, migrate, SINGLE_NODE } from '@govstats/warehouse';
import { runKafkaEnginePeer, type KafkaEngineSettingOverrides, type KafkaEnginePeerMode } from './kafka-engine-peer.ts';
import { publishGridVisits } from './synthetic-grid-visits.ts';

const events = Number(process.env.PEER_EVENTS ?? 50_000);
const partitions = Number(process.env.PEER_PARTITIONS ?? 3);
const mode = (process.env.PEER_MODE || undefined) as KafkaEnginePeerMode | undefined;
const settings = process.env.PEER_SETTINGS ? (JSON.parse(process.env.PEER_SETTINGS) as KafkaEngineSettingOverrides) : undefined;

const fromEnv = process.env.KAFKA_BROKERS?.trim();
const broker = fromEnv ? { brokers: parseBrokerList(fromEnv)!, alreadyRunning: true } : await startKafka();
const dataDir = mkdtempSync(join(tmpdir(), 'govstats-peer-'));
try {
  const stamp = Date.now();
  const topic = `bench.peer.grid-visit.${stamp}`;
  const published = await publishGridVisits({ brokers: broker.brokers, topic, count: events, partitions });
  process.stderr.write(`published ${published.published} envelopes to ${topic} (${partitions} partitions) in ${published.seconds.toFixed(1)} s\n`);

  const store = await openStore({ dataDir });
  try {
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
    const result = await runKafkaEnginePeer({
      store,
      brokers: broker.brokers,
      topic,
      groupId: `govstats-bench-peer-${stamp}`,
      expectedEvents: events,
      timeoutMs: 300_000,
      mode,
      settings,
    });
    const rollup = await queryRows<{ level: string; visits: string }>(
      store.client,
      'SELECT level, sum(visits_state) AS visits FROM grid_visit_rollup GROUP BY level ORDER BY level',
    );
    const raw = await queryRows<{ rows: string; ids: string; bad_times: string }>(
      store.client,
      "SELECT count() AS rows, uniqExact(event_id) AS ids, countIf(event_time = toDateTime64(0, 3, 'UTC')) AS bad_times FROM grid_visits",
    );
    process.stdout.write(`${JSON.stringify({ published: events, partitions, ...result, rollupVisitsByLevel: rollup, raw: raw[0] }, null, 2)}\n`);
  } finally {
    await store.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  if (!broker.alreadyRunning) await stopKafka();
}
