import { join } from 'node:path';
import { parseEnvironment, type EnvironmentSource } from './environment.ts';

export {
  REPO_ROOT,
  DEFAULT_KAFKA_PORT,
  DEFAULT_KAFKA_CONTROLLER_PORT,
  VARIABLE_NAMES,
  describeVariable,
  readVariable,
  isVariableSet,
  childEnvironment,
  type Environment,
  type EnvironmentSource,
  type VariableName,
} from './environment.ts';

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
export function loadConfig(env?: EnvironmentSource): Config {
  const e = parseEnvironment(env);
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
