import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { KafkaAccessError, type KafkaClientSecurity, type KafkaConnectionOptions } from './security.ts';

/**
 * The one place that turns KafkaJS's connection and authentication failures into sentences
 * saying what to fix. KafkaJS retries a refused TLS handshake like a lost connection (for most
 * of a minute with our retry settings), and its own words ("self-signed certificate in
 * certificate chain", "Closed connection") do not name a setting.
 */

export interface ClientAccess {
  brokers: string[];
  security: KafkaClientSecurity;
  connection: KafkaConnectionOptions;
}

/** How long a diagnostic TLS handshake may take: a broker that does not answer in that time is not diagnosed. */
const HANDSHAKE_TIMEOUT_MS = 5_000;

/** Node's codes for a certificate chain that does not lead to a CA we trust. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const OUTDATED_CERTIFICATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

interface Facts {
  name: string;
  type: string;
  code: string;
  message: string;
}

/** The error and everything it wraps (KafkaJS nests the real failure in `cause`, or in `errors` for several topics). */
function factsOf(error: unknown, depth = 0): Facts[] {
  if (!error || typeof error !== 'object' || depth > 5) return [];
  const { name = '', type = '', code = '', message = '', cause, errors } = error as Record<string, unknown>;
  const own = { name: String(name), type: String(type), code: String(code), message: String(message) };
  const nested = [...(cause && cause !== error ? [cause] : []), ...(Array.isArray(errors) ? errors : [])];
  return [own, ...nested.flatMap((inner) => factsOf(inner, depth + 1))];
}

/**
 * A KafkaAccessError when `error` means Kafka will not let this client in however long it
 * waits, else undefined (the broker may just be away, and waiting for it is right).
 */
export async function explainAccessFailure(error: unknown, access: ClientAccess): Promise<KafkaAccessError | undefined> {
  if (error instanceof KafkaAccessError) return error;
  const facts = factsOf(error);
  const any = (test: (f: Facts) => boolean) => facts.some(test);
  const { security } = access;
  const user = security.sasl?.username ?? '(none)';
  const mechanism = (security.sasl?.mechanism ?? 'scram-sha-512').toUpperCase();

  const refused = facts.find((f) => f.name === 'KafkaJSSASLAuthenticationError' || f.type === 'SASL_AUTHENTICATION_FAILED');
  if (refused) {
    return new KafkaAccessError(
      `Kafka refused user ${user}'s ${mechanism} credentials: check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE). Kafka said: ${refused.message}`,
    );
  }
  if (any((f) => f.type === 'UNSUPPORTED_SASL_MECHANISM')) {
    return new KafkaAccessError(
      `Kafka does not offer ${mechanism} on this listener: set KAFKA_SASL_MECHANISM to a mechanism it has enabled`,
    );
  }
  const certificate = certificateProblem(facts, security);
  if (certificate) return new KafkaAccessError(certificate);
  const authorization = authorizationProblem(facts, user);
  if (authorization) return new KafkaAccessError(authorization);
  if (security.protocol !== 'PLAINTEXT' && any((f) => isNotTls(f))) {
    // A broker shutting down can also drop a handshake half-way: ask again before calling it plaintext.
    const plaintext = await firstNotSpeakingTls(access.brokers);
    if (plaintext) return new KafkaAccessError(notTls([plaintext]));
  }
  if (security.protocol === 'PLAINTEXT' && any((f) => /closed connection|ECONNRESET|socket hang up|request timed out/i.test(f.message))) {
    // A plaintext request to a TLS listener is dropped without a word: ask the broker whether it speaks TLS.
    const tls = await firstSpeakingTls(access.brokers);
    if (tls) {
      return new KafkaAccessError(
        `the broker at ${tls} speaks TLS, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT: set KAFKA_SECURITY_PROTOCOL=SASL_SSL ` +
          '(with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD) or SSL, and KAFKA_SSL_CA_FILE to the PEM of the CA that signed its certificate',
      );
    }
  }
  return undefined;
}

