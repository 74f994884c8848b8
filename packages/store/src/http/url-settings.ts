import type { IncomingHttpHeaders } from 'node:http';
import { paramValue } from './param-value.ts';
import { Refused } from './request-checks.ts';

/**
 * URL parameters the HTTP interface of ClickHouse defines that change nothing in the engine's
 * session: settings that exist only in the server's HTTP layer (which @clickhouse/client sends for
 * long queries). `enable_http_compression` only permits a Content-Encoding, which is never used.
 */
const HTTP_ONLY = /^(wait_end_of_query|send_progress_in_http_headers|http_[a-z_]+|enable_http_compression|buffer_size)$/;

/** A format's name, nothing that could carry a path or a second setting. */
const FORMAT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export interface RequestSettings {
  query?: string;
  queryParams: Record<string, string>;
  format?: string;
  /** `compress=1`: the answer in ClickHouse's compressed block format (what JDBC asks for). */
  compress: boolean;
}

export interface RequestSettingsOptions {
  /** ClickHouse also reads the format and the database from X-ClickHouse-* headers (JDBC sends them). */
  headers?: IncomingHttpHeaders;
  /** The one database a client may name as its current one. */
  database?: string;
}

/**
 * Any other setting in the URL is refused rather than applied: the embedded engine would apply it
 * with SET, on a session every govstats process shares. Settings go in the statement's SETTINGS
 * clause, which binds that statement only.
 */
export function requestSettings(search: URLSearchParams, options: RequestSettingsOptions = {}): RequestSettings {
  const database = options.database ?? 'default';
  const settings: RequestSettings = { queryParams: {}, compress: false };
  const header = (name: string): string | undefined => {
    const value = options.headers?.[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const format = header('x-clickhouse-format');
  if (format !== undefined) settings.format = formatName(format);
  checkDatabase(header('x-clickhouse-database'), database);
  for (const [key, value] of search) {
    if (key === 'query') settings.query = value;
    else if (key.startsWith('param_')) settings.queryParams[key.slice('param_'.length)] = paramValue(value);
    else if (key === 'default_format') settings.format = formatName(value);
    else if (key === 'compress') settings.compress = flag(key, value);
    else if (key === 'decompress' && !flag(key, value)) continue;
    else if (key === 'decompress')
      throw new Refused(400, 'a compressed request body is not accepted here: send the statement as plain text (decompress=0)');
    else if (key === 'query_id' || HTTP_ONLY.test(key)) continue;
    else if (key === 'database') checkDatabase(value, database);
    else throw new Refused(400, `the setting ${key} cannot be given in the URL here: put it in the statement's SETTINGS clause`);
  }
  return settings;
}

function formatName(value: string): string {
  if (!FORMAT_NAME.test(value)) throw new Refused(400, `${JSON.stringify(value)} is not the name of a format`);
  return value;
}

function flag(key: string, value: string): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new Refused(400, `${key} is 0 or 1, not ${JSON.stringify(value)}`);
}

/** Naming the database the views are in is harmless; any other would change what names mean. */
function checkDatabase(given: string | undefined, database: string): void {
  if (given === undefined || given === database) return;
  throw new Refused(400, `the database here is ${database}, not ${JSON.stringify(given)}`);
}
