import { join } from 'node:path';
import { parseEnvironment, type EnvironmentSource } from './environment.ts';

export {
  REPO_ROOT,
  DEFAULT_KAFKA_PORT,
  DEFAULT_KAFKA_CONTROLLER_PORT,
  VARIABLE_NAMES,
  SECRET_VARIABLES,
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
    /** Server only: the roles, users and scopes `govstats migrate` keeps in place (CLICKHOUSE_ACCESS_FILE). */
    accessFile?: string;
  };
  kafka: {
    /** Unset: use the local broker that `govstats infra up` runs. */
    brokers?: string[];
    clientId: string;
    partitions: number;
    replicationFactor: number;
    security: KafkaSecurity;
  };
  ingest: {
    groupId: string;
    /** /metrics and /healthz of `govstats ingest`; 0 turns them off. */
    metricsPort: number;
    /** Loopback unless the operator opens it up. */
    metricsHost: string;
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
    /** /metrics and /healthz of the bulletin service; 0 = off. */
    metricsPort: number;
    metricsHost: string;
    /** Printed in every bulletin as who issues it. */
    issuer: string;
    /** A period's bulletin issued this many days or more after the period closed is final. */
    finalAfterDays: number;
  };
  serve: {
    host: string;
    port: number;
    user: string;
    /** Unset: `govstats serve` refuses to start. */
    password?: string;
    maxRows: number;
    maxSeconds: number;
  };
  /** The HTTP producer service (`govstats serve-producer`). */
  producer: {
    host: string;
    port: number;
    /** Unset: the service refuses to start (no caller could be told apart). */
    callersFile?: string;
    maxRequestBytes: number;
    maxBatchEvents: number;
    /** Events held awaiting Kafka's acknowledgement, across requests: the memory bound. */
    maxPendingEvents: number;
    sendTimeoutMs: number;
    /** Where `govstats simulate` posts, and with which key. */
    url: string;
    key?: string;
  };
}

/** How clients authenticate to Kafka and check its certificates. */
export interface KafkaSecurity {
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_SSL';
  sasl?: { mechanism: 'scram-sha-512' | 'scram-sha-256'; username?: string; password?: string };
  ssl?: { caFile?: string; certFile?: string; keyFile?: string };
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
      accessFile: e.CLICKHOUSE_ACCESS_FILE,
    },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      partitions: e.KAFKA_PARTITIONS,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
      security: {
        protocol: e.KAFKA_SECURITY_PROTOCOL,
        sasl:
          e.KAFKA_SECURITY_PROTOCOL === 'SASL_SSL'
            ? { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD }
            : undefined,
        ssl:
          e.KAFKA_SECURITY_PROTOCOL === 'PLAINTEXT'
            ? undefined
            : { caFile: e.KAFKA_SSL_CA_FILE, certFile: e.KAFKA_SSL_CERT_FILE, keyFile: e.KAFKA_SSL_KEY_FILE },
      },
    },
    ingest: {
      groupId: e.INGEST_GROUP_ID,
      metricsPort: e.INGEST_METRICS_PORT,
      metricsHost: e.INGEST_METRICS_HOST,
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
      metricsPort: e.BULLETIN_METRICS_PORT,
      metricsHost: e.BULLETIN_METRICS_HOST,
      issuer: e.BULLETIN_ISSUER,
      finalAfterDays: e.BULLETIN_FINAL_AFTER_DAYS,
    },
    serve: {
      host: e.SERVE_HOST,
      port: e.SERVE_PORT,
      user: e.SERVE_USER,
      password: e.SERVE_PASSWORD,
      maxRows: e.SERVE_MAX_ROWS,
      maxSeconds: e.SERVE_MAX_SECONDS,
    },
    producer: {
      host: e.PRODUCER_HOST,
      port: e.PRODUCER_PORT,
      callersFile: e.PRODUCER_CALLERS_FILE,
      maxRequestBytes: e.PRODUCER_MAX_REQUEST_BYTES,
      maxBatchEvents: e.PRODUCER_MAX_BATCH_EVENTS,
      maxPendingEvents: e.PRODUCER_MAX_PENDING_EVENTS,
      sendTimeoutMs: e.PRODUCER_SEND_TIMEOUT_SECONDS * 1000,
      url: e.PRODUCER_URL ?? `http://${e.PRODUCER_HOST === '0.0.0.0' ? '127.0.0.1' : e.PRODUCER_HOST}:${e.PRODUCER_PORT}`,
      key: e.PRODUCER_KEY,
    },
  };
}