function certificateProblem(facts: Facts[], security: KafkaClientSecurity): string | undefined {
  const caFile = security.ssl?.caFile;
  const untrusted = facts.some(
    (f) =>
      UNTRUSTED_CERTIFICATE.has(f.code) ||
      /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i.test(f.message),
  );
  if (untrusted) {
    return (
      "the broker's TLS certificate is not signed by a CA we trust: set KAFKA_SSL_CA_FILE to the PEM of the CA that signed it" +
      (caFile ? ` (KAFKA_SSL_CA_FILE=${caFile} is set, but that CA did not sign the certificate the broker showed)` : '')
    );
  }
  const altname = facts.find((f) => f.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames/i.test(f.message));
  if (altname) {
    return (
      "the broker's TLS certificate is not issued for the address we connect to: list the brokers in KAFKA_BROKERS by a name or IP " +
      `address its certificate carries, or reissue the certificate for that address (${altname.message.replace(/^Connection error: /, '')})`
    );
  }
  if (facts.some((f) => OUTDATED_CERTIFICATE.has(f.code) || /certificate has expired|certificate is not yet valid/i.test(f.message))) {
    return "the broker's TLS certificate has expired or is not valid yet: renew it (or check this host's clock)";
  }
  return undefined;
}

function authorizationProblem(facts: Facts[], user: string): string | undefined {
  const denied = facts.find((f) => /_AUTHORIZATION_FAILED$/.test(f.type));
  if (!denied) return undefined;
  const what: Record<string, string> = {
    TOPIC_AUTHORIZATION_FAILED: 'use this topic',
    GROUP_AUTHORIZATION_FAILED: 'use this consumer group',
    CLUSTER_AUTHORIZATION_FAILED: 'do this on the cluster',
    TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'use this transactional id',
  };
  return (
    `Kafka does not allow user ${user} to ${what[denied.type] ?? 'do this'} (${denied.type}): ` +
    'grant the ACLs listed for it in infra/kafka/SECURITY.md, or connect as the principal meant for this work'
  );
}

function isNotTls(f: Facts): boolean {
  return /wrong version number|before secure TLS connection was established|packet length too long|EPROTO/i.test(`${f.code} ${f.message}`);
}

function notTls(brokers: string[]): string {
  return (
    `the broker at ${brokers.join(', ')} does not answer in TLS: if its listener is plaintext set KAFKA_SECURITY_PROTOCOL=PLAINTEXT, ` +
    'otherwise list its TLS (SSL or SASL_SSL) listener in KAFKA_BROKERS'
  );
}

export function splitBroker(broker: string): { host: string; port: number } {
  const at = broker.lastIndexOf(':');
  return { host: broker.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(broker.slice(at + 1)) };
}

type Handshake =
  { outcome: 'trusted' } | { outcome: 'refused'; error: Error & { code?: string }; connected: boolean } | { outcome: 'silent' };

/** One TLS handshake with `broker`, nothing sent after it. */
function handshake(broker: string, options: ConnectionOptions): Promise<Handshake> {
  const { host, port } = splitBroker(broker);
  return new Promise((resolve) => {
    let connected = false;
    const socket = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...options });
    const done = (result: Handshake) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ outcome: 'silent' }), HANDSHAKE_TIMEOUT_MS);
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => done({ outcome: 'trusted' }));
    socket.once('error', (error) => done({ outcome: 'refused', error, connected }));
  });
}

async function firstSpeakingTls(brokers: string[]): Promise<string | undefined> {
  for (const broker of brokers) {
    // Only whether the listener speaks TLS at all: whose certificate it is does not matter here.
    if ((await handshake(broker, { rejectUnauthorized: false })).outcome === 'trusted') return broker;
  }
  return undefined;
}

async function firstNotSpeakingTls(brokers: string[]): Promise<string | undefined> {
  for (const broker of brokers) {
    const result = await handshake(broker, { rejectUnauthorized: false });
    if (result.outcome === 'refused' && result.connected && isNotTls(factsOf(result.error)[0]!)) return broker;
  }
  return undefined;
}

/**
 * Before the first KafkaJS connection of a TLS client: one handshake with the bootstrap brokers,
 * so an untrusted certificate or a plaintext listener is reported at once instead of after a
 * minute of KafkaJS retries. A broker that is down or silent decides nothing: KafkaJS then waits
 * for it as usual. Resolves true once a broker proved trustworthy.
 */
export async function checkBrokerCertificates(access: ClientAccess): Promise<boolean> {
  if (!access.connection.ssl) return true;
  for (const broker of access.brokers) {
    const result = await handshake(broker, access.connection.ssl);
    if (result.outcome === 'trusted') return true;
    if (result.outcome !== 'refused') continue;
    const explained = certificateProblem(factsOf(result.error), access.security);
    if (explained) throw new KafkaAccessError(`${explained} (broker ${broker})`);
    if (result.connected && isNotTls(factsOf(result.error)[0]!)) {
      throw new KafkaAccessError(notTls([broker]));
    }
  }
  return false;
}
