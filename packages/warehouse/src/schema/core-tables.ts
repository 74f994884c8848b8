import { dedupSettings, engine, onCluster, type DdlOptions } from './ddl-options.ts';
import type { Migration } from './migration.ts';

/** Tables every event type relies on: places, the dead-letter record, the ledger of loaded ids. */
export function coreMigrations(options: DdlOptions): Migration[] {
  const cluster = onCluster(options);
  return [
    {
      id: '0001_divisions',
      description: 'division dimension: 12-digit code, name, level, parent',
      statements: [
        `CREATE TABLE IF NOT EXISTS divisions${cluster} (
  code FixedString(12),
  name String,
  short_name String,
  level LowCardinality(String),
  parent_code String,
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ${engine('ReplacingMergeTree', options, 'updated_at')}
ORDER BY code`,
      ],
    },
    {
      id: '0002_dead_letters',
      description: 'every refused message with its reason and original bytes',
      statements: [
        `CREATE TABLE IF NOT EXISTS dead_letters${cluster} (
  dead_lettered_at DateTime64(3, 'UTC'),
  kafka_topic LowCardinality(String),
  kafka_partition UInt32,
  kafka_offset UInt64,
  kafka_key String,
  reason LowCardinality(String),
  detail String,
  event_id String,
  event_type String,
  payload_base64 String,
  payload_bytes UInt32
) ENGINE = ${engine('ReplacingMergeTree', options)}
ORDER BY (kafka_topic, kafka_partition, kafka_offset)
SETTINGS ${dedupSettings(options)}`,
      ],
    },
    {
      id: '0003_event_ledger',
      description: 'ids of every loaded event, so a redelivered event is recognised and skipped',
      statements: [
        `CREATE TABLE IF NOT EXISTS event_ledger${cluster} (
  event_id String,
  event_type LowCardinality(String),
  ingested_at DateTime64(3, 'UTC')
) ENGINE = ${engine('ReplacingMergeTree', options)}
ORDER BY event_id
SETTINGS ${dedupSettings(options)}`,
      ],
    },
    {
      id: '0004_ingest_batches',
      description: 'one row per loaded batch: what came in, what was loaded, skipped, dead-lettered',
      statements: [
        `CREATE TABLE IF NOT EXISTS ingest_batches${cluster} (
  batch_id String,
  consumer_group String,
  kafka_topic LowCardinality(String),
  kafka_partition UInt32,
  first_offset UInt64,
  last_offset UInt64,
  messages UInt32,
  loaded UInt32,
  duplicates UInt32,
  dead_lettered UInt32,
  started_at DateTime64(3, 'UTC'),
  finished_at DateTime64(3, 'UTC')
) ENGINE = ${engine('ReplacingMergeTree', options)}
ORDER BY (kafka_topic, kafka_partition, first_offset, batch_id)
SETTINGS ${dedupSettings(options)}`,
      ],
    },
    {
      id: '0006_ingest_intents',
      description: 'offset range of every batch before it is loaded, so a batch cut short by a crash is replayed exactly',
      statements: [
        `CREATE TABLE IF NOT EXISTS ingest_intents${cluster} (
  consumer_group String,
  kafka_topic LowCardinality(String),
  kafka_partition UInt32,
  first_offset UInt64,
  last_offset UInt64,
  created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ${engine('ReplacingMergeTree', options, 'created_at')}
ORDER BY (consumer_group, kafka_topic, kafka_partition, first_offset)
TTL toDateTime(created_at) + INTERVAL 30 DAY`,
      ],
    },
    {
      id: '0005_bulletins',
      description: 'every issued statistical bulletin: city, period, revision, checksum, content',
      statements: [
        `CREATE TABLE IF NOT EXISTS bulletins${cluster} (
  city_code FixedString(12),
  period String,
  revision UInt32,
  generated_at DateTime64(3, 'UTC'),
  checksum String,
  content String COMMENT 'the figures as JSON, for revision diffs'
) ENGINE = ${engine('ReplacingMergeTree', options)}
ORDER BY (city_code, period, revision)`,
      ],
    },
  ];
}
