import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Topics } from '@govstats/config';
import type { KafkaSink } from '@govstats/kafka';
import { createLogger } from '@govstats/log';
import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import type { CallerRegistry } from './callers.ts';
import { readCloudEvents } from './cloudevents-http.ts';
import { judgeEvents, typeLabel, type EventRefusal, type RoutedEvent } from './judge-events.ts';
import { EVENTS_PATH, OPENAPI_PATH, renderOpenApi, typePath } from './openapi.ts';
import { ProducerMetrics, type EventOutcome } from './producer-metrics.ts';
import { createPublishQueue, KafkaUnavailable, TooBusy, type PublishQueue } from './publish-queue.ts';

const log = createLogger('producer-service');

export interface ProducerServiceOptions {
  sink: KafkaSink;
  topics: Topics;
  callers: CallerRegistry;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  maxRequestBytes: number;
  maxBatchEvents: number;
  maxPendingEvents: number;
  sendTimeoutMs: number;
  maxEventBytes: number;
  futureToleranceMs: number;
  /** Asks Kafka whether it answers, while it is down and no request is trying (for /healthz). */
  probe?: () => Promise<boolean>;
  /** How long a failed Kafka is left alone before a request may try it again. */
  retryAfterMs?: number;
  /** Shown in the OpenAPI description. */
  version?: string;
}

