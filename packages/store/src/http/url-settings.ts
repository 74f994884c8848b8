import { Refused } from './request-checks.ts';

/**
 * URL parameters the HTTP interface of ClickHouse defines that change nothing in the engine's
 * session: the statement, its parameters, its id, the answer's format, and settings that exist only
 * in the server's HTTP layer (which @clickhouse/client sends for long queries).
 */
const HTTP_ONLY =
  /^(wait_end_of_query|send_progress_in_http_headers|http_[a-z_]+|enable_http_compression|compress|decompress|buffer_size)$/;

export interface RequestSettings {
  query?: string;
  queryParams: Record<string, string>;
  format?: string;
}

/**
 * Any other setting in the URL is refused rather than applied: the embedded engine would apply it
 * with SET, on a session every govstats process shares. Settings go in the statement's SETTINGS
 * clause, which binds that statement only.
 */
export function requestSettings(search: URLSearchParams): RequestSettings {
  const settings: RequestSettings = { queryParams: {} };
  for (const [key, value] of search) {
    if (key === 'query') settings.query = value;
    else if (key.startsWith('param_')) settings.queryParams[key.slice('param_'.length)] = value;
    else if (key === 'default_format') settings.format = value;
    else if (key === 'query_id' || HTTP_ONLY.test(key)) continue;
    else if (key === 'database' && value === 'default') continue;
    else throw new Refused(400, `the setting ${key} cannot be given in the URL here: put it in the statement's SETTINGS clause`);
  }
  return settings;
}
