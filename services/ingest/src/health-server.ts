import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthReport {
  healthy: boolean;
  detail: Record<string, unknown>;
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Loopback unless configured (INGEST_METRICS_HOST): the metrics name topics, lag and failure
 * counts, which are nobody else's business on a shared host; a container that Prometheus scrapes
 * from another one sets 0.0.0.0.
 */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** /metrics in Prometheus text format and /healthz (200 healthy, 503 not), on one port. */
export async function startHealthServer(
  port: number,
  metrics: () => string | Promise<string>,
  health: () => HealthReport,
  host: string = DEFAULT_METRICS_HOST,
): Promise<{ url: string; address: AddressInfo; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/metrics') {
      // prom-client collects asynchronously; a collector that throws must not take the process down.
      Promise.resolve()
        .then(metrics)
        .then(
          (text) => response.writeHead(200, { 'Content-Type': PROMETHEUS_TEXT }).end(text),
          (error: unknown) =>
            response
              .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
              .end(`metrics unavailable: ${(error as Error)?.message ?? String(error)}\n`),
        );
    } else if (request.url === '/healthz') {
      const report = health();
      response
        .writeHead(report.healthy ? 200 : 503, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ status: report.healthy ? 'ok' : 'unhealthy', ...report.detail }));
    } else {
      response.writeHead(404).end('try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return { url: localUrl(address), address, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Where this host reaches the server: loopback when it listens on every address. */
function localUrl({ address, port }: AddressInfo): string {
  if (address === '0.0.0.0' || address === '::') return `http://127.0.0.1:${port}`;
  return address.includes(':') ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}
