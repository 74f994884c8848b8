import type { StatementShape } from './statement-shape.ts';

/**
 * Who is asking, as the endpoint authenticated them:
 * - `admin`: the owner's own CLI acting as admin (`govstats migrate`): DDL, SYSTEM, table functions;
 * - `owner`: the owner's other govstats processes: reads and inserts, nothing that reaches outside;
 * - `reader`: people and BI tools through `govstats serve`: SELECT on the readable views only.
 */
export type Caller = 'admin' | 'owner' | 'reader';

/**
 * Functions that read or write files, reach the network or other databases, or run programs.
 * Table-function families come in variants (s3Cluster, icebergS3, deltaLakeAzure, remoteSecure…).
 */
const REACHES_OUTSIDE =
  /^(file|filecluster|url|urlcluster|s3|s3cluster|gcs|oss|cosn|hdfs|hdfscluster|remote|remotesecure|cluster|clusterallreplicas|mysql|postgresql|mongodb|redis|sqlite|odbc|jdbc|executable|executablepool|dictionary|hive|input|azureblobstorage.*|iceberg.*|deltalake.*|hudi.*|paimon.*|arrowflight|ytsaurus|prometheusquery.*|timeseries.*)$/;

/**
 * Statements that change the shared session — settings, current database, temporary tables that
 * shadow real ones, transactions: refused for everyone; settings go in the statement itself.
 */
const SESSION_STATEMENT = /^(SET|USE|CREATE TEMPORARY|BEGIN|COMMIT|ROLLBACK)\b/i;

/**
 * Table functions the owner's processes may use: generated rows and views over tables they may
 * read anyway. Anything else (filesystem, eval, url, s3, …) is refused, known or not.
 */
const OWNER_TABLE_FUNCTIONS = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'values',
  'generate_series',
  'null',
  'view',
  'merge',
  'format',
]);

/** Settings that name files on the host (format templates and schemas, schema output). */
const FILE_SETTING = /\b(format_template_\w+|format_schema\w*|output_format_schema|format_regexp\w*|\w+_(?:path|file|dir))\s*=/i;

/** Readers read; DESCRIBE lets BI tools learn a view's columns. */
const READS = new Set(['SelectWithUnionQuery', 'SelectIntersectExceptQuery', 'DescribeQuery']);
const OWNER_STATEMENTS = new Set([...READS, 'InsertQuery', 'Explain', 'CheckQuery', 'ExistsTableQuery', 'ShowCreateTableQuery']);

/**
 * Metadata BI tools look up to list what they may query; no rows of data. The read-only endpoint
 * filters their rows down to what the reader may query (http/catalogue-filters.ts).
 */
export const CATALOGUE_TABLES: ReadonlySet<string> = new Set([
  'system.one',
  'system.databases',
  'system.tables',
  'system.columns',
  'system.functions',
  'system.data_type_families',
]);

export interface ReaderScope {
  /** The database the views live in (a qualified name must name it). */
  database: string;
  /** The readable views, unqualified names. */
  views: ReadonlySet<string>;
}

/** Undefined when the statement may run for this caller; otherwise why not, in words for the caller. */
export function refusal(shape: StatementShape, caller: Caller, scope?: ReaderScope): string | undefined {
  const session = SESSION_STATEMENT.exec(shape.formatted)?.[1] ?? (shape.kind.startsWith('Set') ? 'SET' : undefined);
  if (session) {
    return `${session.toUpperCase()} would change the session every govstats process shares; put settings in the statement's SETTINGS clause and name the database in the table`;
  }
  if (caller === 'admin') return undefined;
  if (shape.opaque.length > 0) {
    return `${shape.opaque[0] === 'ShowTables' ? 'SHOW TABLES' : 'APPLY'} is not allowed here: list tables with SELECT name FROM system.tables`;
  }
  if (!(caller === 'owner' ? OWNER_STATEMENTS : READS).has(shape.kind)) {
    return `${describeKind(shape.kind)} is not allowed here: ${caller === 'owner' ? 'run it through `govstats migrate` (the admin path)' : 'this endpoint answers SELECT on the readable views only'}`;
  }
  if (shape.touchesLocalFile) return 'INTO OUTFILE and FROM INFILE are not allowed here: they read or write files on the host';
  const outside = shape.functions.find((name) => REACHES_OUTSIDE.test(name));
  if (outside) return `${outside}() is not allowed here: it reads files, reaches the network or runs programs on the host`;
  const fileSetting = FILE_SETTING.exec(shape.formatted)?.[1];
  if (fileSetting) return `the setting ${fileSetting} is not allowed here: it names a file on the host`;
  if (caller === 'owner') {
    const tableFunction = shape.tableFunctions.find((name) => !OWNER_TABLE_FUNCTIONS.has(name));
    return tableFunction
      ? `the table function ${tableFunction}() is not allowed here: ask the admin path (\`govstats migrate\`)`
      : undefined;
  }

  if (shape.tableFunctions.length > 0) return `table functions (${shape.tableFunctions[0]}) are not allowed here: query the readable views`;
  if (shape.hasSettingsClause) return 'a SETTINGS clause is not allowed here: the limits of this endpoint are fixed';
  if (shape.hasCommonTableExpression) return 'WITH … AS (subquery) is not allowed here: write the subquery in place';
  const lookup = shape.functions.find((name) => /^(joinget|dictget|dicthas)/.test(name));
  if (lookup) return `${lookup}() is not allowed here: it reads tables other than the readable views`;
  const outsideScope = shape.tables.find((table) => !isReadable(table, scope));
  if (outsideScope)
    return `${outsideScope} is not one of the readable views; list them with SELECT name FROM system.tables WHERE name LIKE '%_daily'`;
  return undefined;
}

function isReadable(table: string, scope: ReaderScope | undefined): boolean {
  const name = table.replace(/`/g, '');
  if (CATALOGUE_TABLES.has(name)) return true;
  if (!scope) return false;
  const dot = name.indexOf('.');
  if (dot >= 0 && name.slice(0, dot) !== scope.database) return false;
  return scope.views.has(name.slice(dot + 1));
}

function describeKind(kind: string): string {
  const word = kind.replace(/Query$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  return word.toUpperCase();
}
