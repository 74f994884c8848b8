import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { issueBulletin, makePeriod, parsePeriod, previousPeriod, type BulletinPeriod } from '@govstats/bulletin';
import { REPO_ROOT, childEnvironment, topicsFor, type Config } from '@govstats/config';
import { nationalCatalogue } from '@govstats/divisions';
import { createKafka, deleteTopics } from '@govstats/kafka';
import { resolveInfrastructure } from '@govstats/local-infra';
import { loadScenario, type PostReport, type ScenarioCounts } from '@govstats/producer';
import { EVENT_TYPES, displayLabel, measureNamed, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import { openStore, type Store } from '@govstats/store';
import { deadLetterSummary, queryRollup } from '@govstats/warehouse';
import { endProgress, showProgress, withElapsed } from '../output/progress.ts';
import { formatNumber, renderTable } from '../output/table.ts';
import { UsageError, allTopics, config } from '../runtime.ts';
import { STATUS_WORDS } from './bulletin.ts';
import { drainTopics } from './ingest.ts';
import { migrateStore } from './migrate.ts';
import { describeRefusals } from './simulate.ts';

export const usage = `govstats demo [--scenario FILE] [--period 2024|2024-Q3|2024-07]
  Runs the whole pipeline on the 三门峡市 (Sanmenxia) scenario, 1 January – 27 September 2024,
  which reproduces the city's published figures: local infrastructure, schema, ~1.2 million events
  with some broken and duplicated ones, ingest, a rollup table per event type by city and county, the
  dead-letter summary, and the 2024 Q2 statistical bulletin.
  --scenario runs the same steps on another scenario file, e.g. the ~1,700 events of
  services/producer/scenarios/dongzhuang-2023.yaml in about a minute; --period is the bulletin's
  period (default: the last whole quarter of the scenario's period).`;

const DEFAULT_SCENARIO = join(REPO_ROOT, 'services', 'producer', 'scenarios', 'sanmenxia-2024.yaml');

/** What one demo run covers, all read from its scenario file. */
interface DemoPlan {
  scenarioFile: string;
  /** The places the scenario names, as people know them (三门峡市). */
  placeNames: string;
  published: boolean;
  from: string;
  to: string;
  /** Cities of the scenario's places: their rollup tables and bulletins. */
  cities: string[];
  /** undefined when the scenario covers no whole month. */
  bulletinPeriod: BulletinPeriod | undefined;
  /** A place for the closing `govstats rollup` hint. */
  explore: { level: RollupLevel; code: string };
}

const cityOf = (code: string) => `${code.slice(0, 4)}00000000`;

/** The last quarter (else month) lying wholly inside from – to. */
function lastWholePeriod(from: string, to: string): BulletinPeriod | undefined {
  const year = Number(to.slice(0, 4));
  const month = Number(to.slice(5, 7));
  for (const candidate of [makePeriod('quarter', year, Math.ceil(month / 3)), makePeriod('month', year, month)]) {
    const period = candidate.to > to ? previousPeriod(candidate) : candidate;
    if (period.from >= from) return period;
  }
  return undefined;
}

function planDemo(scenarioFile: string, periodKey: string | undefined): DemoPlan {
  let scenario;
  try {
    scenario = loadScenario(scenarioFile);
  } catch (error) {
    throw new UsageError(`scenario ${scenarioFile}: ${(error as Error).message}`);
  }
  const { from, to } = scenario.period;
  const catalogue = nationalCatalogue();
  const places = scenario.places.map((code) => catalogue.get(code));
  let bulletinPeriod = lastWholePeriod(from, to);
  if (periodKey !== undefined) {
    try {
      bulletinPeriod = parsePeriod(periodKey);
    } catch (error) {
      throw new UsageError(`--period: ${(error as Error).message}`);
    }
  }
  const first = places[0];
  return {
    scenarioFile,
    placeNames: places.map((place, i) => place?.name ?? scenario.places[i]).join('、'),
    published: scenario.targets.length > 0,
    from,
    to,
    cities: [...new Set(scenario.places.map(cityOf))],
    bulletinPeriod,
    explore:
      first && first.level !== 'province' ? { level: first.level, code: first.code } : { level: 'city', code: cityOf(scenario.places[0]!) },
  };
}

const say = (text: string) => process.stdout.write(`${text}\n`);

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { scenario: { type: 'string' }, period: { type: 'string' } } });
  const plan = planDemo(values.scenario ?? DEFAULT_SCENARIO, values.period);
  const base = config();
  const runId = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const demoHome = join(base.home, 'demo');
  rmSync(demoHome, { recursive: true, force: true });
  mkdirSync(demoHome, { recursive: true });

  say('1/7 infrastructure');
  const infra = await resolveInfrastructure();
  try {
    // A run of its own: fresh topics and consumer group on the broker, fresh embedded data directory.
    const cfg: Config = {
      ...base,
      kafka: { ...base.kafka, brokers: infra.kafkaBrokers },
      clickhouse: { ...base.clickhouse, url: infra.clickhouseUrl, dataDir: join(demoHome, 'chdb') },
      ingest: { ...base.ingest, groupId: `govstats-demo-${runId}` },
      topics: topicsFor(`govstats-demo-${runId}`),
    };
    say(
      `    Kafka: ${infra.origin.kafka} ${infra.kafkaBrokers.join(', ')} · ClickHouse: ${infra.origin.clickhouse}${infra.clickhouseUrl ? ` ${infra.clickhouseUrl}` : ` (${cfg.clickhouse.dataDir})`}`,
    );
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: cfg.kafka.clientId, security: cfg.kafka.security });
    const store = await openStore({ ...cfg.clickhouse, host: true });
    try {
      say('2/7 schema');
      const outcomes = await withElapsed('creating tables and loading the division catalogue', () => migrateStore(cfg, store));
      say(`    ${outcomes.filter((o) => o.action !== 'unchanged').length} migrations applied`);

      say(`3/7 scenario: ${plan.placeNames}, ${plan.from} – ${plan.to}${plan.published ? ', reproducing its published figures' : ''}`);
      say('4/7 produce through the producer service: the events posted over HTTP, 0.2% broken and 0.2% repeated ones among them');
      const { report: posted, counts, url, seconds: postingSeconds } = await postScenarioInAProcess(cfg, plan.scenarioFile);
      const refused = describeRefusals(posted.refused);
      say(
        `    ${formatNumber(posted.accepted)} of ${formatNumber(counts.lines)} lines acknowledged by the service at ${url} (durable in Kafka): ${formatNumber(counts.events)} events, ${counts.duplicates} repeated, in ${postingSeconds.toFixed(1)} s (${formatNumber(Math.round(counts.lines / postingSeconds))} a second)`,
      );
      say(
        `    refused at once, with the reason, instead of dead-lettered later: ${refused || 'none'} (${counts.invalid} broken lines injected)`,
      );

      say('5/7 ingest');
      const { stats, seconds } = await drainTopics(cfg, kafka, store, (s) =>
        showProgress(
          `${formatNumber(s.messages)} read · ${formatNumber(s.loaded)} loaded · ${s.duplicates} duplicates skipped · ${s.deadLettered} dead-lettered`,
        ),
      );
      endProgress();
      say(
        `    ${formatNumber(stats.loaded)} loaded, ${stats.duplicates} duplicates skipped, ${stats.deadLettered} dead-lettered in ${seconds.toFixed(1)} s (${formatNumber(Math.round(stats.messages / seconds))} events/s)`,
      );

      say(`6/7 rollups, ${plan.from} – ${plan.to}\n`);
      say(await withElapsed('querying the rollups', () => rollupTables(store, plan)));
      const dead = await deadLetterSummary(store);
      say(
        `\ndead letters (${dead.reduce((n, r) => n + r.count, 0)})\n${renderTable(
          ['reason', 'topic', 'count'],
          dead.map((r) => [r.reason, r.topic, r.count]),
        )}`,
      );
      await issueBulletins(cfg, store, plan, join(demoHome, 'bulletins'));
      say(
        `\nExplore: CHDB_PATH=${cfg.clickhouse.dataDir} npm run govstats -- rollup --level ${plan.explore.level} --code ${plan.explore.code} --from ${plan.from} --to ${plan.to}`,
      );
    } finally {
      await store.close();
      await deleteTopics(kafka, allTopics({ ...base, topics: topicsFor(`govstats-demo-${runId}`) }));
    }
  } finally {
    await infra.stop();
  }
  return 0;
}

