/**
 * The "native peer" of the benchmark: ClickHouse (here the embedded chdb engine) reading the
 * grid-visit topic itself with its Kafka table engine, straight into the same `grid_visits` raw
 * table, so the same rollup materialized views (grid_visit_rollup_mv) fill the same rollups.
 * No validation, no dead letters, no event-id ledger, no dedup of redeliveries: that is the point
 * of the comparison.
 *
 * What we found by experiment (chdb 3.4.0 = libchdb 26.7.3 / ClickHouse 26.7.2.1, Kafka 4.3.1,
 * 2-core VM):
 *
 * - Background consumption WORKS inside a chdb session. `CREATE TABLE … ENGINE = Kafka` plus a
 *   `CREATE MATERIALIZED VIEW … TO grid_visits AS SELECT … FROM kafka_table` starts streaming on
 *   its own: system.metrics shows BackgroundMessageBrokerSchedulePoolSize = 2 (the pool runs, with
 *   2 threads on this machine), KafkaConsumers/KafkaBackgroundReads = 1, and system.kafka_consumers
 *   shows assignments, reads and commits. Rows arrive with no query issued from JS; the chained
 *   MVs on grid_visits fire as for any other insert. This is mode 'background-mv', the default.
 * - Offsets in background mode are committed by the engine after each block has been written to
 *   grid_visits (system.kafka_consumers.num_commits grows after each insert; the count can be
 *   visible a moment before the commit). At-least-once: a crash between the insert and the commit re-delivers the
 *   block, and nothing here deduplicates it.
 * - A block is flushed when kafka_max_block_size messages are collected or kafka_flush_interval_ms
 *   has passed (default stream_flush_interval_ms = 7.5 s, and the default block size is ~1M rows),
 *   so with engine defaults a 50k-event topic waits for the flush interval before its first
 *   insert (measured 6.4 s for 50k). A short flush interval is needed for a fair number.
 * - Direct SELECT also works: `INSERT INTO grid_visits SELECT … FROM kafka_table SETTINGS
 *   stream_like_engine_allow_direct_select = 1`, one block per statement (up to
 *   kafka_max_block_size rows). It is refused while an MV is attached ("Cannot read from
 *   StorageKafka with attached materialized views"). Offsets are committed after the SELECT only
 *   with the table setting `kafka_commit_on_select = 1`; with the default 0 nothing is committed
 *   and the consumer stalls: the first SELECT returns a block, every later one returns 0 rows
 *   (observed: 10 000, 0, 0, 0 of 20 000). A SELECT on an empty topic comes back empty only after
 *   ~5 s (~14 s on a fresh consumer). This is mode 'direct-select-loop', used only when asked for, or when the background
 *   stream shows no sign of life (a chdb build without the message-broker schedule pool). That fallback
 *   was exercised only on an empty topic (it switches after 20 s and then loops).
 * - kafka_num_consumers is capped by the engine at the number of physical cores unless
 *   kafka_disable_num_consumers_limit = 1 (ClickHouse rule, not tried here); without kafka_thread_per_consumer = 1 all consumers
 *   feed one shared insert stream.
 * - The chdb client must not get clickhouse_settings (they become sticky session SETs), so every
 *   setting here is in the SQL: engine settings in the CREATE TABLE, query settings in SETTINGS.
 * - Envelopes are read with kafka_format = 'JSONAsString' (one String column) and mapped with a
 *   single JSONExtract into a named Tuple (one parse per message). The expressions are lenient on
 *   purpose (…OrZero, subject cut/padded to 12 bytes): one malformed message must not wedge the
 *   stream, and nothing is checked.
 *
 * Measured (try-peer.mts, 3-partition topic pre-filled, fresh store, time from CREATE TABLE …
 * Kafka until count() reached the target, 2-core VM shared with other work; rollups checked:
 * 50 000 visits at each of the 4 levels):
 *   50k,  background-mv, defaults below ............. 1.27–1.38 s = 36–39k events/s
 *         (first block visible after ~1.17 s, presumably group join + the 0.5 s flush interval +
 *         the stream task's start; the 50k arrive in 2 blocks, one per consumer)
 *   50k,  background-mv, engine defaults (1 consumer, ~1M-row block, 7.5 s flush) .. 6.4 s = 7.8k/s
 *   50k,  background-mv, 1 consumer / 2 without thread_per_consumer .. 1.28–1.48 s = 34–39k/s
 *   50k,  background-mv, block 16 384 .......................... 1.67–1.79 s = 28–30k/s
 *   50k,  direct-select-loop, 1 consumer (1 statement) ......... 0.89–1.04 s = 48–56k/s
 *   50k,  direct-select-loop, 2 consumers ...................... 16 s = 3.1k/s (avoid)
 *   500k, background-mv, defaults below ........................ 6.0 s = 83k/s
 *   500k, background-mv, 1 consumer ............................ 6.7 s = 75k/s
 *   500k, background-mv, 2 consumers without thread_per_consumer 21 s = 24k/s (avoid)
 *   500k, background-mv, block 16 384 / 262 144 ................ 5.5 / 5.75 s = 90k / 87k/s
 *   500k, direct-select-loop, 1 consumer (8 statements) ........ 5.8 s = 86k/s
 * With two consumers the second one joining triggers a rebalance: system.kafka_consumers counted
 * 565 536 reads for 500 000 messages, yet grid_visits held exactly 500 000 rows with 500 000
 * distinct event ids, so the re-read block was not inserted twice (in that run).
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { queryRows, runCommand, type Store } from '@govstats/store';

export type KafkaEnginePeerMode = 'background-mv' | 'direct-select-loop';

/** Kafka table engine settings that matter for speed. */
export interface KafkaEngineSettings {
  kafka_num_consumers: number;
  kafka_max_block_size: number;
  kafka_poll_max_batch_size: number;
  kafka_flush_interval_ms: number;
  kafka_thread_per_consumer: 0 | 1;
}

