import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { issueBulletin, parsePeriod } from '@govstats/bulletin';
import { REPO_ROOT, topicsFor, type Config } from '@govstats/config';
import { createKafka, deleteTopics } from '@govstats/kafka';
import { resolveInfrastructure } from '@govstats/local-infra';
import { EVENT_TYPES, displayLabel, measureNamed, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import { openStore, type Store } from '@govstats/store';
import { deadLetterSummary, queryRollup } from '@govstats/warehouse';
import { formatNumber, renderTable } from '../output/table.ts';
import { allTopics, config } from '../runtime.ts';
import { drainTopics } from './ingest.ts';
import { migrateStore } from './migrate.ts';
import { prepareScenarioFile, produceScenario } from './produce.ts';

export const usage = `govstats demo
  Runs the whole pipeline on the 三门峡市 (Sanmenxia) scenario, 1 January – 27 September 2024,
  which reproduces the city's published figures: local infrastructure, schema, ~1.2 million events
  with some broken and duplicated ones, ingest, a rollup table per event type by city and county, the
  dead-letter summary, and the 2024 Q2 statistical bulletin.`;

const CITY = '411200000000';
const SCENARIO = join(REPO_ROOT, 'services', 'producer', 'scenarios', 'sanmenxia-2024.yaml');
const FROM = '2024-01-01';
const TO = '2024-09-27';
const BULLETIN_PERIOD = '2024-Q2';

const say = (text: string) => process.stdout.write(`${text}\n`);

/** A progress line rewritten in place on a terminal; nothing when output goes to a file or CI log. */
function progress(text: string, done = false): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(done ? '\n' : `\r    ${text}`);
}

export async function run(): Promise<number> {
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
      const outcomes = await migrateStore(cfg, store);
      say(`    ${outcomes.filter((o) => o.action !== 'unchanged').length} migrations applied`);

      say('3/7 scenario: 三门峡市, 2024-01-01 – 2024-09-27, reproducing its published figures');
      say('4/7 produce (with 0.2% broken and 0.2% repeated events injected)');
      const { report: produced, counts } = await produceScenario(
        cfg,
        kafka,
        prepareScenarioFile(SCENARIO, { inject: { invalid: 0.002, duplicates: 0.002 } }),
        {
          onProgress: (r) => progress(`published ${formatNumber(r.accepted)}`),
        },
      );
      progress('', true);
      say(
        `    ${formatNumber(produced.accepted)} of ${formatNumber(counts.lines)} lines acknowledged: ${formatNumber(counts.events)} events, ${counts.invalid} broken, ${counts.duplicates} repeated`,
      );

      say('5/7 ingest');
      const { stats, seconds } = await drainTopics(cfg, kafka, store, (s) =>
        progress(
          `${formatNumber(s.messages)} read · ${formatNumber(s.loaded)} loaded · ${s.duplicates} duplicates skipped · ${s.deadLettered} dead-lettered`,
        ),
      );
      progress('', true);
      say(
        `    ${formatNumber(stats.loaded)} loaded, ${stats.duplicates} duplicates skipped, ${stats.deadLettered} dead-lettered in ${seconds.toFixed(1)} s (${formatNumber(Math.round(stats.messages / seconds))} events/s)`,
      );

      say(`6/7 rollups, ${FROM} – ${TO}\n`);
      say(await rollupTables(store));
      const dead = await deadLetterSummary(store);
      say(
        `\ndead letters (${dead.reduce((n, r) => n + r.count, 0)})\n${renderTable(
          ['reason', 'topic', 'count'],
          dead.map((r) => [r.reason, r.topic, r.count]),
        )}`,
      );
      say(`\n7/7 bulletin ${BULLETIN_PERIOD}`);
      const bulletin = await issueBulletin(store, {
        cityCode: CITY,
        period: parsePeriod(BULLETIN_PERIOD),
        outDir: join(demoHome, 'bulletins'),
        now: Date.now(),
      });
      for (const file of bulletin.files) say(`    ${file}`);
      say(
        `\nExplore: CHDB_PATH=${cfg.clickhouse.dataDir} npm run govstats -- rollup --level county --code 411224000000 --from ${FROM} --to ${TO}`,
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

/** One table per type, its title and a row for the city and each of its counties (townships: `govstats rollup`). */
async function rollupTables(store: Store): Promise<string> {
  const tables: string[] = [];
  for (const type of EVENT_TYPES) {
    const columns = columnsOf(type);
    const rows: (string | number | null)[][] = [];
    for (const level of ['city', 'county'] as RollupLevel[]) {
      for (const r of await queryRollup(store, type, { level, within: CITY, from: FROM, to: TO })) {
        const cells = columns.map((c) => {
          const value = r.figures[c.measure] ?? null;
          return value === null ? null : Math.round(value * c.scale * 10) / 10;
        });
        rows.push([`${level === 'county' ? '  ' : ''}${r.place}`, ...cells]);
      }
    }
    tables.push(`${type.title.zh}\n${renderTable(['地区', ...columns.map((c) => c.header)], rows)}`);
  }
  return tables.join('\n\n');
}
