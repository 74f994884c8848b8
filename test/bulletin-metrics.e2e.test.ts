import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@govstats/store';
import { SINGLE_NODE, setUpWarehouse } from '@govstats/warehouse';
import { BulletinMetrics } from '../services/bulletin/src/metrics.ts';
import { spawnGovstats } from './support/govstats-process.ts';
import { freePort } from './support/ports.ts';
import { untilServed } from './support/served.ts';

const CITY = '411200000000'; // 三门峡市

/** Where a metric's sample is in the text exposition, by its name and labels in name order. */
const sample = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

/** `govstats bulletin --serve` as its own process: /metrics and /healthz of what it issued (alert rules in infra/prometheus/alerts.yml). */
describe('the bulletin service process', () => {
  let dir: string;
  let store: Store;
  let child: ChildProcess;
  let port: number;
  let exit: Promise<number | null>;
  const stderr: Buffer[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-bulletin-metrics-'));
    // This process holds the engine, as a running ingest would; the service reaches it through its endpoint.
    store = await openStore({ dataDir: join(dir, 'chdb'), host: true });
    await setUpWarehouse(store, SINGLE_NODE);
    port = await freePort();
    // Two months due (of a year with no events): a catch-up run that issues their first revisions.
    const since = new Date(Date.now() - 75 * 86_400_000).toISOString().slice(0, 7) + '-01';
    child = spawnGovstats(['bulletin', '--serve'], {
      env: {
        ...process.env,
        GOVSTATS_HOME: dir,
        CHDB_PATH: join(dir, 'chdb'),
        KAFKA_BROKERS: '127.0.0.1:9',
        BULLETIN_CITIES: CITY,
        BULLETIN_SINCE: since,
        BULLETIN_METRICS_PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts its catch-up run, the periods it issued, and when it last succeeded', async () => {
    const text = await untilServed(
      'a finished run in /metrics',
      async () => {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${Buffer.concat(stderr).toString()}`);
        const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return /^govstats_bulletin_runs_total\{outcome="succeeded"\} 1$/m.test(body) ? body : undefined;
      },
      90_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${Buffer.concat(stderr).toString()}`);
    });
    const issued = sample(text, `govstats_bulletin_issued_total{city="${CITY}",outcome="new"}`);
    expect(issued, 'periods issued as new').toBeGreaterThanOrEqual(2);
    expect(sample(text, 'govstats_bulletin_run_seconds_count')).toBe(1);
    const lastSuccess = sample(text, 'govstats_bulletin_last_success_timestamp_seconds');
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(120);
    expect(sample(text, 'govstats_bulletin_last_run_timestamp_seconds')).toBe(lastSuccess);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', lastRun: 'succeeded' });
  });

  it('stops on SIGTERM and closes its endpoint', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});

describe('BulletinMetrics after a failed run', () => {
  it('reports unhealthy with the error, and a last run later than the last success (alert GovstatsBulletinRunFailed)', async () => {
    const metrics = new BulletinMetrics();
    metrics.runSucceeded([], 1, 1_000_000);
    expect(metrics.health().healthy).toBe(true);
    metrics.runFailed(new Error('ClickHouse unreachable'), 2, 2_000_000);
    expect(metrics.health()).toEqual({ healthy: false, detail: { lastRun: 'failed', lastError: 'ClickHouse unreachable' } });
    const text = await metrics.text();
    expect(sample(text, 'govstats_bulletin_last_run_timestamp_seconds')).toBe(2000);
    expect(sample(text, 'govstats_bulletin_last_success_timestamp_seconds')).toBe(1000);
    expect(sample(text, 'govstats_bulletin_runs_total{outcome="failed"}')).toBe(1);
    metrics.runSucceeded([{ document: { city: { code: CITY } }, status: 'revised' }], 1, 3_000_000);
    expect(metrics.health().healthy).toBe(true);
    expect(sample(await metrics.text(), `govstats_bulletin_issued_total{city="${CITY}",outcome="revised"}`)).toBe(1);
  });
});
