/**
 * The "native peer" of the benchmark: ClickHouse (here the embedded chdb engine) reading the
 * event-type topics itself with its Kafka table engine, one Kafka table per type, straight into
 * the same raw tables, so the same rollup materialized views fill the same rollups. The mapping
 * from envelope to raw columns is derived from each type's raw-table spec, as ours is. No
 * validation, no dead letters, no event-id ledger, no dedup of redeliveries: that is the point of
 * the comparison.
 *
 * What we found by experiment (chdb 3.4.0 = libchdb 26.7.3 / ClickHouse 26.7.2.1, Kafka 4.3.1,
 * 2-core VM):
 *
 * - Background consumption WORKS inside a chdb session. `CREATE TABLE … ENGINE = Kafka` plus a
 *   `CREATE MATERIALIZED VIEW … TO <raw table> AS SELECT … FROM kafka_table` starts streaming on
 *   its own: system.metrics shows BackgroundMessageBrokerSchedulePoolSize = 2 (the pool runs, with
 *   2 threads on this machine), KafkaConsumers/KafkaBackgroundReads = 1, and system.kafka_consumers
 *   shows assignments, reads and commits. Rows arrive with no query issued from JS; the chained
 *   MVs on the raw table fire as for any other insert. This is what the bench runs.
 * - Offsets in background mode are committed by the engine after each block has been written to
 *   the raw table (system.kafka_consumers.num_commits grows after each insert; the count can be
 *   visible a moment before the commit). At-least-once: a crash between the insert and the commit re-delivers the
 *   block, and nothing here deduplicates it.
 * - A block is flushed when kafka_max_block_size messages are collected or kafka_flush_interval_ms
 *   has passed (default stream_flush_interval_ms = 7.5 s, and the default block size is ~1M rows),
 *   so with engine defaults a 50k-event topic waits for the flush interval before its first
 *   insert (measured 6.4 s for 50k). A short flush interval is needed for a fair number.
 * - Direct SELECT also works: `INSERT INTO <raw table> SELECT … FROM kafka_table SETTINGS
 *   stream_like_engine_allow_direct_select = 1`, one block per statement (up to
 *   kafka_max_block_size rows). It is refused while an MV is attached ("Cannot read from
 *   StorageKafka with attached materialized views"). Offsets are committed after the SELECT only
 *   with the table setting `kafka_commit_on_select = 1`; with the default 0 nothing is committed
 *   and the consumer stalls: the first SELECT returns a block, every later one returns 0 rows
 *   (observed: 10 000, 0, 0, 0 of 20 000). A SELECT on an empty topic comes back empty only after
 *   ~5 s (~14 s on a fresh consumer). The bench does not use this mode:
 *   background consumption works, and it is how ClickHouse users run the engine.
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
 * Measured (the grid visits' topic only, with the rollup views of the time; 3-partition topic pre-filled, fresh store, time from CREATE TABLE …
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
 * 565 536 reads for 500 000 messages, yet the raw table held exactly 500 000 rows with 500 000
 * distinct event ids, so the re-read block was not inserted twice (in that run).
 */
import { pollUntil } from '@govstats/log';
import { queryRows, runCommand, type Store } from '@govstats/store';
import { COMMON_COLUMNS, areaFromCodeSql, type ColumnSpec, type EventTypeDefinition } from '@govstats/schemas';

/** Kafka table engine settings that matter for speed. */
export interface KafkaEngineSettings {
  kafka_num_consumers: number;
  kafka_max_block_size: number;
  kafka_poll_max_batch_size: number;
  kafka_flush_interval_ms: number;
  kafka_thread_per_consumer: 0 | 1;
}

/** What measured best on the 2-core machine (see the header): two consumers with a thread each, a flush every 0.5 s or 65 536 rows, whichever comes first. */
export const KAFKA_ENGINE_SETTINGS: KafkaEngineSettings = {
  kafka_num_consumers: 2,
  kafka_max_block_size: 65_536,
  kafka_poll_max_batch_size: 65_536,
  kafka_flush_interval_ms: 500,
  kafka_thread_per_consumer: 1,
};

