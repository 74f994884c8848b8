import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka } from '@govstats/kafka';
import { EVENT_TYPES } from '@govstats/schemas';
import { insertRows, queryRows, readLease, runCommand } from '@govstats/store';
import { reconcile } from '@govstats/warehouse';
import { prepareScenario, scenarioLines, emptyScenarioCounts, scenarioSchema } from '../../services/producer/src/index.ts';
import { startClickHouseProxy, type ClickHouseProxy, type ProxyDecision } from '../support/clickhouse-proxy.ts';
import { spawnGovstats } from '../support/govstats-process.ts';
import { openTestPipeline, type TestPipeline, type TestPipelineOptions } from '../support/test-pipeline.ts';

/**
 * Events per scenario: reduced in CI, 200,000 or more for the full run
 * (GOVSTATS_EXACTLY_ONCE_EVENTS=200000 npx vitest run test/exactly-once).
 */
export const SCENARIO_EVENTS = Number(process.env.GOVSTATS_EXACTLY_ONCE_EVENTS ?? 12_000);

export const PERIOD = { from: '2024-03-01', to: '2024-06-30' };
export const COUNTY = '411224000000';

/** One event as the producer will send it: what the raw tables must hold exactly once. */
export interface SentEvent {
  id: string;
  source: string;
  table: string;
}

export interface Verdict {
  expected: number;
  /** Expected events with no row in their raw table. */
  missing: number;
  /** Rows beyond the first of an event. */
  doubled: number;
  /** Rows of events nobody sent. */
  unexpected: number;
  /** Rollup figures that differ from the raw tables, over every level and grain. */
  reconcileDifferences: number;
}

export interface IngestMember {
  name: string;
  child: ChildProcess;
  proxy: ClickHouseProxy;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface MemberOptions {
  /** Looks at each statement the member sends to ClickHouse (see startClickHouseProxy). */
  decide?: (statement: string, member: IngestMember) => ProxyDecision | undefined;
  env?: NodeJS.ProcessEnv;
}

const TYPE_TABLES = new Map(EVENT_TYPES.map((t) => [t.name, t.rawTable.name]));

function tableOf(type: string): string {
  const name = /^govstats\.([a-z-]+)\.v\d+$/.exec(type)?.[1];
  const table = name ? TYPE_TABLES.get(name) : undefined;
  if (!table) throw new Error(`scenario produced an event of unknown type ${type}`);
  return table;
}

/**
 * One scenario of the exactly-once harness: a pipeline of its own (topics, group, embedded engine
 * hosted by this process as a server would be), producers and ingest members as separate
 * `govstats` processes, each member talking to ClickHouse through a proxy the scenario can use
 * to kill or stop it at an exact statement.
 */
export class ExactlyOnceHarness {
  readonly members = new Set<IngestMember>();
  readonly #children = new Set<ChildProcess>();
  #sent: SentEvent[] = [];

  private constructor(
    readonly pipeline: TestPipeline,
    readonly brokers: string[],
    readonly dir: string,
  ) {}

  static async open(name: string, dir: string, options: TestPipelineOptions & { brokers: string[] }): Promise<ExactlyOnceHarness> {
    return new ExactlyOnceHarness(await openTestPipeline(name, options), options.brokers, dir);
  }

  /** The test pipeline's embedded engine endpoint, and the owner's secret every request must carry. */
  get storeEndpoint(): { url: string; token: string } {
    const lease = readLease(this.pipeline.config.clickhouse.dataDir);
    if (!lease) throw new Error('the test pipeline does not serve its embedded engine');
    return { url: lease.url, token: lease.token };
  }

  get sent(): readonly SentEvent[] {
    return this.#sent;
  }

