/** One column of a raw event table, beyond the columns every event type shares. */
export interface ColumnSpec {
  name: string;
  type: string;
  description: string;
}

export interface RawTableSpec {
  /** Raw table the consumers load validated events into, one row per event. */
  name: string;
  columns: ColumnSpec[];
}

/** Columns every raw table has, filled by the ingest consumer from the envelope and Kafka. */
export const COMMON_COLUMNS: ColumnSpec[] = [
  { name: 'event_id', type: 'String', description: 'CloudEvents id, unique per event' },
  { name: 'contract_version', type: 'UInt16', description: 'version of the contract the event was validated against' },
  { name: 'source', type: 'String', description: 'CloudEvents source: the producing system' },
  { name: 'village_code', type: 'FixedString(12)', description: '12-digit division code of the village or community' },
  { name: 'event_time', type: "DateTime64(3, 'UTC')", description: 'when the event happened (bucketed in Asia/Shanghai)' },
  { name: 'ingested_at', type: "DateTime64(3, 'UTC')", description: 'when the consumer loaded it' },
  { name: 'kafka_topic', type: 'LowCardinality(String)', description: 'topic it was read from' },
  { name: 'kafka_partition', type: 'UInt32', description: 'partition it was read from' },
  { name: 'kafka_offset', type: 'UInt64', description: 'offset it was read from' },
];

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
  event_time: string;
  ingested_at: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
}
