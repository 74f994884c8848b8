import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Repository root, so local state lands in <repo>/.govstats whatever the working directory. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export const DEFAULT_KAFKA_PORT = 19092;
export const DEFAULT_KAFKA_CONTROLLER_PORT = 19093;

const flag = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const brokerList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1));

const port = z.coerce.number().int().min(1).max(65_535);
const count = z.coerce.number().int().min(1);

/**
 * Every variable govstats reads from the environment, with its default, its limits and what it is
 * for. Nothing else in the repository reads process.env (packages/config/test/env-access.test.ts).
 */
const environment = z.object({
  GOVSTATS_HOME: z
    .string()
    .trim()
    .transform((path) => resolve(path))
    .default(join(REPO_ROOT, '.govstats'))
    .describe('local state: broker data and logs, embedded ClickHouse data, bulletins'),
  CLICKHOUSE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('ClickHouse server; unset = embedded engine'),
  CLICKHOUSE_USER: z.string().optional().describe('ClickHouse user'),
  CLICKHOUSE_PASSWORD: z.string().optional().describe('ClickHouse password (or CLICKHOUSE_PASSWORD_FILE: a file holding it)'),
  CLICKHOUSE_ACCESS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('server only: YAML of the roles, users and row-policy scopes `govstats migrate` keeps in place'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe('ClickHouse database, created when missing'),
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe('render DDL with ON CLUSTER'),
  CLICKHOUSE_REPLICATED: flag.default(false).describe('render Replicated* engines'),
  CLICKHOUSE_DEDUP_WINDOW: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(10_000)
    .describe('insert blocks each table remembers for deduplication (part of the DDL)'),
  CHDB_PATH: z.string().min(1).optional().describe('data directory of the embedded engine; default $GOVSTATS_HOME/chdb'),
  KAFKA_BROKERS: brokerList.optional().describe('comma-separated host:port; unset = the local broker of `govstats infra up`'),
  KAFKA_CLIENT_ID: z.string().min(1).default('govstats').describe('Kafka client id'),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only')
    .default('govstats')
    .describe('prefix of every topic name'),
  KAFKA_SECURITY_PROTOCOL: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(['PLAINTEXT', 'SSL', 'SASL_SSL']))
    .default('PLAINTEXT')
    .describe('how clients reach Kafka: PLAINTEXT, SSL (TLS) or SASL_SSL (SCRAM over TLS)'),
  KAFKA_SASL_MECHANISM: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['scram-sha-512', 'scram-sha-256']))
    .default('scram-sha-512')
    .describe('SASL mechanism under SASL_SSL'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional().describe('SASL user under SASL_SSL'),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional().describe('SASL password (or KAFKA_SASL_PASSWORD_FILE: a file holding it)'),
  KAFKA_SSL_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("PEM file of the CA that signed the brokers' certificates; unset = the system's CAs"),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional().describe('PEM client certificate, for brokers that require one'),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional().describe('PEM private key of KAFKA_SSL_CERT_FILE'),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(256).default(3).describe('partitions of the topics govstats creates'),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1).describe('replication factor of the topics govstats creates'),
  KAFKA_PORT: port.default(DEFAULT_KAFKA_PORT).describe('client port of the local broker (node <id> of a local cluster adds 2·(id − 1))'),
  KAFKA_CONTROLLER_PORT: port.default(DEFAULT_KAFKA_CONTROLLER_PORT).describe('KRaft controller port of the local broker, likewise'),
  KAFKA_LOCAL_BROKERS: count
    .optional()
    .describe('nodes of the native local Kafka cluster (1 to 7); unset = as many as are running, else 1'),
  GOVSTATS_INFRA: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['auto', 'docker', 'native']))
    .default('auto')
    .describe('where missing Kafka/ClickHouse come from: auto (Docker when reachable, else native), docker, native'),
  JAVA_HOME: z.string().trim().optional().describe('JDK whose bin/java runs the local broker; default: java on PATH'),
  PATH: z.string().default('').describe('where java and mvn are looked up'),
  INGEST_GROUP_ID: z.string().min(1).default('govstats-ingest').describe('consumer group of `govstats ingest`'),
  INGEST_MAX_BYTES_PER_PARTITION: z.coerce
    .number()
    .int()
    .min(65_536)
    .max(64 * 1024 * 1024)
    .default(16 * 1024 * 1024)
    .describe('fetch size, hence batch size'),
  INGEST_METRICS_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65_535)
    .default(9464)
    .describe('/metrics and /healthz of `govstats ingest`; 0 = off'),
  INGEST_METRICS_HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('address /metrics and /healthz listen on; 0.0.0.0 to reach them from other hosts'),
  INGEST_STALL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(86_400)
    .default(300)
    .describe('/healthz fails when messages wait this long with no batch committed'),
  INGEST_LAG_CHECK_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10).describe('how often the consumer lag is measured'),
  MAX_EVENT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(8 * 1024 * 1024)
    .default(256 * 1024)
    .describe('larger messages are dead-lettered as oversized'),
  FUTURE_TOLERANCE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(600)
    .describe('events later than now + this are dead-lettered as future_time'),
  BULLETIN_CITIES: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^\d{4}0{8}$/, 'each city must be a 12-digit city code like 411200000000')))
    .default(['411200000000'])
    .describe('cities the bulletin service issues bulletins for'),
  BULLETIN_DELAY_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(90)
    .default(5)
    .describe('days after a period closes before its bulletin is issued'),
  BULLETIN_SINCE: z.iso.date().default('2024-01-01').describe('first day whose periods get bulletins'),
  BULLETIN_OUT_DIR: z.string().min(1).optional().describe('where bulletins are written; default $GOVSTATS_HOME/bulletins'),
  BULLETIN_METRICS_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65_535)
    .default(9465)
    .describe('/metrics and /healthz of `govstats bulletin --serve`; 0 = off'),
  BULLETIN_METRICS_HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('address /metrics and /healthz of the bulletin service listen on; 0.0.0.0 to reach them from other hosts'),
  BULLETIN_ISSUER: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters')
    .default('govstats 基层治理统计')
    .describe('who issues the bulletins, printed in each one (e.g. 某市统计局)'),
  BULLETIN_FINAL_AFTER_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(730)
    .default(30)
    .describe('days after a period closes from which its bulletin is final rather than preliminary'),
  SERVE_HOST: z.string().trim().min(1).default('127.0.0.1').describe('address of the read-only SQL endpoint of `govstats serve`'),
  SERVE_PORT: port.default(8124).describe('port of the read-only SQL endpoint of `govstats serve`'),
  SERVE_USER: z.string().trim().min(1).default('reader').describe('user name `govstats serve` accepts'),
  SERVE_PASSWORD: z
    .string()
    .min(12, 'at least 12 characters')
    .optional()
    .describe('password `govstats serve` accepts (or SERVE_PASSWORD_FILE); required to serve'),
  SERVE_MAX_ROWS: count.max(10_000_000).default(100_000).describe('`govstats serve`: most rows one answer may hold'),
  SERVE_MAX_SECONDS: count.max(3_600).default(30).describe('`govstats serve`: longest one query may run'),
  PRODUCER_HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('address the producer service (`govstats serve-producer`) listens on; 0.0.0.0 to take events from other hosts'),
  PRODUCER_PORT: port.default(8088).describe('port of the producer service'),
  PRODUCER_CALLERS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'YAML of the systems that may post events: a hashed key each, and the sources and division codes it may speak for (`govstats producer-key`); required to serve',
    ),
  PRODUCER_MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .default(4 * 1024 * 1024)
    .describe('producer service: larger request bodies are refused with 413'),
  PRODUCER_MAX_BATCH_EVENTS: count
    .max(100_000)
    .default(1_000)
    .describe('producer service: most events one batched request may carry (413 beyond)'),
  PRODUCER_MAX_PENDING_EVENTS: count
    .max(1_000_000)
    .default(20_000)
    .describe('producer service: events held while Kafka has not yet acknowledged them; a request that would exceed it gets 429'),
  PRODUCER_SEND_TIMEOUT_SECONDS: count
    .max(300)
    .default(10)
    .describe('producer service: longest wait for Kafka to acknowledge a request before it is answered 503'),
  PRODUCER_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('`govstats simulate`: the producer service to post to; default http://PRODUCER_HOST:PRODUCER_PORT'),
  PRODUCER_KEY: z
    .string()
    .min(20)
    .optional()
    .describe('`govstats simulate`: the key it posts with (or PRODUCER_KEY_FILE), one of PRODUCER_CALLERS_FILE'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino level'),
  LOG_DESTINATION: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['auto', 'stderr', 'file']))
    .default('auto')
    .describe(
      'where JSON logs go: auto (services — ingest, bulletin --serve, serve, serve-producer — to stderr; other commands to $GOVSTATS_HOME/logs/govstats-<command>.log), stderr, file',
    ),
  BENCH_RUNS: count.default(3).describe('`npm run bench`: runs of each measurement'),
  BENCH_SCENARIO: z
    .string()
    .min(1)
    .optional()
    .describe('`npm run bench`: scenario file of the measured stream; default services/bench/stream.yaml (~230k events)'),
  BENCH_FRESHNESS_SECONDS: count.default(20).describe('`npm run bench`: how long the freshness run publishes'),
  BENCH_LOAD_SECONDS: count
    .max(600)
    .default(15)
    .describe('`npm run bench`: seconds of each load level (capacity, 50%, 100%) on the producer service'),
  BENCH_QUERY_ROWS: count.default(10_000_000).describe('`npm run bench`: synthetic raw rows behind the query-latency run'),
  BENCH_HISTORY: z
    .string()
    .transform((s) => s.split(',').map((c) => Number(c.trim())))
    .pipe(z.array(z.number().int('each must be a whole number of events').min(0)).min(1))
    .default([0, 10_000_000, 100_000_000])
    .describe('`npm run bench`: prior events in the store (comma-separated) the history sweep measures on'),
  BENCH_QUICK: flag
    .default(false)
    .describe(
      '`npm run bench`: a quick round (~12 min): 1 run, history 0,1M,10M, 1M query rows, 10 s of freshness, 5 s a load level; variables set explicitly win',
    ),
});

