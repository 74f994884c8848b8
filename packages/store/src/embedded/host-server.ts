import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@govstats/log';
import type { Caller } from '../guard/statement-policy.ts';
import { insertTarget } from '../guard/insert-target.ts';
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
  // @clickhouse/client always posts; a GET is something else following a link.
  if (request.method !== 'POST') throw new Refused(405, 'statements are POSTed to this endpoint');
  const settings = requestSettings(url.searchParams);
  const body = await readBody(request, MAX_REQUEST_BYTES);
  // With the statement in the URL, the body is the rows of an INSERT.
  const rows = settings.query !== undefined && body.length > 0 ? body : undefined;
  const statement = settings.query ?? body.toString('utf8');
  const shape = await admitStatement(endpoint.shapes, statement, settings.queryParams, caller);
  if (rows === undefined) {
    await sendResult(response, () =>
      endpoint.connection.exec({
        query: withResultLimit(shape),
        query_params: settings.queryParams,
        // TabSeparated unless told, as a ClickHouse server answers (the embedded engine's own default is CSV).
        clickhouse_settings: { default_format: (settings.format ?? 'TabSeparated') as 'JSONEachRow' },
      }),
    );
    return;
  }
  const target = insertTarget(shape.formatted);
  if (!target) {
    throw new Refused(
      400,
      `rows in the body go with INSERT INTO table [(columns)] [SETTINGS …] FORMAT JSONEachRow (or another data format), not with: ${shape.formatted.split('\n')[0]}`,
    );
  }
  await sendResult(response, async () => {
    const written = await endpoint.connection.rawInsert({ ...target, values: rows });
    return {
      stream: [],
      query_id: randomUUID(),
      summary: { written_rows: String(written.rowsWritten), written_bytes: String(written.bytesWritten) },
    };
  });
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
