import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { govstatsArgs } from './support/govstats-process.ts';

/*
 * What a person sees: `govstats demo` run as a real process, on a small scenario (东庄村 2023,
 * ~1,700 events) so the whole pipeline runs in about a minute — infrastructure, schema, produce,
 * ingest, rollups, dead letters, bulletin — through the same code as `npm run demo`.
 */

const ROOT = join(import.meta.dirname, '..');
const SCENARIO = join(ROOT, 'services', 'producer', 'scenarios', 'dongzhuang-2023.yaml');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function govstats(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, govstatsArgs(...args), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Lines a program could take for a log record: anything that starts like JSON or parses as an object. */
function jsonLines(text: string): string[] {
  return text.split('\n').filter((line) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return true;
    try {
      return typeof JSON.parse(trimmed) === 'object';
    } catch {
      return false;
    }
  });
}

describe('govstats demo speaks to people', () => {
  const home = mkdtempSync(join(tmpdir(), 'govstats-cli-output-'));
  const clickhouseUrl = inject('clickhouseUrl');
  let demo: Outcome;

  beforeAll(async () => {
    demo = await govstats(['demo', '--scenario', SCENARIO], {
      ...process.env,
      // The default (auto), whatever the environment running the tests sets.
      LOG_DESTINATION: undefined,
      GOVSTATS_HOME: home,
      KAFKA_BROKERS: inject('kafkaBrokers').join(','),
      LOG_LEVEL: 'info',
      // The test's broker; ClickHouse the suite's server, or embedded — never a Docker container of its own.
      ...(clickhouseUrl
        ? { CLICKHOUSE_URL: clickhouseUrl, CLICKHOUSE_DATABASE: `cli_output_${process.pid}` }
        : { GOVSTATS_INFRA: 'native' }),
    });
  }, 240_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('finishes', () => {
    expect(demo.code, `stdout:\n${demo.stdout}\nstderr:\n${demo.stderr}`).toBe(0);
  });

  it('prints no JSON line on the terminal, neither on stdout nor on stderr', () => {
    expect(jsonLines(demo.stdout)).toEqual([]);
    expect(jsonLines(demo.stderr)).toEqual([]);
    // A successful run has nothing to warn about: no library chatter, no KafkaJS "ERROR".
    expect(demo.stderr.trim()).toBe('');
  });

  it('tells each step and its results in words on stdout', () => {
    const steps = demo.stdout.split('\n').filter((line) => /^\d\/7 /.test(line));
    expect(steps.map((line) => line.slice(0, 4))).toEqual(['1/7 ', '2/7 ', '3/7 ', '4/7 ', '5/7 ', '6/7 ', '7/7 ']);
    expect(demo.stdout).toContain('3/7 scenario: 东庄村委会, 2023-01-01 – 2023-12-31, reproducing its published figures');
    expect(demo.stdout).toMatch(/\d[\d,]* of [\d,]+ lines acknowledged/);
    expect(demo.stdout).toMatch(/[\d,]+ loaded, \d+ duplicates skipped, \d+ dead-lettered in/);
    expect(demo.stdout).toContain('7/7 bulletin 2023-Q4');
    expect(demo.stdout).toMatch(/bulletins\/141100000000\/2023-Q4\/r1\//);
  });

  it('keeps the structured log, KafkaJS included, in a file under the home', () => {
    const file = join(home, 'logs', 'govstats-demo.log');
    expect(existsSync(file)).toBe(true);
    const records = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; component: string });
    expect(records.length).toBeGreaterThan(0);
    expect(records.map((r) => r.msg)).toContain('infrastructure resolved');
    // The library's own alarms ("The coordinator is loading…") are kept, but below warn: they never reach a person.
    for (const record of records.filter((r) => r.component === 'kafkajs')) expect(record.level).toBeLessThanOrEqual(30);
  });
});
