import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Logger } from '@govstats/log';
import type { EngineConnection } from './session-pool.ts';

/**
 * Serves the subset of ClickHouse's HTTP interface that @clickhouse/client (and simple BI
 * connectors) use, on loopback, backed by this process's embedded engine. Only this process can
 * open the data directory; this endpoint is how every other process reaches it.
 *
 * Per-request engine settings in the URL are ignored: the embedded session is shared and a SET
 * would leak into every other user of it. govstats puts the settings it needs into its SQL.
 */
export async function startHostServer(connection: EngineConnection, logger: Logger): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    handle(connection, request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'embedded store endpoint failed to answer a request');
      if (!response.headersSent) response.writeHead(500);
      response.end(`Code: 1000. DB::Exception: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

async function handle(connection: EngineConnection, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping') {
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('Ok.\n');
    return;
  }
  const body = await readBody(request);
  const queryParam = url.searchParams.get('query');
  const sql = queryParam === null ? body : body.length > 0 ? `${queryParam}\n${body}` : queryParam;
  const queryParams: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('param_')) queryParams[key.slice('param_'.length)] = value;
  }
  const format = url.searchParams.get('default_format');
  try {
    const result = await connection.exec({
      query: sql,
      query_params: queryParams,
      clickhouse_settings: format ? { default_format: format as 'JSONEachRow' } : {},
    });
    response.writeHead(200, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Query-Id': result.query_id,
      'X-ClickHouse-Summary': JSON.stringify(result.summary ?? {}),
    });
    for await (const chunk of result.stream as Readable) response.write(chunk);
    response.end();
  } catch (error) {
    // Re-render in the server's wording so the remote client parses code and type as usual.
    const { message, code, type } = error as Error & { code?: string; type?: string };
    const numericCode = code && /^\d+$/.test(code) ? code : '1000';
    response.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': numericCode });
    response.end(`Code: ${numericCode}. DB::Exception: ${message} (${type ?? 'UNKNOWN_EXCEPTION'})`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