export type Environment = z.infer<typeof environment>;
export type VariableName = keyof Environment;
export type EnvironmentSource = Readonly<Record<string, string | undefined>>;

/** Names of every variable govstats reads. */
export const VARIABLE_NAMES = Object.keys(environment.shape) as VariableName[];

/** What each variable is for (the `describe` text above). */
export function describeVariable(name: VariableName): string {
  return environment.shape[name].description ?? '';
}

/**
 * Secrets may come from a file instead (`<NAME>_FILE`), as Docker and Kubernetes secrets are
 * mounted, so a password need not sit in the environment or in a compose file.
 */
export const SECRET_VARIABLES = [
  'CLICKHOUSE_PASSWORD',
  'KAFKA_SASL_PASSWORD',
  'SERVE_PASSWORD',
  'PRODUCER_KEY',
] as const satisfies readonly VariableName[];

function isSecret(name: string): boolean {
  return (SECRET_VARIABLES as readonly string[]).includes(name);
}

/** A blank value counts as unset, so `FOO= command` falls back to the default. */
function valueOf(env: EnvironmentSource, name: string): string | undefined {
  const value = blankAsUnset(env[name]);
  if (!isSecret(name)) return value;
  const file = blankAsUnset(env[`${name}_FILE`]);
  if (file === undefined) return value;
  if (value !== undefined) throw invalid([`  ${name} and ${name}_FILE are both set: keep one`]);
  try {
    // One trailing newline is the editor's, not the secret's.
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw invalid([
      `  ${name}_FILE=${JSON.stringify(file)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    ]);
  }
}

function blankAsUnset(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function problem(env: EnvironmentSource, path: readonly PropertyKey[], message: string): string {
  const name = String(path[0]);
  // Never echo a secret into a log or a terminal.
  const shown = isSecret(name) ? '(hidden)' : JSON.stringify(env[name]);
  return `  ${path.map(String).join('.')}=${shown}: ${message}`;
}

function invalid(problems: string[]): Error {
  return new Error(
    `invalid configuration in the environment:\n${problems.join('\n')}\nFix or unset these variables (see README, "Configuration").`,
  );
}

/** Checks every variable at once; a bad value stops the process with all that is wrong. */
export function parseEnvironment(env: EnvironmentSource = process.env): Environment {
  const known = Object.fromEntries(VARIABLE_NAMES.map((name) => [name, valueOf(env, name)]));
  const parsed = environment.safeParse(known);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => problem(env, i.path, i.message)));
  return parsed.data;
}

/**
 * One variable, read when called rather than at import, so code that runs before a test or a
 * command changes the environment still sees the change (local-infra's ports and home).
 */
export function readVariable<Name extends VariableName>(name: Name, env: EnvironmentSource = process.env): Environment[Name] {
  const parsed = environment.shape[name].safeParse(valueOf(env, name));
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => problem(env, [name, ...i.path], i.message)));
  return parsed.data as Environment[Name];
}

/** Whether the variable is set at all: some defaults depend on the situation unless the user chose. */
export function isVariableSet(name: VariableName, env: EnvironmentSource = process.env): boolean {
  return valueOf(env, name) !== undefined;
}

/**
 * The environment a child process inherits: all of ours (its PATH, locale, JAVA_HOME and the
 * settings above), with `overrides` on top. The one place that copies process.env.
 */
export function childEnvironment(overrides: EnvironmentSource = {}, env: EnvironmentSource = process.env): NodeJS.ProcessEnv {
  return { ...env, ...overrides };
}