export type KafkaEngineSettingOverrides = { [K in keyof KafkaEngineSettings]?: KafkaEngineSettings[K] | null };

export interface KafkaEnginePeerOptions {
  store: Store;
  brokers: string[];
  topic: string;
  groupId: string;
  expectedEvents: number;
  /** Give up after this long (default 5 min). */
  timeoutMs?: number;
  /** Default 'background-mv', falling back to 'direct-select-loop' if the background stream never starts. */
  mode?: KafkaEnginePeerMode;
  /** Overrides of the engine settings (defaults: DEFAULT_KAFKA_ENGINE_SETTINGS); null leaves one at the engine's own default. */
  settings?: KafkaEngineSettingOverrides;
}

export interface KafkaEnginePeerResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  mode: KafkaEnginePeerMode;
  notes: string;
}

/**
 * Background mode: what measured best on the 2-core benchmark machine (see the header). Two
 * consumers each with their own thread; a flush every 0.5 s or 65 536 rows, whichever comes first.
 */
export const DEFAULT_KAFKA_ENGINE_SETTINGS: KafkaEngineSettings = {
  kafka_num_consumers: Math.max(1, Math.min(2, availableParallelism())),
  kafka_max_block_size: 65_536,
  kafka_poll_max_batch_size: 65_536,
  kafka_flush_interval_ms: 500,
  kafka_thread_per_consumer: 1,
};

/** Direct-select mode: one consumer (with two, each SELECT waited ~16 s for the idle one). */
export const DIRECT_SELECT_DEFAULTS: Partial<KafkaEngineSettings> = { kafka_num_consumers: 1, kafka_thread_per_consumer: 0 };

const KAFKA_TABLE = 'bench_peer_grid_visits_kafka';
const KAFKA_VIEW = 'bench_peer_grid_visits_kafka_mv';
const RAW_TABLE = 'grid_visits';
const POLL_MS = 100;
/** Background mode is declared dead when nothing at all was read from Kafka for this long. */
const BACKGROUND_START_GRACE_MS = 20_000;

/** The envelope parsed once into a named tuple, then spread onto the raw columns of grid_visits. */
const ENVELOPE_TUPLE =
  "Tuple(id String, source String, subject String, time String, data Tuple(grid_id String, member_id String, household_id Nullable(String), kind String, issues_found UInt64, hazards_found UInt64, duration_minutes UInt64))";

const SELECT_ROWS = `SELECT
  e.id AS event_id,
  toUInt16(1) AS contract_version,
  e.source AS source,
  toFixedString(substring(e.subject, 1, 12), 12) AS village_code,
  parseDateTime64BestEffortOrZero(e.time, 3, 'UTC') AS event_time,
  now64(3, 'UTC') AS ingested_at,
  _topic AS kafka_topic,
  _partition AS kafka_partition,
  _offset AS kafka_offset,
  e.data.grid_id AS grid_id,
  e.data.member_id AS member_id,
  ifNull(e.data.household_id, '') AS household_id,
  e.data.kind AS kind,
  toUInt16(e.data.issues_found) AS issues_found,
  toUInt16(e.data.hazards_found) AS hazards_found,
  toUInt16(e.data.duration_minutes) AS duration_minutes
FROM (SELECT JSONExtract(raw, '${ENVELOPE_TUPLE}') AS e, _topic, _partition, _offset FROM ${KAFKA_TABLE})`;

function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function createKafkaTableSql(options: KafkaEnginePeerOptions, settings: KafkaEngineSettingOverrides, mode: KafkaEnginePeerMode): string {
  const engineSettings = [
    `kafka_broker_list = ${sqlString(options.brokers.join(','))}`,
    `kafka_topic_list = ${sqlString(options.topic)}`,
    `kafka_group_name = ${sqlString(options.groupId)}`,
    "kafka_format = 'JSONAsString'",
    ...Object.entries(settings)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([name, value]) => `${name} = ${Math.trunc(Number(value))}`),
    "kafka_client_id = 'govstats-bench-native-peer'",
    // Direct SELECTs do not commit unless told to (and then stall); the MV path commits anyway.
    ...(mode === 'direct-select-loop' ? ['kafka_commit_on_select = 1'] : []),
  ];
  return `CREATE TABLE ${KAFKA_TABLE} (raw String) ENGINE = Kafka SETTINGS ${engineSettings.join(', ')}`;
}

