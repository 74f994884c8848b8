import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { BATCH_MEDIA_TYPE, STRUCTURED_MEDIA_TYPE } from '../http/cloudevents-http.ts';
import type { EventRefusal } from '../http/judge-events.ts';

/*
 * A calling system, simulated: posts NDJSON events to the producer service in batches at a given
 * rate, as a real client should behave: it waits out 429 and 503 (Retry-After) and sends the same
 * batch again (safe: events count once by id), and on 422 or 403 drops the events the service
 * named and sends the rest.
 */

export interface PostTarget {
  /** The service's base URL, e.g. http://127.0.0.1:8088 */
  url: string;
  key: string;
}

export interface PostReport {
  lines: number;
  /** Events the service acknowledged (durable in Kafka). */
  accepted: number;
  /** Events the service refused, by reason. */
  refused: Record<string, number>;
  /** Requests sent again after 429 or 503. */
  retries: number;
  requests: number;
}

export interface PostOptions {
  /** Events per second; unset = as fast as the service answers. */
  rate?: number;
  /** Events per request. */
  batchEvents?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Give up when the service has refused with 429/503 for this long in a row. */
  giveUpAfterMs?: number;
  onProgress?: (report: PostReport) => void;
  /** The first refusals, for a person to read (a few). */
  onRefused?: (refusal: EventRefusal & { status: number }) => void;
}

const DEFAULT_BATCH = 500;
const DEFAULT_GIVE_UP_MS = 600_000;

interface Problem {
  reason?: string;
  title?: string;
  detail?: string;
  errors?: EventRefusal[];
}

export async function postLines(
  lines: Iterable<string> | AsyncIterable<string>,
  target: PostTarget,
  options: PostOptions = {},
): Promise<PostReport> {
  const report: PostReport = { lines: 0, accepted: 0, refused: {}, retries: 0, requests: 0 };
  const batchSize = options.rate
    ? Math.max(1, Math.min(options.batchEvents ?? DEFAULT_BATCH, Math.ceil(options.rate / 10)))
    : (options.batchEvents ?? DEFAULT_BATCH);
  const endpoint = new URL(`${target.url.replace(/\/$/, '')}/events`);
  // node:http with connections kept open, one per request in flight: fetch would turn every body
  // into a web stream, and costs several times more per request.
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 2 });
  const started = performance.now();
  const countRefused = (reason: string, n = 1) => (report.refused[reason] = (report.refused[reason] ?? 0) + n);

  async function post(body: string, contentType: string): Promise<{ status: number; problem: Problem }> {
    let waitingSince: number | undefined;
    for (;;) {
      report.requests++;
      const response = await postBody(endpoint, agent, Buffer.from(body), {
        'content-type': contentType,
        authorization: `Bearer ${target.key}`,
      });
      if (response.status !== 429 && response.status !== 503) {
        return { status: response.status, problem: response.status >= 400 && response.text ? (JSON.parse(response.text) as Problem) : {} };
      }
      waitingSince ??= performance.now();
      if (performance.now() - waitingSince > (options.giveUpAfterMs ?? DEFAULT_GIVE_UP_MS)) {
        throw new Error(
          `the producer service has answered ${response.status} for ${Math.round((performance.now() - waitingSince) / 1000)} s: ${response.text}`,
        );
      }
      report.retries++;
      await sleep(Number(response.retryAfter ?? 1) * 1000);
    }
  }

  /** Posts a batch; drops what the service names as refused and posts the rest again. */
  async function postBatch(batch: string[]): Promise<void> {
    let remaining = batch;
    while (remaining.length > 0) {
      const { status, problem } = await post(`[${remaining.join(',')}]`, BATCH_MEDIA_TYPE);
      if (status === 202) {
        report.accepted += remaining.length;
        return;
      }
      if ((status === 422 || status === 403) && problem.errors?.length) {
        const refusedAt = new Set(problem.errors.map((e) => e.index));
        for (const refusal of problem.errors) {
          countRefused(refusal.reason);
          options.onRefused?.({ ...refusal, status });
        }
        remaining = remaining.filter((_, i) => !refusedAt.has(i));
        continue;
      }
      if (status === 400 && remaining.length > 1) {
        // A line that is not JSON spoils the array: post each alone to learn which.
        for (const line of remaining) await postBatch([line]);
        return;
      }
      if (status === 400 && remaining.length === 1) {
        const alone = await post(remaining[0]!, STRUCTURED_MEDIA_TYPE);
        if (alone.status === 202) report.accepted++;
        else countRefused(alone.problem.reason ?? `http_${alone.status}`);
        return;
      }
      throw new Error(`the producer service answered ${status}: ${problem.title ?? ''} ${problem.detail ?? ''}`.trim());
    }
  }

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let batch: string[] = [];
  const send = async (lines: string[]) => {
    if (options.rate) {
      const due = started + (report.lines / options.rate) * 1000;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    const sent = postBatch(lines).then(
      () => options.onProgress?.({ ...report, refused: { ...report.refused } }),
      (error: unknown) => void (failure ??= error),
    );
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
    if (inFlight.size >= (options.concurrency ?? 2)) await Promise.race(inFlight);
    if (failure) throw failure;
  };
  for await (const line of lines) {
    if (line.trim() === '') continue;
    report.lines++;
    batch.push(line);
    if (batch.length >= batchSize) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch);
  await Promise.all(inFlight);
  agent.destroy();
  if (failure) throw failure;
  return report;
}

interface Response {
  status: number;
  text: string;
  retryAfter: string | undefined;
}

function postBody(url: URL, agent: Agent, body: Buffer, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const retryAfter = response.headers['retry-after'];
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter });
      });
    });
    request.once('error', reject);
    request.end(body);
  });
}
