import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, logFile, routeLogs, waitUntil, type LogRecord } from '../src/index.ts';
import { ROTATE_BYTES } from '../src/route.ts';

describe('routing the logs to a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govstats-log-route-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends the lines of loggers made before the choice to the file, and only warnings and worse to the listener', async () => {
    // Made at import in real modules, before the CLI routes anything.
    const early = createLogger('early');
    const path = join(dir, 'logs', 'govstats-test.log');
    const oldPath = `${path}.1`;
    // A full log from earlier runs is moved aside rather than grown without end.
    mkdirSync(join(dir, 'logs'));
    writeFileSync(path, '');
    truncateSync(path, ROTATE_BYTES + 1);
    const warnings: LogRecord[] = [];
    routeLogs({ to: 'file', path, onWarning: (record) => warnings.push(record) });
    expect(logFile()).toBe(path);

    early.info({ step: 1 }, 'something ordinary');
    early.warn({ attempt: 2 }, 'something to see');
    createLogger('late').error({ err: new Error('broke') }, 'something wrong');

    const records = await waitUntil(
      () => {
        const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
        return lines.length === 3 ? lines.map((line) => JSON.parse(line) as LogRecord) : undefined;
      },
      { what: 'three lines in the log file', timeoutMs: 5_000, intervalMs: 20 },
    );
    expect(records.map((r) => [r.component, r.msg])).toEqual([
      ['early', 'something ordinary'],
      ['early', 'something to see'],
      ['late', 'something wrong'],
    ]);
    expect(warnings.map((r) => [r.level, r.msg, r.attempt ?? r.err?.message])).toEqual([
      [40, 'something to see', 2],
      [50, 'something wrong', 'broke'],
    ]);
    // Records may quote refused events: the file is its owner's alone.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(oldPath).size).toBe(ROTATE_BYTES + 1);
    expect(() => routeLogs({ to: 'stderr' })).toThrow(/already routed/);
  });
});