/** A type's demo columns, headed by the measure's label and display unit. */
function columnsOf(type: EventTypeDefinition) {
  return type.demoColumns.map((measure) => {
    const declared = measureNamed(type.rollup, measure)!;
    const { unit, scale } = declared;
    const label = displayLabel(declared);
    // `%` measures are ratios; the table shows them as percentages.
    return { measure, header: unit ? `${label}(${unit})` : label, scale: unit === '%' ? 100 : (scale ?? 1) };
  });
}

/**
 * Step 4: `govstats simulate --own-service` in a process of its own, as a calling system and the
 * service run apart from this one (which holds the embedded engine, whose threads and memory would
 * slow every socket write of the service several times over).
 */
async function postScenarioInAProcess(
  cfg: Config,
  scenarioFile: string,
): Promise<{ report: PostReport; counts: ScenarioCounts; url: string; seconds: number }> {
  const args = ['simulate', '--scenario', scenarioFile, '--own-service', '--broken', '0.002', '--repeated', '0.002', '--json'];
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services', 'cli', 'src', 'main.ts'), ...args], {
    cwd: REPO_ROOT,
    env: childEnvironment({
      GOVSTATS_HOME: cfg.home,
      KAFKA_BROKERS: cfg.kafka.brokers!.join(','),
      KAFKA_TOPIC_PREFIX: cfg.topics.prefix,
    }),
    // Its progress line and any warning reach the person directly; its answer comes as JSON.
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0)
    throw new Error(`govstats simulate failed (exit ${code}); its log is in ${join(cfg.home, 'logs', 'govstats-simulate.log')}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as { report: PostReport; counts: ScenarioCounts; url: string; seconds: number };
}

/** One table per type, its title and a row for the city and each of its counties (townships: `govstats rollup`). */
async function rollupTables(store: Store, plan: DemoPlan): Promise<string> {
  const tables: string[] = [];
  for (const type of EVENT_TYPES) {
    const columns = columnsOf(type);
    const rows: (string | number | null)[][] = [];
    for (const city of plan.cities) {
      for (const level of ['city', 'county'] as RollupLevel[]) {
        for (const r of await queryRollup(store, type, { level, within: city, from: plan.from, to: plan.to })) {
          const cells = columns.map((c) => {
            const value = r.figures[c.measure] ?? null;
            return value === null ? null : Math.round(value * c.scale * 10) / 10;
          });
          rows.push([`${level === 'county' ? '  ' : ''}${r.place}`, ...cells]);
        }
      }
    }
    tables.push(`${type.title.zh}\n${renderTable(['地区', ...columns.map((c) => c.header)], rows)}`);
  }
  return tables.join('\n\n');
}

/** Step 7: each city's bulletin for the plan's period, and where its files are. */
async function issueBulletins(cfg: Config, store: Store, plan: DemoPlan, outDir: string): Promise<void> {
  const period = plan.bulletinPeriod;
  if (!period) {
    say(`\n7/7 bulletin: none, ${plan.from} – ${plan.to} holds no whole month`);
    return;
  }
  say(`\n7/7 bulletin ${period.key}`);
  for (const city of plan.cities) {
    const bulletin = await withElapsed('issuing the bulletin', () =>
      issueBulletin(store, {
        cityCode: city,
        period,
        outDir,
        now: Date.now(),
        issuer: cfg.bulletin.issuer,
        finalAfterDays: cfg.bulletin.finalAfterDays,
      }),
    );
    say(`    revision ${bulletin.document.revision}, ${STATUS_WORDS[bulletin.document.status]}`);
    for (const file of bulletin.files) say(`    ${file}`);
  }
  say(`    every bulletin, with links: ${join(outDir, 'index.html')}`);
}
