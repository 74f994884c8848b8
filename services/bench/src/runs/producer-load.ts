import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { REPO_ROOT } from '@govstats/config';
import { pollUntil } from '@govstats/log';
import { BATCH_MEDIA_TYPE, EVENTS_PATH, newCaller } from '@govstats/producer';

/** One load level: what was offered, what came back acknowledged, and how long callers waited. */
export interface LoadPoint {
  /** Events a second the load tool offered; 0 = as many as the service answers. */
  offeredEventsPerSecond: number;
  /** Events a second answered 202 (durable in Kafka). */
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests not answered 202 (429/503 or errors). */
  notAccepted: number;
}

export interface ProducerLoadRun {
  capacity: LoadPoint;
  at50: LoadPoint;
  at100: LoadPoint;
}

export interface ProducerLoadOptions {
  env: NodeJS.ProcessEnv;
  /** Envelopes to post (the bench stream); requests cycle through them. */
  lines: string[];
  topicPrefix: string;
  home: string;
  seconds: number;
  batchEvents?: number;
  connections?: number;
}

const MAX_EVENTS_POSTED = 20_000;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `govstats serve-producer` in a process of its own, loaded over loopback by autocannon (a kept
 * load tool) with batched requests: first as hard as it answers (its capacity), then at 50% and
 * 100% of that rate, for latency at a known load. Both share the two cores with the broker.
 */
export async function measureProducerService(options: ProducerLoadOptions): Promise<ProducerLoadRun> {
  const batchEvents = options.batchEvents ?? 100;
  const connections = options.connections ?? 8;
  const posted = options.lines.slice(0, MAX_EVENTS_POSTED);
  const provinces = [...new Set(posted.map((line) => (JSON.parse(line) as { subject: string }).subject.slice(0, 2)))];
  const caller = newCaller({ name: 'bench-load', sources: ['urn:govstats:scenario:*'], divisions: provinces });
  const callersFile = join(options.home, 'callers.yaml');
  writeFileSync(callersFile, `callers:\n${caller.yaml.replace(/^/gm, '  ')}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services', 'cli', 'src', 'main.ts'), 'serve-producer'], {
    env: {
      ...options.env,
      KAFKA_TOPIC_PREFIX: options.topicPrefix,
      PRODUCER_CALLERS_FILE: callersFile,
      PRODUCER_HOST: '127.0.0.1',
      PRODUCER_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: REPO_ROOT,
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    const up = await pollUntil(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    if (!up) throw new Error(`the producer service did not come up: ${stderr.slice(-2000)}`);
    const requests: autocannon.Request[] = [];
    for (let i = 0; i + batchEvents <= posted.length; i += batchEvents) {
      requests.push({
        method: 'POST',
        path: EVENTS_PATH,
        headers: { 'content-type': BATCH_MEDIA_TYPE, authorization: `Bearer ${caller.key}` },
        body: `[${posted.slice(i, i + batchEvents).join(',')}]`,
      });
    }
    const load = async (requestsPerSecond: number | undefined): Promise<LoadPoint> => {
      const result = await autocannon({
        url,
        connections,
        duration: options.seconds,
        requests,
        ...(requestsPerSecond && { overallRate: requestsPerSecond }),
      });
      return {
        offeredEventsPerSecond: (requestsPerSecond ?? 0) * batchEvents,
        eventsPerSecond: (result['2xx'] * batchEvents) / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        notAccepted: result.non2xx + result.errors + result.timeouts,
      };
    };
    const capacity = await load(undefined);
    const fullRate = Math.max(1, Math.round(capacity.eventsPerSecond / batchEvents));
    const at50 = await load(Math.max(1, Math.round(fullRate / 2)));
    const at100 = await load(fullRate);
    return { capacity, at50, at100 };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}
