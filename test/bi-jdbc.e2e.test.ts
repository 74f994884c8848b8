import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { queryRows } from '@govstats/store';
import { queryPlaceFigures, viewName } from '@govstats/warehouse';
import { prepareScenarioFile, produceScenario } from '../services/cli/src/commands/produce.ts';
import { createIngestService } from '../services/ingest/src/index.ts';
import { govstatsArgs, spawnGovstats } from './support/govstats-process.ts';
import { freePort } from './support/ports.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const CHECK = join(ROOT, 'infra', 'bi', 'jdbc-check');
const SCENARIO = join(ROOT, 'services', 'producer', 'scenarios', 'dongzhuang-2023.yaml');
/** 东庄村 (short name 东庄) and its township 南武乡, the place of the scenario. */
const VILLAGE = '141121200202';
const TOWNSHIP = '141121200000';
const PASSWORD = 'bi tools read figures';

/** What the JDBC check prints per request: a result set, or the driver's SQLException. */
type Answer = { columns: string[]; rows: (string | null)[][]; error?: undefined } | { error: string; sqlState: string };

/**
 * The ClickHouse JDBC driver (com.clickhouse:clickhouse-jdbc, the one Metabase, DBeaver and
 * Tableau ship), resolved from Maven Central into ~/.m2 the way the Kafka broker is.
 */
async function jdbcClasspath(dir: string): Promise<string> {
  const file = join(dir, 'classpath.txt');
  const pom = join(CHECK, 'pom.xml');
  await run('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`, '-Dmdep.includeScope=runtime'], {
    timeout: 600_000,
  }).catch((error: Error & { stdout?: string }) => {
    throw new Error(`mvn could not resolve the JDBC driver of ${pom} (needs Maven and Maven Central): ${error.stdout ?? error.message}`);
  });
  return readFileSync(file, 'utf8').trim();
}

/**
 * `govstats serve`, the read-only endpoint for BI tools, as its own process beside the process
 * that holds the store, as a user runs it.
 */
