import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Logger } from '@govstats/log';
import type { Caller } from '../guard/statement-policy.ts';
import type { StatementShape } from '../guard/statement-shape.ts';
import { admitStatement, isSelect } from '../http/admit-statement.ts';
import { shapesThrough, type StatementShapes } from '../guard/statement-shapes.ts';
import {
  checkHost,
  checkNotFromABrowser,
  credentials,
  readBody,
  Refused,
  sameSecret,
  sendError,
  sendResult,
} from '../http/request-checks.ts';
import { requestSettings } from '../http/url-settings.ts';
import type { EngineConnection } from './session-pool.ts';

export interface HostEndpointSecrets {
  token: string;
  adminToken: string;
}

/** Inserts of a whole batch or a division catalogue fit; a runaway client does not. */
const MAX_REQUEST_BYTES = 256 * 1024 * 1024;
/** The engine buffers a whole answer before it is sent: bound it so no query can exhaust memory. */
const MAX_RESULT_BYTES = 1024 * 1024 * 1024;

/**
 * Serves the subset of ClickHouse's HTTP interface that @clickhouse/client uses, on loopback,
 * backed by this process's embedded engine. Only this process can open the data directory; this
 * endpoint is how the owner's other govstats processes reach it. Every request must carry one of
 * the secrets in the lease file (readable by the owner only), come from no web page, and pass the
 * statement policy: nothing a client sends may change the sessions ingest uses.
 */
export async function startHostServer(
  connection: EngineConnection,
  secrets: HostEndpointSecrets,
  logger: Logger,
): Promise<{ url: string; server: Server }> {
  const shapes = shapesThrough((params) => connection.query(params));
  let port = 0;
  const server = createServer((request, response) => {
    handle({ connection, secrets, shapes, port }, request, response).catch((error: unknown) => {
      if (error instanceof Refused) {
        logger.warn({ status: error.status, reason: error.message }, 'embedded store endpoint refused a request');
        sendError(response, error.status, error.message, error.code, error.type);
        return;
      }
      logger.error({ err: error }, 'embedded store endpoint failed to answer a request');
      sendError(response, 500, (error as Error).message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  server.unref();
  port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, server };
}

interface Endpoint {
  connection: EngineConnection;
  secrets: HostEndpointSecrets;
  shapes: StatementShapes;
  port: number;
}

async function handle(endpoint: Endpoint, request: IncomingMessage, response: ServerResponse): Promise<void> {
  checkHost(request, endpoint.port, ['127.0.0.1', 'localhost']);
  checkNotFromABrowser(request);
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping') {
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('Ok.\n');
    return;
  }
  const caller = authenticate(request, endpoint.secrets);
  const settings = requestSettings(url.searchParams);
  const body = await readBody(request, MAX_REQUEST_BYTES);
  const statement = settings.query ?? body;
  // With the statement in the URL, the body is the data of an INSERT.
  const data = settings.query !== undefined && body.length > 0 ? body : undefined;

  const shape = await admitStatement(endpoint.shapes, statement, settings.queryParams, caller);
  if (data !== undefined && shape.kind !== 'InsertQuery')
    throw new Refused(400, 'a request body with a query in the URL must be the data of an INSERT');
  await sendResult(response, () =>
    endpoint.connection.exec({
      query: withResultLimit(shape),
      values: data === undefined ? undefined : Readable.from([data]),
      query_params: settings.queryParams,
      clickhouse_settings: settings.format ? { default_format: settings.format as 'JSONEachRow' } : {},
    }),
  );
}

function authenticate(request: IncomingMessage, secrets: HostEndpointSecrets): Caller {
  const given = credentials(request);
  if (given && sameSecret(given.password, secrets.adminToken)) return 'admin';
  if (given && sameSecret(given.password, secrets.token)) return 'owner';
  throw new Refused(401, 'this endpoint needs the secret in the lease file of the data directory (only its owner can read it)');
}

/** The statement to run: the canonical text, a SELECT capped in size unless it sets its own limits. */
function withResultLimit(shape: StatementShape): string {
  if (!isSelect(shape) || shape.hasSettingsClause) return shape.formatted;
  return `${shape.formatted}\nSETTINGS max_result_bytes = ${MAX_RESULT_BYTES}, result_overflow_mode = 'throw'`;
}
