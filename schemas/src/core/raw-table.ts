import { CHINA_TIME_ZONE } from './china-time.ts';

/** One column of a raw event table, beyond the columns every event type shares. */
export interface ColumnSpec {
  name: string;
  type: string;
  description: string;
  /** Number of the per-type migration that added the column (absent: the table's first one). */
  since?: number;
  /** Value for rows written before the column existed, as a SQL expression over older columns. */
  defaultForOlderRows?: string;
}

export interface RawTableSpec {
  /** Raw table the consumers load validated events into, one row per event. */
  name: string;
  columns: ColumnSpec[];
  /**
   * A new type sets this to the number of the latest per-type migration (7 today:
   * LATEST_TYPE_MIGRATION in packages/warehouse/src/schema/event-type-tables.ts) and never changes
   * it. Its first migration, `<type>/0006_baseline`, then creates the raw table, rollups and views
   * as the older types have them after that migration; later per-type migrations apply on top, and
   * `since` of its columns and measures is only needed for those. Absent: every per-type migration
   * is replayed from 0001, as for the first four types (their stores applied them that way).
   */
  baseline?: number;
}

/** Columns every raw table has, filled by the ingest consumer from the envelope and Kafka. */
export const COMMON_COLUMNS: ColumnSpec[] = [
  { name: 'event_id', type: 'String', description: 'CloudEvents id, unique per event' },
  { name: 'contract_version', type: 'UInt16', description: 'version of the contract the event was validated against' },
  { name: 'source', type: 'String', description: 'CloudEvents source: the producing system' },
  { name: 'village_code', type: 'FixedString(12)', description: '12-digit division code of the village or community' },
  {
    name: 'original_code',
    type: 'FixedString(12)',
    description: 'the subject as sent; differs from village_code when a retired code was counted under its current place',
    since: 5,
    defaultForOlderRows: 'village_code',
  },
  {
    name: 'area',
    type: 'LowCardinality(String)',
    description: 'urban or rural for a village-level place (NBS 城乡分类代码, else derived from its code); empty above the village level',
    since: 5,
    defaultForOlderRows: areaFromCodeSql('village_code'),
  },
  { name: 'event_time', type: "DateTime64(3, 'UTC')", description: `when the event happened (bucketed in ${CHINA_TIME_ZONE})` },
  { name: 'ingested_at', type: "DateTime64(3, 'UTC')", description: 'when the consumer loaded it' },
  { name: 'kafka_topic', type: 'LowCardinality(String)', description: 'topic it was read from' },
  { name: 'kafka_partition', type: 'UInt32', description: 'partition it was read from' },
  { name: 'kafka_offset', type: 'UInt64', description: 'offset it was read from' },
  {
    name: 'write_deadline',
    type: "DateTime64(3, 'UTC')",
    description: "end of the writer's lease on its partition: the table refuses rows arriving later (a member that lost its partition)",
    since: 6,
    defaultForOlderRows: "toDateTime64('2299-12-31 00:00:00', 3, 'UTC')",
  },
  {
    name: 'extensions',
    type: 'Map(LowCardinality(String), String)',
    description: 'CloudEvents extension attributes the event carried (e.g. traceparent), as text',
    since: 7,
  },
];

/**
 * SQL for the area a village-level code implies by its last three digits: 001–199 居委会 and
 * 400–499 类似居委会 urban, 200–399 村委会 and 500–599 类似村委会 rural; '' above the village.
 */
export function areaFromCodeSql(column: string): string {
  const n = `toUInt16(substring(${column}, 10, 3))`;
  return `multiIf(${n} = 0, '', ${n} < 200 OR (${n} >= 400 AND ${n} < 500), 'urban', 'rural')`;
}

/** SQL: the row's place is a village or community (not a township, county or city). */
export const VILLAGE_SUBJECT_SQL = "substring(village_code, 10, 3) != '000'";

/** Columns a migration number creates or finds: those added by it or before it. */
export function columnsAt<T extends { since?: number }>(columns: readonly T[], migration: number): T[] {
  return columns.filter((c) => (c.since ?? 1) <= migration);
}

/** Every column of a raw table, in table order: the common columns, then the type's own. */
export function rawColumnNames(table: RawTableSpec): string[] {
  return [...COMMON_COLUMNS, ...table.columns].map((c) => c.name);
}

/** The common part of a raw row, as the consumer fills it. */
export interface CommonRow {
  event_id: string;
  contract_version: number;
  source: string;
  village_code: string;
  original_code: string;
  area: string;
  event_time: string;
  ingested_at: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
  /** Set by the loader on each attempt, from the lease it holds at that moment. */
  write_deadline?: string;
}