function spawnServe(pipeline: TestPipeline, port: number): { child: ChildProcess; stderr: () => string } {
  const child = spawnGovstats(['serve'], {
    // Refusals are warnings, and this test asks for some.
    env: { ...pipeline.childEnv, SERVE_PORT: String(port), SERVE_USER: 'reader', SERVE_PASSWORD: PASSWORD, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return { child, stderr: () => stderr };
}

async function untilServing({ child, stderr }: ReturnType<typeof spawnServe>, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`govstats serve exited with ${child.exitCode}: ${stderr()}`);
    const ready = await fetch(`http://127.0.0.1:${port}/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`govstats serve did not answer /ping within 60 s: ${stderr()}`);
    await sleep(250);
  }
}

/** The rows of a result set, each value by its column's name; the driver's error if it threw. */
function rowObjects(answer: Answer | undefined): Record<string, string | null>[] {
  if (!answer || answer.error !== undefined) throw new Error(`the driver failed: ${answer?.error ?? 'no answer'}`);
  return answer.rows.map((row) => Object.fromEntries(answer.columns.map((column, i) => [column, row[i] ?? null])));
}

/** The JDBC driver's rendering of a figure, as govstats rollup's number (NULL stays null). */
function figure(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

// `govstats serve` is the embedded engine's endpoint; against a ClickHouse server BI tools use
// the server's reader user instead, which has no engine here to run on.
describe.skipIf(inject('clickhouseUrl') !== '')('BI tools: the ClickHouse JDBC driver against `govstats serve`', () => {
  let dir: string;
  let classpath: string;
  let pipeline: TestPipeline;
  let serve: ChildProcess;
  let url: string;

  /** Runs the JDBC check: one connection, one JSON answer per request. */
  async function jdbc(...requests: string[]): Promise<Answer[]> {
    const { stdout } = await run('java', ['-cp', classpath, join(CHECK, 'JdbcQuery.java'), url, 'reader', ...requests], {
      env: { ...process.env, JDBC_PASSWORD: PASSWORD },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const answers = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Answer);
    expect(answers).toHaveLength(requests.length);
    return answers;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-bi-'));
    [classpath, pipeline] = await Promise.all([jdbcClasspath(dir), openTestPipeline('bi')]);
    const port = await freePort();
    url = `jdbc:clickhouse://127.0.0.1:${port}/default`;
    // Real events through the real pipeline: every event type, states and flows, in one village;
    // the endpoint starts meanwhile, as it may beside a running ingest.
    const spawned = spawnServe(pipeline, port);
    serve = spawned.child;
    const serving = untilServing(spawned, port);
    serving.catch(() => undefined); // awaited below, after the events are in
    const { report, counts } = await produceScenario(pipeline.config, pipeline.kafka, prepareScenarioFile(SCENARIO));
    expect(report.accepted).toBe(counts.lines);
    const ingested = await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
    expect(ingested).toMatchObject({ loaded: counts.events, deadLettered: 0 });
    await serving;
  }, 600_000);

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    await pipeline?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects as the reader and browses the readable views, and nothing else, as a schema browser does', async () => {
    const views = EVENT_TYPES.flatMap((type) =>
      (['daily', 'monthly', 'month_totals', 'year_totals'] as const).map((g) => viewName(type, g)),
    );
    const [server, schemas, tables, columns] = await jdbc(
      'server:',
      'schemas:%',
      'tables:%',
      `columns:${viewName(EVENT_TYPES[0]!, 'year_totals')}`,
    );
    expect(rowObjects(server)).toEqual([{ product: 'ClickHouse', version: expect.any(String), user: 'reader', schema: 'default' }]);
    expect(
      rowObjects(schemas)
        .map((s) => s.TABLE_SCHEM)
        .sort(),
    ).toEqual(['default', 'system']);
    // The raw tables and the bookkeeping are there, but the reader's catalogue does not show them.
    const listed = rowObjects(tables);
    expect(listed.map((t) => t.TABLE_NAME).sort()).toEqual([...views].sort());
    expect(new Set(listed.map((t) => t.TABLE_TYPE))).toEqual(new Set(['VIEW']));
    expect(
      rowObjects(columns)
        .map((c) => c.COLUMN_NAME)
        .slice(0, 4),
    ).toEqual(['level', 'code', 'place_name', 'year']);
  });

  it('returns the figures `govstats rollup` prints, for a village and its township, a year and a month', async () => {
    const year = { from: '2023-01-01', to: '2023-12-31' };
    const june = { from: '2023-06-01', to: '2023-06-30' };
    const asks: { type: EventTypeDefinition; level: 'village' | 'township'; code: string; period: typeof year; sql: string }[] = [];
    for (const type of EVENT_TYPES) {
      const yearView = viewName(type, 'year_totals');
      const monthView = viewName(type, 'month_totals');
      asks.push(
        {
          type,
          level: 'village',
          code: VILLAGE,
          period: year,
          sql: `SELECT * FROM ${yearView} WHERE level = 'village' AND code = '${VILLAGE}' AND year = '2023-01-01'`,
        },
        {
          type,
          level: 'township',
          code: TOWNSHIP,
          period: year,
          sql: `SELECT * FROM ${yearView} WHERE level = 'township' AND code = '${TOWNSHIP}' AND year = '2023-01-01'`,
        },
        {
          type,
          level: 'township',
          code: TOWNSHIP,
          period: june,
          sql: `SELECT * FROM ${monthView} WHERE level = 'township' AND code = '${TOWNSHIP}' AND month = '2023-06-01'`,
        },
      );
    }
    const answers = await jdbc(...asks.map((ask) => `query:${ask.sql}`));

    // `govstats rollup` itself, from its own process, for the village's year.
    const printed = JSON.parse(
      (
        await run(
          process.execPath,
          govstatsArgs('rollup', '--level', 'village', '--code', VILLAGE, '--from', year.from, '--to', year.to, '--json'),
          {
            cwd: ROOT,
            env: { ...pipeline.childEnv, LOG_LEVEL: 'warn' },
          },
        )
      ).stdout,
    ) as { place: string; figures: Record<string, Record<string, number | null>> };
    expect(printed.place).toBe('东庄');

    let compared = 0;
    let yearRows = 0;
    for (const [i, ask] of asks.entries()) {
      const expected =
        ask.level === 'village' && ask.period === year
          ? printed.figures[ask.type.name]!
          : await queryPlaceFigures(pipeline.store, ask.type, { level: ask.level, code: ask.code, ...ask.period });
      const what = `${ask.type.name} ${ask.level} ${ask.period.from}`;
      const rows = rowObjects(answers[i]);
      if (rows.length === 0) {
        // No row that month: nothing happened, so every flow is zero.
        const flows = ask.type.rollup.measures.filter((m) => m.kind !== 'state').map((m) => m.name);
        for (const name of flows) expect(expected[name] ?? 0, `${what} ${name}`).toBe(0);
        continue;
      }
      expect(rows, what).toHaveLength(1);
      const row = rows[0]!;
      // Place names arrive intact through RowBinary and the compressed blocks.
      if (ask.level === 'village') expect(row.place_name).toBe(printed.place);
      // Every measure and derived measure is a column; counts of villages over a threshold are
      // counted per period by `govstats rollup` only.
      const thresholds = new Set((ask.type.rollup.thresholds ?? []).map((t) => t.name));
      const names = Object.keys(expected).filter((name) => !thresholds.has(name));
      expect(Object.keys(row), what).toEqual(expect.arrayContaining(names));
      for (const name of names) {
        const value = expected[name]!;
        if (typeof value === 'number' && !Number.isInteger(value)) expect(figure(row[name]), `${what} ${name}`).toBeCloseTo(value, 9);
        else expect(figure(row[name]), `${what} ${name}`).toBe(value);
      }
      compared += names.length;
      if (ask.period === year) yearRows += 1;
    }
    // Something was really compared: the scenario has every type in the village's year.
    expect(yearRows).toBe(2 * EVENT_TYPES.length);
    expect(compared).toBeGreaterThan(100);
  });

  it('refuses through the driver what the endpoint refuses: other tables, table functions, settings', async () => {
    const answers = await jdbc(
      'query:SELECT count() FROM grid_visits',
      "query:SELECT * FROM file('/etc/passwd')",
      'query:SELECT count() FROM grid_visit_daily SETTINGS max_result_rows = 0',
      'query:DROP TABLE grid_visits',
      "query:SELECT name FROM system.tables WHERE name = 'grid_visits'",
    );
    expect(answers[0]).toMatchObject({ error: expect.stringMatching(/grid_visits is not one of the readable views.*ACCESS_DENIED/) });
    expect(answers[1]).toMatchObject({ error: expect.stringMatching(/file\(\) is not allowed here.*ACCESS_DENIED/) });
    expect(answers[2]).toMatchObject({ error: expect.stringMatching(/SETTINGS clause is not allowed/) });
    expect(answers[3]).toMatchObject({ error: expect.stringMatching(/DROP is not allowed/) });
    // The catalogue answers, without the raw table in it.
    expect(answers[4]).toMatchObject({ rows: [] });
    // The store still has it: the reader just cannot see it.
    const [stored] = await queryRows<{ n: string }>(pipeline.store.client, 'SELECT count() AS n FROM grid_visits');
    expect(Number(stored?.n)).toBeGreaterThan(0);
  });
});