export interface KafkaEnginePeerOptions {
  store: Store;
  brokers: string[];
  /** Each event type with its topic and how many events that topic holds. */
  feeds: { eventType: EventTypeDefinition; topic: string; events: number }[];
  groupId: string;
  /** Give up after this long (default 5 min). */
  timeoutMs?: number;
}

export interface KafkaEnginePeerResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU time of this process (the engine's threads, and the bench's polling) per event, over the run. */
  cpuMicrosPerEvent: number;
  notes: string;
}

const POLL_MS = 100;

function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One Kafka table reads every topic (one stream task: the engine's broker pool has a thread per core); a view per type takes its topic's rows. */
const KAFKA_TABLE = 'bench_peer_kafka';
const kafkaView = (type: EventTypeDefinition) => `bench_peer_${type.rawTable.name}_kafka_mv`;

/** The JSON type a data field is read as (leniently: null or missing gives the default), and how it becomes the column. */
function dataField(column: ColumnSpec): { tupleType: string; select: (value: string) => string } {
  const type = column.type.replace(/^LowCardinality\((.*)\)$/, '$1');
  if (type === 'String') return { tupleType: 'Nullable(String)', select: (v) => `ifNull(${v}, '')` };
  if (type.startsWith('Decimal')) return { tupleType: 'Nullable(Float64)', select: (v) => `CAST(ifNull(${v}, 0) AS ${type})` };
  if (type.startsWith('DateTime64'))
    return { tupleType: 'Nullable(String)', select: (v) => `ifNull(parseDateTime64BestEffortOrNull(${v}, 3, 'UTC'), event_time)` };
  return { tupleType: `Nullable(${type})`, select: (v) => `CAST(ifNull(${v}, 0) AS ${type})` };
}

/**
 * Envelope to raw row in SQL: the message is parsed once into a named tuple built from the
 * type's raw-table spec, then spread onto the columns. Lenient on purpose: a malformed message
 * must not wedge the stream, and nothing is checked.
 */
function selectRows(type: EventTypeDefinition, topic: string): string {
  const fields = type.rawTable.columns.map((column) => ({ column, ...dataField(column) }));
  const tuple = `Tuple(id String, type String, source String, subject String, time String, data Tuple(${fields.map((f) => `${f.column.name} ${f.tupleType}`).join(', ')}))`;
  const subject = 'toFixedString(substring(e.subject, 1, 12), 12)';
  const common: Record<string, string> = {
    event_id: 'e.id',
    contract_version: "toUInt16OrZero(extract(e.type, '\\\\.v(\\\\d+)$'))",
    source: 'e.source',
    village_code: subject,
    // No catalogue here: the subject is taken as sent, its area read off its code.
    original_code: subject,
    area: areaFromCodeSql(subject),
    event_time: "parseDateTime64BestEffortOrZero(e.time, 3, 'UTC')",
    ingested_at: "now64(3, 'UTC')",
    kafka_topic: '_topic',
    kafka_partition: '_partition',
    kafka_offset: '_offset',
  };
  const columns = [
    // Columns not mapped (CloudEvents extensions) take their defaults: the view writes only what it selects.
    ...COMMON_COLUMNS.filter((c) => common[c.name] !== undefined).map((c) => `${common[c.name]} AS ${c.name}`),
    ...fields.map((f) => `${f.select(`e.data.${f.column.name}`)} AS ${f.column.name}`),
  ];
  return `SELECT ${columns.join(',\n  ')}
FROM (SELECT JSONExtract(raw, '${tuple}') AS e, _topic, _partition, _offset FROM ${KAFKA_TABLE} WHERE _topic = ${sqlString(topic)})`;
}

function createKafkaTableSql(options: KafkaEnginePeerOptions): string {
  const settings = [
    `kafka_broker_list = ${sqlString(options.brokers.join(','))}`,
    `kafka_topic_list = ${sqlString(options.feeds.map((f) => f.topic).join(','))}`,
    `kafka_group_name = ${sqlString(options.groupId)}`,
    "kafka_format = 'JSONAsString'",
    ...Object.entries(KAFKA_ENGINE_SETTINGS).map(([name, value]) => `${name} = ${value}`),
    "kafka_client_id = 'govstats-bench-native-peer'",
  ];
  return `CREATE TABLE ${KAFKA_TABLE} (raw String) ENGINE = Kafka SETTINGS ${settings.join(', ')}`;
}

async function countRows(store: Store, tables: string[], distinctIds = false): Promise<number> {
  const count = distinctIds ? 'uniqExact(event_id)' : 'count()';
  const [row] = await queryRows<{ n: string | number }>(
    store.client,
    `SELECT ${tables.map((t) => `(SELECT ${count} FROM ${t})`).join(' + ')} AS n`,
  );
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
    (sum, r) => ({
      read: sum.read + Number(r.read),
      commits: sum.commits + Number(r.commits),
      exceptions: [...sum.exceptions, ...r.exceptions],
    }),
    { read: 0, commits: 0, exceptions: [] },
  );
}

