import { dedupSettings, engine, onCluster, type DdlOptions } from './ddl-options.ts';
import { eventKeysTableDdl } from './event-keys.ts';
import type { Migration } from './migration.ts';
import { writeDeadlineColumnSql, writeLeaseConstraintSql } from './write-lease.ts';

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
      // Places of every level and edition: rows are never deleted, a place dropped by a newer
      // complete edition is marked retired; its code then maps to a successor in
      // division_code_changes, so events carrying it still count.
      id: '0007_division_editions_and_code_changes',
      description: 'division catalogue: urban/rural area, editions, retired places and code changes',
      statements: [
        `ALTER TABLE divisions${cluster}
  ADD COLUMN IF NOT EXISTS area LowCardinality(String) DEFAULT '' COMMENT 'urban or rural for village-level places, empty above',
  ADD COLUMN IF NOT EXISTS urban_rural_code LowCardinality(String) DEFAULT '' COMMENT 'NBS 城乡分类代码 (111…220) when the loaded table has it',
  ADD COLUMN IF NOT EXISTS area_source LowCardinality(String) DEFAULT '' COMMENT 'nbs: from 城乡分类代码; code: derived from the code digits',
  ADD COLUMN IF NOT EXISTS edition LowCardinality(String) DEFAULT '' COMMENT 'edition or file the row was loaded from',
  ADD COLUMN IF NOT EXISTS retired UInt8 DEFAULT 0 COMMENT '1 when a newer complete edition no longer lists the place'`,
        `CREATE TABLE IF NOT EXISTS division_code_changes${cluster} (
  retired_code FixedString(12),
  current_code FixedString(12) COMMENT 'the place events with the retired code count under (possibly a level higher, when a village was merged away)',
  method LowCardinality(String) COMMENT 'how the successor was found',
  retired_in LowCardinality(String) COMMENT 'first edition without the retired code',
  retired_name String,
  current_name String,
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ${engine('ReplacingMergeTree', options, 'updated_at')}
ORDER BY retired_code`,
        `CREATE TABLE IF NOT EXISTS division_editions${cluster} (
  edition String,
  title String,
  source String,
  checksum String,
  mode LowCardinality(String) COMMENT 'complete: the whole table of an edition; overlay: rows added or corrected',
  places UInt32,
  retired UInt32,
  code_changes UInt32,
  loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ${engine('ReplacingMergeTree', options, 'loaded_at')}
ORDER BY (edition, checksum)`,
      ],
    },
    {
      // A refused message keeps its place (a city's bulletin counts only its own refusals) and,
      // when it is a replay, the message it replays: every attempt at one original is one story.
      id: '0008_dead_letter_places_and_replays',
      description: 'dead letters: subject place, original message of replays; resolutions of replayed dead letters',
      statements: [
        `ALTER TABLE dead_letters${cluster}
  ADD COLUMN IF NOT EXISTS subject String DEFAULT '' COMMENT 'subject attribute of the refused event, when it had a 12-digit one',
  ADD COLUMN IF NOT EXISTS origin_topic LowCardinality(String) DEFAULT kafka_topic COMMENT 'the message first refused; differs from kafka_topic for a replay',
  ADD COLUMN IF NOT EXISTS origin_partition UInt32 DEFAULT kafka_partition,
  ADD COLUMN IF NOT EXISTS origin_offset UInt64 DEFAULT kafka_offset`,
        `CREATE TABLE IF NOT EXISTS dead_letter_resolutions${cluster} (
  origin_topic LowCardinality(String),
  origin_partition UInt32,
  origin_offset UInt64,
  outcome LowCardinality(String) COMMENT 'loaded, or duplicate when the event had been loaded by then',
  event_id String,
  kafka_topic LowCardinality(String) COMMENT 'the replayed copy that was accepted',
  kafka_partition UInt32,
  kafka_offset UInt64,
  resolved_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ${engine('ReplacingMergeTree', options, 'resolved_at')}
ORDER BY (origin_topic, origin_partition, origin_offset)`,
      ],
    },
    {
      // CloudEvents makes source + id unique, not id alone: two producers numbering their events
      // 1, 2, 3… are different events. Each event type's migration 0006 fills in the source of
      // the ids already loaded. Intents carry the facts their plan was made with, so a replay
      // plans the same blocks whatever changed since; both intents and raw rows are fenced by
      // the writer's lease.
      id: '0009_exactly_once_on_a_cluster',
      description: 'ledger keyed by source and id; intents with their plan facts and write lease',
      statements: [
        `ALTER TABLE event_ledger${cluster}
  ADD COLUMN IF NOT EXISTS source String COMMENT 'CloudEvents source: with event_id, what identifies an event (empty until the event type migration 0006 fills it in)',
  MODIFY ORDER BY (event_id, source)`,
        `ALTER TABLE ingest_intents${cluster}
  ADD COLUMN IF NOT EXISTS facts String DEFAULT '' COMMENT 'JSON: clock, limits, resolved places and ledger hits the plan was made with' CODEC(ZSTD(3)),
  ${writeDeadlineColumnSql('last_offset')}`,
        `ALTER TABLE ingest_intents${cluster} ${writeLeaseConstraintSql()}`,
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
    {
      // A binary-mode CloudEvent keeps its attributes in headers, not in the payload: without them
      // a dead letter could not be read again or replayed.
      id: '0010_dead_letter_binding_headers',
      description: "dead letters: the refused message's CloudEvents headers (content-type, ce_*)",
      statements: [
        `ALTER TABLE dead_letters${cluster}
  ADD COLUMN IF NOT EXISTS binding_headers Map(String, String) COMMENT 'the refused message''s CloudEvents Kafka binding headers (content-type, ce_*): with the payload, the whole event of a binary-mode message'`,
      ],
    },
    {
      // A range read again (govstats ingest --from) is finished by another plan than the first
      // reading's; the row says which, so a replay can tell a finished reading from an unfinished one.
      id: '0011_ingest_batches_planned_at',
      description: 'ingest batches: the clock reading of the plan (its intent) that finished them',
      statements: [
        `ALTER TABLE ingest_batches${cluster}
  ADD COLUMN IF NOT EXISTS planned_at DateTime64(3, 'UTC') DEFAULT toDateTime64(0, 3, 'UTC') COMMENT 'clock reading the batch''s plan was made with, as its intent recorded it (0: finished before this column existed)'`,
      ],
    },
    {
      // Ingest looks up every event here: event-keys.ts says why the single node keeps it in a
      // key-value table. Each event type's migration 0008 copies its ids from event_ledger, which
      // nothing writes any more (its per-type migration 0006 may still have to run before).
      id: '0012_event_keys',
      description: 'ledger of loaded events keyed by source and id as one string, looked up per key',
      statements: [eventKeysTableDdl(options)],
    },
  ];
}
