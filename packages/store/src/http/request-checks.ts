import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compressedBlocks } from './compressed-blocks.ts';

/** A request refused before it reaches the engine, with the HTTP status that says why. */
export class Refused extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413,
    message: string,
    /** ClickHouse's code and name for it, which drivers show. */
    readonly code = status === 401 ? '516' : status === 403 ? '497' : '1000',
    readonly type = status === 401 ? 'AUTHENTICATION_FAILED' : status === 403 ? 'ACCESS_DENIED' : 'BAD_REQUEST',
  ) {
    super(message);
  }
}

/**
 * Only names that resolve to this listener: a web page that rebinds its own DNS name to 127.0.0.1
 * still sends its own name as Host (DNS rebinding).
 */
export function checkHost(request: IncomingMessage, port: number, names: readonly string[]): void {
  const host = request.headers.host ?? '';
  if (!names.some((name) => host === `${name}:${port}`)) throw new Refused(403, `Host ${JSON.stringify(host)} is not this endpoint`);
}

/** Browsers mark what a page sends; SQL clients do not. Any page's request is refused (CSRF). */
export function checkNotFromABrowser(request: IncomingMessage): void {
  if (request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined) {
    throw new Refused(403, 'requests from web pages are refused');
  }
}

/** The password of HTTP basic auth, or of ClickHouse's own X-ClickHouse-User/Key headers. */
export function credentials(request: IncomingMessage): { user: string; password: string } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const user = request.headers['x-clickhouse-user'];
  const key = request.headers['x-clickhouse-key'];
  if (typeof user === 'string' && typeof key === 'string') return { user, password: key };
  return undefined;
}

/** Compares secrets in constant time, so the answer's timing does not leak how much matched. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The body, refused past `limit` bytes without reading the rest into memory. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new Refused(413, `the request is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Refused(413, `the request is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Errors in ClickHouse's wording, so @clickhouse/client and BI drivers show code and message. */
export function sendError(response: ServerResponse, status: number, message: string, code = '1000', type = 'UNKNOWN_EXCEPTION'): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': code };
  if (status === 401) headers['WWW-Authenticate'] = 'Basic realm="govstats", charset="UTF-8"';
  response.writeHead(status, headers).end(`Code: ${code}. DB::Exception: ${message}. (${type})\n`);
}

/** How an answer is sent, beyond its rows. */
export interface ResultOptions {
  /** In ClickHouse's compressed block format (`compress=1`). */
  compress?: boolean;
  /** More response headers, such as the server's time zone, which drivers read dates with. */
  headers?: Record<string, string>;
}

/** Until a response has taken what it was given, or its client has gone. */
function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/** Streams an engine answer, or renders its failure in the server's wording. */
export async function sendResult(
  response: ServerResponse,
  run: () => Promise<{ stream: unknown; query_id: string; summary?: unknown }>,
  options: ResultOptions = {},
): Promise<void> {
  try {
    const result = await run();
    response.writeHead(200, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Query-Id': result.query_id,
      // Inserts and commands report written rows here.
      'X-ClickHouse-Summary': JSON.stringify(result.summary ?? {}),
      ...options.headers,
    });
    const chunks = result.stream as AsyncIterable<Buffer>;
    // Stops when the client hangs up (leaving the loop closes the engine's stream), and waits for a
    // slow one to take what was sent: an answer is never read, hashed or held for nobody.
    for await (const chunk of options.compress ? compressedBlocks(chunks) : chunks) {
      if (response.destroyed) return;
      if (!response.write(chunk)) await drainedOrClosed(response);
    }
    response.end();
  } catch (error) {
    const { message, code, type } = error as Error & { code?: string; type?: string };
    sendError(response, 500, message, code && /^\d+$/.test(code) ? code : '1000', type);
  }
}
