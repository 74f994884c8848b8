import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { LogRecord } from '@govstats/log';
import { WarningLines, warningLine } from '../src/output/warnings.ts';
import { isServiceCommand, logDestination } from '../src/runtime.ts';
import { govstatsArgs } from '../../../test/support/govstats-process.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const home = mkdtempSync(join(tmpdir(), 'govstats-log-destination-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('where a command logs', () => {
  it('keeps services on stderr and sends every other command to a file under the home', () => {
    expect(isServiceCommand('ingest', [])).toBe(true);
    expect(isServiceCommand('ingest', ['--from', '2024-07-01'])).toBe(true);
    expect(isServiceCommand('ingest', ['--until-idle'])).toBe(false);
    expect(isServiceCommand('ingest', ['--from', '2024-07-01', '--dry-run'])).toBe(false);
    expect(isServiceCommand('bulletin', ['--serve'])).toBe(true);
    expect(isServiceCommand('bulletin', ['--city', '411200000000', '--period', '2024'])).toBe(false);
    expect(isServiceCommand('serve', [])).toBe(true);
    for (const command of ['demo', 'migrate', 'produce', 'rollup', 'dlq', 'infra']) expect(isServiceCommand(command, [])).toBe(false);

    const env = { GOVSTATS_HOME: '/srv/govstats' };
    expect(logDestination('ingest', [], env)).toEqual({ to: 'stderr' });
    expect(logDestination('demo', [], env)).toEqual({ to: 'file', path: '/srv/govstats/logs/govstats-demo.log' });
  });

  it('follows LOG_DESTINATION when it is set, and refuses a value it does not know', () => {
    const env = { GOVSTATS_HOME: '/srv/govstats' };
    expect(logDestination('demo', [], { ...env, LOG_DESTINATION: 'stderr' })).toEqual({ to: 'stderr' });
    expect(logDestination('ingest', [], { ...env, LOG_DESTINATION: 'File' })).toEqual({
      to: 'file',
      path: '/srv/govstats/logs/govstats-ingest.log',
    });
    expect(() => logDestination('demo', [], { ...env, LOG_DESTINATION: 'syslog' })).toThrow(/LOG_DESTINATION="syslog"/);
  });
});

describe('warnings in words', () => {
  const record = (fields: Partial<LogRecord> = {}): LogRecord => ({
    level: 40,
    time: 0,
    pid: 1,
    name: 'govstats',
    component: 'kafka',
    msg: 'send failed; keeping the messages and retrying with a fresh producer',
    topic: 'govstats.grid-visit',
    attempt: 3,
    err: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9\n    at stack lines' },
    ...fields,
  });

  afterEach(() => vi.restoreAllMocks());

  it('turns a record into one line: what happened, why, and its details', () => {
    expect(warningLine(record())).toBe(
      'govstats: warning: send failed; keeping the messages and retrying with a fresh producer: connect ECONNREFUSED 127.0.0.1:9 (topic govstats.grid-visit, attempt 3)',
    );
    expect(warningLine(record({ level: 50, msg: 'bulletin run failed', err: undefined, topic: undefined, attempt: undefined }))).toBe(
      'govstats: error: bulletin run failed',
    );
  });

  it('lets no control character or second line of a record reach the terminal, and keeps lines short', () => {
    const line = warningLine(record({ msg: 'refused \u001b[2Jhere\nsecond line', topic: 'x'.repeat(500) }));
    expect([...line].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);
    expect(line).toContain('refused \\x1b[2Jhere\\x0asecond line');
    expect(line.length).toBeLessThanOrEqual(300);
  });

  it('shows a warning that keeps coming back once per half minute, with how often it came meanwhile', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let now = 0;
    const lines = new WarningLines(() => now);
    for (let i = 0; i < 10; i++, now += 2_000) lines.show(record());
    lines.show(record({ msg: 'another warning' }));
    now = 31_000;
    lines.show(record());
    lines.stop();
    lines.show(record({ msg: 'after the command failed' }));
    expect(written.map((w) => w.trim())).toEqual([
      expect.stringMatching(/^govstats: warning: send failed; .*\(topic govstats.grid-visit, attempt 3\)$/),
      expect.stringMatching(/^govstats: warning: another warning/),
      expect.stringMatching(/, 9 more like it since the last shown\)$/),
    ]);
    expect(lines.count).toBe(3);
  });
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI, stopped with SIGTERM after `stopAfterMs` if it is a service that would wait on. */
function govstats(args: string[], env: NodeJS.ProcessEnv, stopAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, govstatsArgs(...args), {
      cwd: ROOT,
      env: { ...process.env, GOVSTATS_HOME: home, KAFKA_BROKERS: '127.0.0.1:9', INGEST_METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = stopAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), stopAfterMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split('\n').filter(Boolean);
const readLog = (command: string) => lines(readFileSync(join(home, 'logs', `govstats-${command}.log`), 'utf8'));

describe('the CLI as a process, with no broker to reach', () => {
  it('logs a service as JSON on stderr, as a supervisor collects it', async () => {
    const { stderr } = await govstats(['ingest'], { LOG_DESTINATION: undefined }, 7_000);
    const records = lines(stderr).map((line) => JSON.parse(line) as LogRecord);
    expect(records.filter((r) => r.msg === 'Kafka does not answer yet; waiting').length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('with LOG_DESTINATION=file, keeps the JSON in the file and says a repeated warning once, in words', async () => {
    const { stderr } = await govstats(['ingest'], { LOG_DESTINATION: 'file' }, 7_000);
    expect(lines(stderr)).toEqual([
      'govstats: warning: Kafka does not answer yet; waiting (brokers 127.0.0.1:9, error Connection error: connect ECONNREFUSED 127.0.0.1:9)',
    ]);
    const records = readLog('ingest').map((line) => JSON.parse(line) as LogRecord);
    expect(records.filter((r) => r.msg === 'Kafka does not answer yet; waiting').length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('says in words why a command failed and where its log is; the stack is in the log', async () => {
    const notADirectory = join(home, 'a-file');
    writeFileSync(notADirectory, '');
    const { code, stdout, stderr } = await govstats(['dlq'], { CHDB_PATH: join(notADirectory, 'chdb'), LOG_DESTINATION: undefined });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const logPath = join(home, 'logs', 'govstats-dlq.log');
    expect(lines(stderr)).toEqual([
      expect.stringMatching(/^govstats: ENOTDIR: not a directory/),
      `govstats: the full log is in ${logPath}`,
    ]);
    const [failure] = readLog('dlq').map((line) => JSON.parse(line) as LogRecord & { err: { stack?: string } });
    expect(failure).toMatchObject({ level: 50, msg: 'command failed', component: 'cli' });
    expect(failure!.err.stack).toContain('ENOTDIR');
  }, 30_000);
});
