import { join } from 'node:path';
import { z } from 'zod';

/** Repository root, so local state lands in <repo>/.govstats whatever the working directory. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const brokerList = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1));

/** Every setting govstats reads from the environment, with its default and its limits. */
const environment = z.object({
  GOVSTATS_HOME: z.string().min(1).default(join(REPO_ROOT, '.govstats')),
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }).optional(),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  CLICKHOUSE_REPLICATED: flag.default(false),
  CLICKHOUSE_DEDUP_WINDOW: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  CHDB_PATH: z.string().min(1).optional(),
  KAFKA_BROKERS: brokerList.optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('govstats'),
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only').default('govstats'),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(256).default(3),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  INGEST_GROUP_ID: z.string().min(1).default('govstats-ingest'),
  INGEST_MAX_BYTES_PER_PARTITION: z.coerce.number().int().min(65_536).max(64 * 1024 * 1024).default(16 * 1024 * 1024),
  INGEST_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  INGEST_STALL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  INGEST_LAG_CHECK_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  MAX_EVENT_BYTES: z.coerce.number().int().min(1024).max(8 * 1024 * 1024).default(256 * 1024),
  FUTURE_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  BULLETIN_CITIES: z
    .string()
    .transform((s) => s.split(',').map((c) => c.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^\d{4}0{8}$/, 'each city must be a 12-digit city code like 411200000000')))
    .default(['411200000000']),
  BULLETIN_DELAY_DAYS: z.coerce.number().int().min(0).max(90).default(5),
  BULLETIN_SINCE: z.iso.date().default('2024-01-01'),
  BULLETIN_OUT_DIR: z.string().min(1).optional(),
});

export interface Config {
  home: string;
  clickhouse: {
    url?: string;
    username?: string;
    password?: string;
    database?: string;
    cluster?: string;
    replicated: boolean;
    /**
     * Insert blocks each table remembers for deduplication (part of the DDL: every process must
     * agree). A member that lost its partition is fenced by its write lease, not by this window.
     */
    dedupWindow: number;
    /** Data directory of the embedded engine when no url is given. */
    dataDir: string;
  };
  kafka: {
    /** Unset: use the local broker that `govstats infra up` runs. */
    brokers?: string[];
    clientId: string;
    partitions: number;
    replicationFactor: number;
  };
  ingest: {
    groupId: string;
    /** /metrics and /healthz of `govstats ingest`; 0 turns them off. */
    metricsPort: number;
    maxBytesPerPartition: number;
    maxEventBytes: number;
    futureToleranceMs: number;
    /** /healthz turns unhealthy when messages wait this long without a batch being committed (a livelock). */
    stallMs: number;
    /** How often the consumer lag is measured, for /healthz and the lag metric. */
    lagCheckMs: number;
  };
  topics: Topics;
  bulletin: {
    cities: string[];
    delayDays: number;
    since: string;
    outDir: string;
  };
}

/** Topic names under one prefix, so separate pipelines (or a demo run) can share a broker. */
export interface Topics {
  prefix: string;
  /** One topic per event type: `<prefix>.<type name>`, carrying every contract version of it. */
  forEventType(typeName: string): string;
  deadLetter: string;
  /** Where producers put lines whose event type they cannot tell; ingest dead-letters them. */
  unrouted: string;
}

export function topicsFor(prefix: string): Topics {
  return {
    prefix,
    forEventType: (typeName) => `${prefix}.${typeName}`,
    deadLetter: `${prefix}.dead-letter`,
    unrouted: `${prefix}.unrouted`,
  };
}

/** Reads and checks the environment once at start-up; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(Object.keys(environment.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = environment.safeParse(known);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new Error(`invalid configuration in the environment:\n${problems.join('\n')}\nFix or unset these variables (see README, "Configuration").`);
  }
  const e = parsed.data;
  return {
    home: e.GOVSTATS_HOME,
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      username: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
      cluster: e.CLICKHOUSE_CLUSTER,
      replicated: e.CLICKHOUSE_REPLICATED,
      dedupWindow: e.CLICKHOUSE_DEDUP_WINDOW,
      dataDir: e.CHDB_PATH ?? join(e.GOVSTATS_HOME, 'chdb'),
    },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      partitions: e.KAFKA_PARTITIONS,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
    },
    ingest: {
      groupId: e.INGEST_GROUP_ID,
      metricsPort: e.INGEST_METRICS_PORT,
      maxBytesPerPartition: e.INGEST_MAX_BYTES_PER_PARTITION,
      maxEventBytes: e.MAX_EVENT_BYTES,
      futureToleranceMs: e.FUTURE_TOLERANCE_SECONDS * 1000,
      stallMs: e.INGEST_STALL_SECONDS * 1000,
      lagCheckMs: e.INGEST_LAG_CHECK_SECONDS * 1000,
    },
    topics: topicsFor(e.KAFKA_TOPIC_PREFIX),
    bulletin: {
      cities: e.BULLETIN_CITIES,
      delayDays: e.BULLETIN_DELAY_DAYS,
      since: e.BULLETIN_SINCE,
      outDir: e.BULLETIN_OUT_DIR ?? join(e.GOVSTATS_HOME, 'bulletins'),
    },
  };
}