async function dropPeerObjects(store: Store, types: EventTypeDefinition[]): Promise<void> {
  for (const type of types) await runCommand(store.client, `DROP VIEW IF EXISTS ${kafkaView(type)} SYNC`);
  await runCommand(store.client, `DROP TABLE IF EXISTS ${KAFKA_TABLE} SYNC`);
}

/**
 * Lets the Kafka table engine load every feed into its raw table and times it: from creating the
 * first consumer until the raw tables have grown by all the feeds' events (the rollup views fire
 * within each insert, so the rollups are complete by then). The schema must already be migrated
 * in `store`; the Kafka tables and their views are dropped before returning.
 */
export async function runKafkaEnginePeer(options: KafkaEnginePeerOptions): Promise<KafkaEnginePeerResult> {
  const { store, feeds } = options;
  const types = feeds.map((f) => f.eventType);
  const tables = types.map((t) => t.rawTable.name);
  const timeoutMs = options.timeoutMs ?? 300_000;
  const notes: string[] = [];
  await dropPeerObjects(store, types); // leftovers of an aborted run would keep consuming
  const baseline = await countRows(store, tables);
  if (baseline > 0) notes.push(`the raw tables held ${baseline} rows before; counted the growth`);
  const target = baseline + feeds.reduce((n, f) => n + f.events, 0);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = Date.now() + timeoutMs;
  let loaded = baseline;
  let firstRowsAt: number | undefined;
  let seconds: number;
  let cpuMicros: number;
  try {
    await runCommand(store.client, createKafkaTableSql(options));
    for (const { eventType, topic } of feeds) {
      await runCommand(
        store.client,
        `CREATE MATERIALIZED VIEW ${kafkaView(eventType)} TO ${eventType.rawTable.name} AS ${selectRows(eventType, topic)}`,
      );
    }
    await pollUntil(
      async () => {
        loaded = await countRows(store, tables);
        if (loaded > baseline) firstRowsAt ??= performance.now();
        // Blocks re-read after a rebalance are inserted again: only distinct events count as loaded.
        if (loaded >= target) loaded = await countRows(store, tables, true);
        return loaded >= target;
      },
      { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: POLL_MS },
    );
  } finally {
    seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMicros = cpu.user + cpu.system;
    if (firstRowsAt !== undefined) notes.push(`first rows visible after ${((firstRowsAt - started) / 1000).toFixed(2)} s`);
    const duplicates = (await countRows(store, tables)) - (await countRows(store, tables, true));
    if (duplicates > 0) notes.push(`${duplicates} rows inserted twice (re-read after a rebalance; nothing deduplicates them)`);
    const stats = await consumerStats(store);
    notes.push(
      `consumers had read ${stats.read} messages and committed ${stats.commits} times when the wait ended` +
        (stats.exceptions.length ? `; exceptions: ${stats.exceptions.slice(-3).join(' | ')}` : ''),
    );
    await dropPeerObjects(store, types);
  }
  const events = loaded - baseline;
  if (loaded < target)
    throw new Error(`native peer timed out after ${timeoutMs / 1000} s with ${events} of ${target - baseline} events; ${notes.join('; ')}`);
  notes.unshift(
    `settings: ${Object.entries(KAFKA_ENGINE_SETTINGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}, one Kafka table for all topics, a view per type`,
  );
  return { events, seconds, eventsPerSecond: events / seconds, cpuMicrosPerEvent: cpuMicros / events, notes: notes.join('; ') };
}
