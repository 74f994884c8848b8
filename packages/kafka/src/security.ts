import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '@govstats/config';

/** How clients authenticate to Kafka and check its certificates: `config.kafka.security`. */
export type KafkaClientSecurity = KafkaSecurity;

export const PLAINTEXT: KafkaClientSecurity = { protocol: 'PLAINTEXT' };

/** What KafkaJS (and a bare TLS socket) needs to reach the brokers as configured. */
export interface KafkaConnectionOptions {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

/**
 * Kafka will not let this client in, and retrying will not change that: wrong credentials, a
 * certificate we do not trust, a protocol the broker does not speak. The message says what to fix.
 */
export class KafkaAccessError extends Error {
  override name = 'KafkaAccessError';
}

/**
 * The TLS and SASL options for KafkaJS, read and checked once at start-up: an unreadable CA file
 * or a missing user name fails here, naming the variable, rather than at the first connection.
 * The result holds the password: never log it.
 */
export function kafkaConnectionOptions(security: KafkaClientSecurity = PLAINTEXT): KafkaConnectionOptions {
  if (security.protocol === 'PLAINTEXT') return {};
  const options: KafkaConnectionOptions = { ssl: tlsOptions(security.ssl ?? {}) };
  if (security.protocol === 'SASL_SSL') options.sasl = saslOptions(security.sasl);
  return options;
}

function tlsOptions(ssl: NonNullable<KafkaClientSecurity['ssl']>): ConnectionOptions {
  if (Boolean(ssl.certFile) !== Boolean(ssl.keyFile)) {
    throw misconfigured('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (a client certificate and its key): set both or neither');
  }
  // Without a CA file Node trusts its built-in public CAs, which is right for a broker with a public certificate.
  return {
    rejectUnauthorized: true,
    ...(ssl.caFile ? { ca: [readPem('KAFKA_SSL_CA_FILE', ssl.caFile, 'CERTIFICATE')] } : {}),
    ...(ssl.certFile ? { cert: readPem('KAFKA_SSL_CERT_FILE', ssl.certFile, 'CERTIFICATE') } : {}),
    ...(ssl.keyFile ? { key: readPem('KAFKA_SSL_KEY_FILE', ssl.keyFile, 'PRIVATE KEY') } : {}),
  };
}

function saslOptions(sasl: KafkaClientSecurity['sasl']): SASLOptions {
  const missing = [
    ...(sasl?.username ? [] : ['KAFKA_SASL_USERNAME']),
    ...(sasl?.password ? [] : ['KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)']),
  ];
  if (missing.length > 0 || !sasl?.username || !sasl.password) {
    throw misconfigured(`KAFKA_SECURITY_PROTOCOL=SASL_SSL needs a user: set ${missing.join(' and ')}`);
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

/** A PEM file's text, or an error naming the variable that points at it. */
function readPem(variable: string, file: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw misconfigured(`${variable}=${JSON.stringify(file)}: cannot read it (${code}); point it at a readable PEM file`);
  }
  // "PRIVATE KEY" also matches "RSA PRIVATE KEY" and "EC PRIVATE KEY".
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    throw misconfigured(`${variable}=${JSON.stringify(file)}: no PEM ${kind.toLowerCase()} in it (a "-----BEGIN ${kind}-----" block)`);
  }
  return text;
}

/** Worded like the configuration package's errors, so the CLI prints it plainly. */
function misconfigured(problem: string): KafkaAccessError {
  return new KafkaAccessError(`invalid configuration:\n  ${problem}`);
}
