import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { createLogger } from '@govstats/log';
import { checkBrokerCertificates, explainAccessFailure, type ClientAccess } from './access-failures.ts';
import { KafkaAccessError, kafkaConnectionOptions, PLAINTEXT, type KafkaClientSecurity, type KafkaConnectionOptions } from './security.ts';

/** KafkaJS's own records, apart from ours: `component: kafkajs` in the log. */
const kafkajsLog = createLogger('kafkajs');

const LEVEL_NAMES: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * KafkaJS logs through pino, a step down: its errors and warnings are mostly what it retries by
 * itself ("The coordinator is loading", a leader moving), and what does not recover reaches our
 * code as a thrown error, which says it in our words. So its records are kept (level `info`,
 * with `kafkajsLevel` saying what KafkaJS called them) but never shown to a person as a warning.
 */
function kafkaLogCreator() {
  return ({ level, log: entry }: LogEntry) => {
    const { message, ...rest } = entry;
    const kafkajsLevel = LEVEL_NAMES[level] ?? 'info';
    const record = { ...rest, kafkajsLevel };
    if (level <= logLevel.WARN) kafkajsLog.info(record, message);
    else kafkajsLog.debug(record, message);
  };
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** config.kafka.security; default PLAINTEXT. */
  security?: KafkaClientSecurity;
}

interface Access extends ClientAccess {
  /** Set once a TLS client has seen a broker certificate it trusts. */
  certificatesChecked: boolean;
}

/** What each client was built with, for explaining its failures (a KafkaJS client does not tell). */
const accessOf = new WeakMap<Kafka, Access>();

/**
 * A KafkaJS client. Under SSL or SASL_SSL the CA (and client certificate) files are read and the
 * SASL user checked here, at start-up: a configuration mistake fails before any connection.
 */
export function createKafka({ brokers, clientId, security = PLAINTEXT }: KafkaOptions): Kafka {
  const connection = kafkaConnectionOptions(security);
  const kafka = new Kafka({
    clientId,
    brokers,
    ...connection,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    connectionTimeout: 5_000,
    retry: { initialRetryTime: 200, retries: 8 },
  });
  accessOf.set(kafka, { brokers, security, connection, certificatesChecked: false });
  return kafka;
}

function access(kafka: Kafka): Access {
  // A client built elsewhere (a test's own new Kafka()) is taken as plaintext.
  return accessOf.get(kafka) ?? { brokers: [], security: PLAINTEXT, connection: {}, certificatesChecked: true };
}

/** The TLS and SASL options `kafka` was built with, for a probe that must reach the same brokers the same way. */
export function connectionOptionsOf(kafka: Kafka): KafkaConnectionOptions {
  return access(kafka).connection;
}

/**
 * A KafkaAccessError saying what to fix when `error` (from any KafkaJS call of `kafka`'s
 * clients, or from a probe of the same brokers) means Kafka will not let this client in;
 * undefined when waiting for the broker may help.
 */
export function explainKafkaFailure(kafka: Kafka, error: unknown): Promise<KafkaAccessError | undefined> {
  return explainAccessFailure(error, access(kafka));
}

/**
 * Connects an admin, producer or consumer of `kafka`. A TLS client first checks the brokers'
 * certificate with one handshake (KafkaJS would retry an untrusted one for most of a minute);
 * failures that waiting cannot fix come back as a KafkaAccessError that says what to fix.
 */
export async function connectClient(kafka: Kafka, client: { connect(): Promise<void> }): Promise<void> {
  const details = access(kafka);
  try {
    if (!details.certificatesChecked) details.certificatesChecked = await checkBrokerCertificates(details);
    await client.connect();
  } catch (error) {
    throw (await explainAccessFailure(error, details)) ?? error;
  }
}
