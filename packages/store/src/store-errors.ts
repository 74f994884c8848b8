/**
 * Which store errors a retry can cure. A connection refused, a timeout, "too many parts" while
 * merges catch up, a missing table before `govstats migrate`: wait and try again. An error about
 * the data itself — a constraint, a value the column type cannot hold, an insert touching more
 * partitions than allowed — fails the same way on every attempt; retrying it would stall the
 * partition forever, so the rows behind it are set aside instead.
 */
const PERMANENT_TYPES = new Set([
  'VIOLATED_CONSTRAINT',
  'TYPE_MISMATCH',
  'CANNOT_CONVERT_TYPE',
  'ARGUMENT_OUT_OF_BOUND',
  'DECIMAL_OVERFLOW',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'TOO_LARGE_STRING_SIZE',
  'INCORRECT_DATA',
  'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_QUOTED_STRING',
  'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_READ_ALL_DATA',
  'ILLEGAL_DIVISION',
]);

/** The same code (252) means "merges are behind, slow down" (transient) or this: */
const TOO_MANY_PARTITIONS = /too many partitions for (a )?single insert block/i;

/**
 * Name of the CHECK constraint that refuses a write whose lease ran out (see WRITE_LEASE_SQL in
 * @govstats/warehouse): the writer may have lost its partition, so nothing about the rows is wrong.
 */
export const WRITE_LEASE_CONSTRAINT = 'within_write_lease';

export interface StoreErrorInfo {
  permanent: boolean;
  /** The store refused the write because its lease had expired: retry only after renewing it. */
  leaseExpired: boolean;
  /** ClickHouse's error type when it gave one, e.g. VIOLATED_CONSTRAINT. */
  type?: string;
  message: string;
}

export function classifyStoreError(error: unknown): StoreErrorInfo {
  const { type, message = String(error) } = (error ?? {}) as { type?: string; message?: string };
  const leaseExpired = message.includes(WRITE_LEASE_CONSTRAINT);
  const permanent = !leaseExpired && ((type !== undefined && PERMANENT_TYPES.has(type)) || TOO_MANY_PARTITIONS.test(message));
  return { permanent, leaseExpired, type, message };
}
