import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '@govstats/log';
import type { ReaderScope } from '../guard/statement-policy.ts';
import { admitStatement } from './admit-statement.ts';
import { shapesThrough, type StatementShapes } from '../guard/statement-shapes.ts';
import { checkHost, checkNotFromABrowser, credentials, readBody, Refused, sameSecret, sendError, sendResult } from './request-checks.ts';
import { requestSettings } from './url-settings.ts';
import { catalogueFilters } from './catalogue-filters.ts';
import { queryText } from '../sql.ts';

export interface ReadOnlyServerOptions {
  /** The store the answers come from. */
  client: ClickHouseClient;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Most rows one answer may hold. */
  maxRows: number;
  /** Longest one statement may run. */
  maxSeconds: number;
  scope: ReaderScope;
  logger: Logger;
}

/** A SELECT fits in a page; a BI tool's generated SQL fits many times over. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_RESULT_BYTES = 256 * 1024 * 1024;
/** One reader's statement may not take the memory ingest shares the process with. */
const MAX_MEMORY_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * The opt-in endpoint for people and BI tools on the embedded engine: ClickHouse's HTTP interface,
 * one user and password, SELECT on the readable views only, with fixed row and time limits. A
 * ClickHouse server has real users and grants instead (infra/clickhouse/ACCESS.md).
 */
export async function startReadOnlyServer(options: ReadOnlyServerOptions): Promise<{ url: string; server: Server }> {
  const shapes = shapesThrough((params) => options.client.exec(params));
  // Drivers read DateTime values in the server's zone, which ClickHouse sends with every answer.
  const timeZone = (await queryText(options.client, 'SELECT timezone()')).trim();
  const limits = limitSettings(options);
  let port = options.port;
  const server = createServer((request, response) => {
    handle({ options, shapes, port, timeZone, limits }, request, response).catch((error: unknown) => {
      if (error instanceof Refused) {
        options.logger.warn({ status: error.status, reason: error.message }, 'read-only endpoint refused a request');
        sendError(response, error.status, error.message, error.code, error.type);
        return;
      }
      options.logger.error({ err: error }, 'read-only endpoint failed to answer a request');
      sendError(response, 500, (error as Error).message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  port = (server.address() as AddressInfo).port;
  return { url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`, server };
}

interface Endpoint {
  options: ReadOnlyServerOptions;
  shapes: StatementShapes;
  port: number;
  timeZone: string;
  /** The SETTINGS clause every statement runs under. */
  limits: string;
}

async function handle(endpoint: Endpoint, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { options, shapes, port } = endpoint;
  // Bound to loopback, only loopback names are this endpoint; opened up, the password alone decides.
  if (isLoopback(options.host)) checkHost(request, port, ['127.0.0.1', 'localhost', '[::1]']);
  checkNotFromABrowser(request);
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping') {
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('Ok.\n');
    return;
  }
  const given = credentials(request);
  if (!given || !sameSecret(given.user, options.user) || !sameSecret(given.password, options.password)) {
    throw new Refused(401, 'wrong user or password');
  }
  if (request.method !== 'GET' && request.method !== 'POST') throw new Refused(405, 'use GET or POST');
  const settings = requestSettings(url.searchParams, { headers: request.headers, database: options.scope.database });
  const body = await readBody(request, MAX_REQUEST_BYTES);
  if (settings.query !== undefined && body.length > 0) throw new Refused(400, 'send the statement in the URL or in the body, not both');
  const statement = settings.query ?? body.toString('utf8');

  const shape = await admitStatement(shapes, statement, settings.queryParams, 'reader', options.scope);
  const format = settings.format ?? 'TabSeparated';
  await sendResult(
    response,
    () =>
      options.client.exec({
        query: `${shape.formatted}\n${endpoint.limits}`,
        query_params: settings.queryParams,
        clickhouse_settings: { default_format: format as 'JSONEachRow' },
      }),
    { compress: settings.compress, headers: { 'X-ClickHouse-Timezone': endpoint.timeZone } },
  );
}

/**
 * Limits the reader cannot lift: the policy refused any SETTINGS clause of theirs. DESCRIBE gets
 * them too, since a scalar subquery in it runs while the statement is analysed. The catalogue
 * tables show the readable views only.
 */
function limitSettings(options: ReadOnlyServerOptions): string {
  return `SETTINGS readonly = 1, max_result_rows = ${options.maxRows}, max_result_bytes = ${MAX_RESULT_BYTES}, result_overflow_mode = 'throw', max_execution_time = ${options.maxSeconds}, max_memory_usage = ${MAX_MEMORY_BYTES}, ${catalogueFilters(options.scope)}`;
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}
