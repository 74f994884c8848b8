import { WRITE_LEASE_CONSTRAINT } from '@govstats/store';

/**
 * The fence against a consumer that lost its partition and wakes up later (a paused process, a
 * partitioned host): every row it writes carries the end of the lease it held when it sent the
 * rows, and the table refuses rows whose lease has run out by the server's clock. A lease lasts
 * less than the Kafka session timeout from the member's last confirmed heartbeat, so by the time
 * the group gives the partition to someone else, the old member's writes can no longer land.
 */
export const WRITE_DEADLINE_COLUMN = 'write_deadline';

/** Rows written without a lease (migrations, manual backfills) never expire. */
export const NO_DEADLINE_SQL = "toDateTime64('2299-12-31 00:00:00', 3, 'UTC')";

/** The column's definition, as ALTER TABLE … ADD COLUMN and a baseline's CREATE TABLE (baseline.ts) render it. */
export function writeDeadlineColumnDdl(): string {
  return `${WRITE_DEADLINE_COLUMN} DateTime64(3, 'UTC') DEFAULT ${NO_DEADLINE_SQL} COMMENT 'end of the writer''s lease on its Kafka partition; rows arriving later are refused' CODEC(Delta, ZSTD)`;
}

export function writeDeadlineColumnSql(after: string): string {
  return `ADD COLUMN IF NOT EXISTS ${writeDeadlineColumnDdl()} AFTER ${after}`;
}

/** The constraint's definition, after ADD CONSTRAINT IF NOT EXISTS or CONSTRAINT in a CREATE TABLE. */
export function writeLeaseConstraintDdl(): string {
  return `${WRITE_LEASE_CONSTRAINT} CHECK ${WRITE_DEADLINE_COLUMN} >= now64(3)`;
}

export function writeLeaseConstraintSql(): string {
  return `ADD CONSTRAINT IF NOT EXISTS ${writeLeaseConstraintDdl()}`;
}
