import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@govstats/config';
import { startHealthServer } from '../src/health-server.ts';

/** An address of this host that is not loopback: what another machine on the network would dial. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

const reachable = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    (response) => response.status,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
  );

describe('where /metrics and /healthz listen', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  const start = (host?: string) =>
    startHealthServer(
      0,
      () => 'govstats_up 1\n',
      () => ({ healthy: true, detail: {} }),
      host,
    );

  it('defaults to loopback in the configuration (INGEST_METRICS_HOST)', () => {
    expect(loadConfig({ GOVSTATS_HOME: '/tmp/unused' }).ingest.metricsHost).toBe('127.0.0.1');
    expect(loadConfig({ GOVSTATS_HOME: '/tmp/unused', INGEST_METRICS_HOST: '0.0.0.0' }).ingest.metricsHost).toBe('0.0.0.0');
  });

  it('binds 127.0.0.1 unless told otherwise, so other hosts cannot reach it', async () => {
    const endpoint = await start();
    close = endpoint.close;
    expect(endpoint.address.address).toBe('127.0.0.1');
    expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.address.port}`);
    expect(await reachable(`${endpoint.url}/healthz`)).toBe(200);
    if (outsideAddress) expect(await reachable(`http://${outsideAddress}:${endpoint.address.port}/healthz`)).toBe('ECONNREFUSED');
  });

  it('binds every address when configured with 0.0.0.0 (a scraped container)', async () => {
    const endpoint = await start('0.0.0.0');
    close = endpoint.close;
    expect(endpoint.address.address).toBe('0.0.0.0');
    expect(await reachable(`${endpoint.url}/metrics`)).toBe(200);
    if (outsideAddress) expect(await reachable(`http://${outsideAddress}:${endpoint.address.port}/metrics`)).toBe(200);
  });
});