  /**
   * Writes `count` scenario events to a file for `govstats produce`, after `tweak` had a chance
   * to change each. Every line is recorded as sent; `expectLoaded` says which must load.
   */
  async writeStream(
    file: string,
    count: number,
    tweak: (event: Record<string, unknown>, index: number) => Record<string, unknown> = (e) => e,
    only: (event: Record<string, unknown>) => boolean = () => true,
  ): Promise<string> {
    const path = join(this.dir, file);
    const scenario = scenarioSchema.parse({
      name: 'exactly-once',
      period: PERIOD,
      seed: 12,
      places: [COUNTY],
      activity: { visits_per_member_per_month: Math.max(4, Math.ceil(count / 6_000)) },
    });
    const out = createWriteStream(path);
    let index = 0;
    for (const line of scenarioLines(prepareScenario(scenario), emptyScenarioCounts())) {
      if (index >= count) break;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (!only(parsed)) continue;
      const event = tweak(parsed, index);
      this.#sent.push({ id: String(event.id), source: String(event.source), table: tableOf(String(event.type)) });
      if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
      index++;
    }
    out.end();
    await once(out, 'finish');
    if (index < count) throw new Error(`the scenario yields only ${index} events, fewer than the ${count} asked for`);
    return path;
  }

  govstats(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawnGovstats(args, {
      env: {
        ...this.pipeline.childEnv,
        KAFKA_BROKERS: this.brokers.join(','),
        INGEST_METRICS_PORT: '0',
        LOG_LEVEL: process.env.GOVSTATS_EXACTLY_ONCE_LOG_LEVEL ?? 'error',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.#children.add(child);
    return child;
  }

  /** `govstats produce` until it exits 0, started again (as a supervisor would, after a pause) whenever it fails. */
  async produce(file: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const child = this.govstats(['produce', '--file', file], env);
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code === 0) return;
      if (attempt >= 10) throw new Error(`govstats produce keeps failing (exit ${code})`);
      await sleep(2_000);
    }
  }

  /** The stream's first `lines` lines and the rest, as two files to send at different moments. */
  splitStream(file: string, lines: number): [string, string] {
    const all = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(`${file}.head`, `${all.slice(0, lines).join('\n')}\n`);
    writeFileSync(`${file}.rest`, `${all.slice(lines).join('\n')}\n`);
    return [`${file}.head`, `${file}.rest`];
  }

  /** The stream sent in `chunks` pieces, `pauseMs` apart: events keep flowing while the scenario acts. */
  async produceInChunks(file: string, chunks: number, pauseMs: number): Promise<void> {
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const size = Math.ceil(lines.length / chunks);
    for (let i = 0; i < chunks; i++) {
      const piece = `${file}.${i}`;
      writeFileSync(piece, `${lines.slice(i * size, (i + 1) * size).join('\n')}\n`);
      await this.produce(piece);
      await sleep(pauseMs);
    }
  }

  async startMember(name: string, options: MemberOptions = {}): Promise<IngestMember> {
    const member = { name } as IngestMember;
    const store = this.storeEndpoint;
    member.proxy = await startClickHouseProxy(store.url, (statement) => options.decide?.(statement, member));
    member.child = this.govstats(['ingest'], {
      CLICKHOUSE_URL: member.proxy.url,
      CLICKHOUSE_PASSWORD: store.token,
      KAFKA_CLIENT_ID: `member-${name}`,
      ...options.env,
    });
    member.exited = once(member.child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    this.members.add(member);
    void member.exited.then(() => this.members.delete(member));
    return member;
  }

  /** SIGTERM and wait: a member that stops cleanly commits what it loaded. */
  async stopMember(member: IngestMember): Promise<void> {
    if (member.child.exitCode !== null || member.child.signalCode !== null) return;
    member.child.kill('SIGTERM');
    await member.exited;
    await member.proxy.close();
  }

  async loadedEvents(): Promise<number> {
    // Scenario ids are unique across sources, so ids alone count the events.
    const [row] = await queryRows<{ n: string }>(this.pipeline.store.client, 'SELECT uniqExact(event_id) AS n FROM event_keys');
    return Number(row?.n ?? 0);
  }

  async waitForLoaded(count: number, timeoutMs = 600_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const loaded = await this.loadedEvents();
      if (loaded >= count) return;
      if (Date.now() > deadline)
        throw new Error(`only ${loaded} of ${count} events loaded after ${timeoutMs / 1000} s; ${await this.whereTheyAre()}`);
      await sleep(250);
    }
  }

  /** What a stalled scenario needs to be understood: refusals, open intents, what the group has not committed. */
  async whereTheyAre(): Promise<string> {
    const client = this.pipeline.store.client;
    const refused = await queryRows<{ reason: string; n: string }>(
      client,
      'SELECT reason, count() AS n FROM dead_letters FINAL GROUP BY reason',
    );
    const open = await queryRows<Record<string, string>>(
      client,
      `SELECT kafka_topic, kafka_partition, first_offset, last_offset, created_at FROM ingest_intents FINAL AS i
WHERE (kafka_topic, kafka_partition, first_offset) NOT IN (SELECT kafka_topic, kafka_partition, first_offset FROM ingest_batches) ORDER BY created_at DESC LIMIT 10`,
    );
    const admin = createKafka({ brokers: this.brokers, clientId: 'eo-diagnostics' }).admin();
    let lag = '';
    try {
      await admin.connect();
      const topics = [...new Set(this.#sent.map((e) => e.table))].map((table) =>
        this.pipeline.config.topics.forEventType(EVENT_TYPES.find((t) => t.rawTable.name === table)!.name),
      );
      const committed = await admin.fetchOffsets({ groupId: this.pipeline.config.ingest.groupId, topics });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          if (done !== end.high) lag += ` ${topic}[${end.partition}] committed ${done} of ${end.high};`;
        }
      }
    } catch (error) {
      lag = ` (lag unknown: ${(error as Error).message})`;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return `dead-lettered ${JSON.stringify(refused)}; intents with no finished batch ${JSON.stringify(open)}; uncommitted:${lag || ' none'}; members running ${this.members.size}`;
  }

  /** Waits until the group has nothing left to read and no member is in the middle of a batch. */
  async waitUntilDrained(expectedLoaded: number, timeoutMs?: number): Promise<void> {
    await this.waitForLoaded(expectedLoaded, timeoutMs);
    await sleep(3_000);
  }

  /**
   * Checks the raw tables against what was sent — each expected event exactly once, nothing
   * else — and every rollup grain against the raw tables.
   */
  async verify(expectLoaded: (event: SentEvent) => boolean = () => true): Promise<Verdict> {
    const client = this.pipeline.store.client;
    await runCommand(
      client,
      'CREATE TABLE IF NOT EXISTS expected_events (raw_table String, source String, event_id String) ENGINE = MergeTree ORDER BY (raw_table, source, event_id)',
    );
    await runCommand(client, 'TRUNCATE TABLE expected_events');
    const expected = this.#sent.filter(expectLoaded);
    for (let i = 0; i < expected.length; i += 50_000) {
      await insertRows(
        client,
        'expected_events',
        expected.slice(i, i + 50_000).map((e) => ({ raw_table: e.table, source: e.source, event_id: e.id })),
      );
    }
    const verdict: Verdict = { expected: expected.length, missing: 0, doubled: 0, unexpected: 0, reconcileDifferences: 0 };
    for (const table of TYPE_TABLES.values()) {
      const [row] = await queryRows<{ rows: string; events: string; matched: string; wanted: string }>(
        client,
        `SELECT
  (SELECT count() FROM ${table}) AS rows,
  (SELECT uniqExact(source, event_id) FROM ${table}) AS events,
  (SELECT uniqExact(source, event_id) FROM ${table} WHERE (source, event_id) IN (SELECT source, event_id FROM expected_events WHERE raw_table = '${table}')) AS matched,
  (SELECT count() FROM expected_events WHERE raw_table = '${table}') AS wanted`,
      );
      verdict.missing += Number(row!.wanted) - Number(row!.matched);
      verdict.doubled += Number(row!.rows) - Number(row!.events);
      verdict.unexpected += Number(row!.events) - Number(row!.matched);
    }
    verdict.reconcileDifferences = (await reconcile(this.pipeline.store, PERIOD)).length;
    return verdict;
  }

  async close(): Promise<void> {
    for (const child of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const member of this.members) await member.proxy.close();
    await this.pipeline.close();
  }
}

/** Statement patterns the scenarios wait for. */
export const STATEMENTS = {
  rawInsert: new RegExp(`^INSERT INTO (${[...TYPE_TABLES.values()].join('|')}) `),
  ledgerInsert: /^INSERT INTO event_keys /,
};