async function count(store: Store): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(store.client, `SELECT count() AS n FROM ${RAW_TABLE}`);
  return Number(row?.n ?? 0);
}

interface ConsumerStats {
  read: number;
  commits: number;
  exceptions: string[];
}

async function consumerStats(store: Store): Promise<ConsumerStats> {
  const rows = await queryRows<{ read: string | number; commits: string | number; exceptions: string[] }>(
    store.client,
    `SELECT num_messages_read AS read, num_commits AS commits, \`exceptions.text\` AS exceptions
     FROM system.kafka_consumers WHERE database = currentDatabase() AND table = '${KAFKA_TABLE}'`,
  ).catch(() => []);
  return rows.reduce<ConsumerStats>(
    (sum, r) => ({ read: sum.read + Number(r.read), commits: sum.commits + Number(r.commits), exceptions: [...sum.exceptions, ...r.exceptions] }),
    { read: 0, commits: 0, exceptions: [] },
  );
}

async function dropPeerObjects(store: Store): Promise<void> {
  await runCommand(store.client, `DROP VIEW IF EXISTS ${KAFKA_VIEW} SYNC`);
  await runCommand(store.client, `DROP TABLE IF EXISTS ${KAFKA_TABLE} SYNC`);
}

/**
 * Lets the Kafka table engine load `topic` into grid_visits and times it: from creating the
 * consumer until `SELECT count() FROM grid_visits` has grown by expectedEvents. The schema must
 * already be migrated in `store`; the Kafka table (and MV) are dropped before returning.
 */
export async function runKafkaEnginePeer(options: KafkaEnginePeerOptions): Promise<KafkaEnginePeerResult> {
  const { store, expectedEvents } = options;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const settingsFor = (mode: KafkaEnginePeerMode): KafkaEngineSettingOverrides => ({
    ...DEFAULT_KAFKA_ENGINE_SETTINGS,
    ...(mode === 'direct-select-loop' ? DIRECT_SELECT_DEFAULTS : {}),
    ...options.settings,
  });
  const notes: string[] = [];
  await dropPeerObjects(store); // leftovers of an aborted run would keep consuming
  const baseline = await count(store);
  if (baseline > 0) notes.push(`grid_visits held ${baseline} rows before; counted the growth`);
  const target = baseline + expectedEvents;

  let mode: KafkaEnginePeerMode = options.mode ?? 'background-mv';
  let settings = settingsFor(mode);
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let loaded = baseline;
  let statements = 0;
  let seconds = 0;
  let firstRowsAt: number | undefined;
  const observe = (n: number): void => {
    if (n > baseline && firstRowsAt === undefined) firstRowsAt = performance.now();
    loaded = n;
  };
  try {
    if (mode === 'background-mv') {
      await runCommand(store.client, createKafkaTableSql(options, settings, mode));
      await runCommand(store.client, `CREATE MATERIALIZED VIEW ${KAFKA_VIEW} TO ${RAW_TABLE} AS ${SELECT_ROWS}`);
      const graceUntil = Date.now() + BACKGROUND_START_GRACE_MS;
      while (loaded < target && Date.now() < deadline) {
        await sleep(POLL_MS);
        observe(await count(store));
        if (loaded === baseline && Date.now() > graceUntil && options.mode === undefined) {
          const stats = await consumerStats(store);
          if (stats.read === 0) {
            notes.push(`background stream read nothing in ${BACKGROUND_START_GRACE_MS / 1000} s; fell back to the direct-select loop (time includes the wait)`);
            await dropPeerObjects(store);
            mode = 'direct-select-loop';
            settings = settingsFor(mode);
            break;
          }
        }
      }
    }
    if (mode === 'direct-select-loop') {
      await runCommand(store.client, createKafkaTableSql(options, settings, mode));
      const insert = `INSERT INTO ${RAW_TABLE} ${SELECT_ROWS} SETTINGS stream_like_engine_allow_direct_select = 1`;
      while (loaded < target && Date.now() < deadline) {
        await runCommand(store.client, insert);
        statements++;
        observe(await count(store));
      }
      notes.push(`${statements} INSERT … SELECT statements`);
    }
  } finally {
    seconds = (performance.now() - started) / 1000;
    if (firstRowsAt !== undefined) notes.push(`first rows visible after ${((firstRowsAt - started) / 1000).toFixed(2)} s`);
    const stats = await consumerStats(store);
    notes.push(
      `consumers had read ${stats.read} messages and committed ${stats.commits} times when the wait ended` +
        (stats.exceptions.length ? `; exceptions: ${stats.exceptions.slice(-3).join(' | ')}` : ''),
    );
    await dropPeerObjects(store);
  }
  const events = loaded - baseline;
  if (loaded < target) notes.push(`timed out after ${timeoutMs / 1000} s with ${events} of ${expectedEvents} events`);
  notes.unshift(`settings: ${Object.entries(settings).map(([k, v]) => `${k}=${v ?? 'engine default'}`).join(', ')}`);
  return { events, seconds, eventsPerSecond: events / seconds, mode, notes: notes.join('; ') };
}
