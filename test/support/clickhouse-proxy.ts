import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one request on its way to ClickHouse. */
export interface ProxyDecision {
  /** Never forward it; close the connection (the client sees a reset). */
  drop?: boolean;
  /** Forward it, let ClickHouse apply it, then answer 500 (the reply was lost). */
  failAfterApplying?: boolean;
  /** Called once ClickHouse has answered, before the answer goes back. */
  afterApplied?: () => void;
  /** Forward it only once this settles: a statement sent, then delayed in transit. */
  holdUntil?: Promise<unknown>;
}

export interface ClickHouseProxy {
  url: string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A ClickHouse endpoint in front of the real one, for one child process: the test sees each
 * statement (URL `query` parameter, else the body) and may drop it, or let it apply and lose the
 * answer, or act (kill, stop the process) right after it applied. The engine itself is untouched.
 */
export async function startClickHouseProxy(
  target: string,
  decide: (statement: string) => ProxyDecision | undefined,
): Promise<ClickHouseProxy> {
  const upstream = new URL(target);
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://proxy');
      const statement = `${url.searchParams.get('query') ?? ''}\n${body.subarray(0, 4096).toString('utf8')}`;
      const decision = url.pathname === '/ping' ? undefined : decide(statement);
      if (decision?.drop) {
        request.socket.destroy();
        return;
      }
      await decision?.holdUntil;
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          void (async () => {
            const answerBody = await readBody(answer);
            decision?.afterApplied?.();
            if (decision?.failAfterApplying && (answer.statusCode ?? 500) < 300) {
              response
                .writeHead(500, { 'Content-Type': 'text/plain' })
                .end('Code: 210. DB::NetException: Connection reset by peer (simulated after the statement applied). (NETWORK_ERROR)');
              return;
            }
            response.writeHead(answer.statusCode ?? 500, answer.headers).end(answerBody);
          })();
        },
      );
      forwarded.on('error', () => request.socket.destroy());
      forwarded.end(body);
    })().catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