export interface ProducerService {
  url: string;
  metrics: ProducerMetrics;
  queue: PublishQueue;
  /** Graceful: refuses new requests, answers the ones in hand once Kafka acknowledged them, then closes. */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
/** Longest a client may take to send one request, headers and body. */
const REQUEST_TIMEOUT_MS = 60_000;

function problem(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Answer {
  return { status, body: { title, status, detail, ...extra }, headers };
}

/** The body, or 'too_large' as soon as it passes the limit (the rest is not read: the connection closes). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        request.pause();
        resolve('too_large');
      } else chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    // A caller gone mid-body ends here too ('aborted'), so shutdown never waits for it.
    request.once('error', reject);
  });
}

/**
 * The producer service: CloudEvents over HTTP in, durable Kafka messages out. One route for any
 * event type and one per type, all from the registry; /healthz, /metrics and the OpenAPI
 * description beside them.
 */
export async function startProducerService(options: ProducerServiceOptions): Promise<ProducerService> {
  const queue = createPublishQueue(options.sink, {
    maxPendingEvents: options.maxPendingEvents,
    sendTimeoutMs: options.sendTimeoutMs,
    retryAfterMs: options.retryAfterMs,
    probe: options.probe,
    onSent: (seconds) => metrics.kafkaSent(seconds),
  });
  const metrics = new ProducerMetrics({ pending: () => queue.pending, kafkaUp: () => queue.unavailableSince === undefined });
  const routes = new Map<string, EventTypeDefinition | undefined>([[EVENTS_PATH, undefined]]);
  for (const type of EVENT_TYPES) routes.set(typePath(type), type);
  const openApi = JSON.stringify(renderOpenApi(options.version ?? '0.0.0'));
  let closing = false;
  let inHand = 0;
  const allAnswered = new Set<() => void>();

  /** One POST of events: who sends, what, whether it may, and Kafka's acknowledgement. */
  async function publish(request: IncomingMessage, routeType: EventTypeDefinition | undefined, mode: { name: string }): Promise<Answer> {
    if (closing)
      return problem(503, 'Stopping', 'the service is shutting down; send again', { reason: 'stopping' }, { 'Retry-After': '5' });
    const caller = options.callers.identify(request.headers.authorization);
    if (!caller) {
      metrics.refused('unauthenticated');
      const detail = 'send the key of your system as Authorization: Bearer <key>';
      return problem(401, 'Unauthenticated', detail, { reason: 'unauthenticated' }, { 'WWW-Authenticate': 'Bearer' });
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    const body = declared > options.maxRequestBytes ? 'too_large' : await readBody(request, options.maxRequestBytes);
    if (body === 'too_large') {
      metrics.refused('too_large');
      return problem(413, 'Request too large', `at most ${options.maxRequestBytes} bytes per request`, { reason: 'too_large' });
    }
    const read = readCloudEvents(request.headers, body, options.maxBatchEvents);
    if (!read.ok) {
      metrics.refused(read.reason);
      return problem(read.status, read.title, read.detail, { reason: read.reason });
    }
    mode.name = read.mode;
    const judged = judgeEvents(read.events, {
      caller,
      topics: options.topics,
      routeType,
      now: Date.now(),
      futureToleranceMs: options.futureToleranceMs,
      maxEventBytes: options.maxEventBytes,
    });
    if (judged.refused.length > 0) return refuse(caller.name, read.events, judged.refused);
    try {
      await queue.publish(judged.accepted);
    } catch (error) {
      if (!(error instanceof KafkaUnavailable || error instanceof TooBusy)) throw error;
      const busy = error instanceof TooBusy;
      countEvents(judged.accepted, busy ? 'busy' : 'unavailable');
      const reason = busy ? 'busy' : 'kafka_unavailable';
      metrics.refused(reason);
      const detail = `${error.message}; nothing was accepted: send again`;
      return problem(
        busy ? 429 : 503,
        busy ? 'Busy' : 'Kafka unavailable',
        detail,
        { reason },
        { 'Retry-After': String(error.retryAfterSeconds) },
      );
    }
    countEvents(judged.accepted, 'accepted');
    return { status: 202, body: { accepted: judged.accepted.length } };
  }

  /** Counted once per type, not per event: a batch holds hundreds of events of a few types. */
  function countEvents(events: RoutedEvent[], outcome: EventOutcome): void {
    const byType = new Map<string, number>();
    for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    for (const [type, n] of byType) metrics.events(type, outcome, n);
  }

  /** A request with refused events is refused whole: the caller fixes or drops those and sends again. */
  function refuse(callerName: string, events: unknown[], refused: EventRefusal[]): Answer {
    const forbidden = refused.some((r) => r.reason === 'forbidden');
    for (const refusal of refused) {
      metrics.refused(refusal.reason);
      metrics.events(typeLabel(events[refusal.index]), refusal.reason === 'forbidden' ? 'forbidden' : 'invalid');
    }
    log.info({ caller: callerName, refused: refused.length, first: refused[0] }, 'request refused');
    const what = forbidden ? 'are outside what this key may speak for' : 'break the envelope or their contract';
    return problem(
      forbidden ? 403 : 422,
      forbidden ? 'Forbidden' : 'Invalid events',
      `${refused.length} of ${events.length} events ${what}; nothing was accepted`,
      { errors: refused },
    );
  }

  async function answer(request: IncomingMessage, path: string, mode: { name: string }): Promise<Answer & { route: string }> {
    if (path === '/healthz') {
      const down = queue.unavailableSince;
      const healthy = !closing && down === undefined;
      const detail = {
        status: healthy ? 'ok' : 'unhealthy',
        kafka: down === undefined ? 'ok' : `not acknowledging since ${new Date(down).toISOString()}`,
        closing,
        pendingEvents: queue.pending,
      };
      return { route: 'healthz', status: healthy ? 200 : 503, body: detail };
    }
    if (path === '/metrics') return { route: 'metrics', status: 200, body: await metrics.text() };
    if (path === OPENAPI_PATH) return { route: 'openapi', status: 200, body: openApi };
    if (!routes.has(path)) {
      return {
        route: 'other',
        ...problem(
          404,
          'Not found',
          `POST events to ${EVENTS_PATH} or ${EVENTS_PATH}/<event type>; the API is described at ${OPENAPI_PATH}`,
        ),
      };
    }
    if (request.method !== 'POST')
      return { route: 'events', ...problem(405, 'Method not allowed', 'POST events here', {}, { Allow: 'POST' }) };
    return { route: 'events', ...(await publish(request, routes.get(path), mode)) };
  }

  function respond(response: ServerResponse, path: string, { status, body, headers }: Answer): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const contentType =
      path === '/metrics'
        ? metrics.registry.contentType
        : typeof body === 'string' || status < 400 || path === '/healthz'
          ? JSON_TYPE
          : PROBLEM_TYPE;
    // A refused body may not have been read: the connection cannot carry another request.
    const close = closing || status === 413 || status === 401;
    response.writeHead(status, { 'Content-Type': contentType, ...headers, ...(close && { Connection: 'close' }) }).end(text);
  }

  const server = createServer((request, response) => {
    const started = performance.now();
    const path = new URL(request.url ?? '/', 'http://service').pathname;
    const mode = { name: 'none' };
    inHand++;
    answer(request, path, mode)
      .then(
        (result) => {
          respond(response, path, result);
          metrics.request(
            result.route,
            mode.name,
            result.status,
            result.route === 'events' ? (performance.now() - started) / 1000 : undefined,
          );
        },
        (error: unknown) => {
          if (request.destroyed && !request.complete) log.info({ path }, 'the caller went away mid-request; nothing was accepted');
          else log.error({ err: error, path }, 'request failed');
          respond(response, path, problem(500, 'Internal error', 'the service failed; nothing was accepted: send again'));
          metrics.request('events', mode.name, 500, undefined);
        },
      )
      .finally(() => {
        if (--inHand === 0) for (const done of allAnswered) done();
      });
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  log.info({ url, callers: options.callers.size, types: EVENT_TYPES.length }, 'producer service listening');

  return {
    url,
    metrics,
    queue,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inHand > 0) await new Promise<void>((resolve) => allAnswered.add(resolve));
      queue.close();
      server.closeAllConnections();
      await stopped;
      log.info('producer service stopped');
    },
  };
}
