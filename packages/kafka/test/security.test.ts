import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, KafkaAccessError, kafkaConnectionOptions, type KafkaClientSecurity } from '../src/index.ts';

/*
 * What the client settings turn into before any connection (the connections themselves, against a
 * real broker on SASL_SSL, are in test/kafka-security.e2e.test.ts).
 */

const dir = mkdtempSync(join(tmpdir(), 'govstats-kafka-security-unit-'));
const ca = join(dir, 'ca.pem');
const notPem = join(dir, 'ca.der');
const key = join(dir, 'client.key');
const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2F0\n-----END CERTIFICATE-----\n';
writeFileSync(ca, CERTIFICATE);
writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0xb3]));
writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sasl = (username?: string, password?: string): KafkaClientSecurity => ({
  protocol: 'SASL_SSL',
  sasl: { mechanism: 'scram-sha-512', username, password },
  ssl: { caFile: ca },
});

describe('Kafka client security settings', () => {
  it('adds nothing for PLAINTEXT, so the default client is built as before', () => {
    expect(kafkaConnectionOptions({ protocol: 'PLAINTEXT' })).toEqual({});
    expect(kafkaConnectionOptions()).toEqual({});
  });

  it('checks certificates against the private CA read from KAFKA_SSL_CA_FILE', () => {
    expect(kafkaConnectionOptions({ protocol: 'SSL', ssl: { caFile: ca } })).toEqual({
      ssl: { rejectUnauthorized: true, ca: [CERTIFICATE] },
    });
  });

  it("trusts the system's CAs when no CA file is given, still verifying", () => {
    expect(kafkaConnectionOptions({ protocol: 'SSL', ssl: {} })).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it('authenticates with the configured SCRAM mechanism under SASL_SSL', () => {
    expect(kafkaConnectionOptions(sasl('ingest', 's3cret-pass')).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'ingest',
      password: 's3cret-pass',
    });
  });

  it('names the variables when the SASL user is incomplete', () => {
    expect(() => kafkaConnectionOptions(sasl(undefined, 's3cret-pass'))).toThrow(
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs a user: set KAFKA_SASL_USERNAME',
    );
    expect(() => kafkaConnectionOptions(sasl('ingest'))).toThrow(
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs a user: set KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)',
    );
  });

  it('names KAFKA_SSL_CA_FILE when the CA cannot be read or is not PEM, at start-up', () => {
    const missing = join(dir, 'missing.pem');
    const build = (caFile: string) => () =>
      createKafka({ brokers: ['127.0.0.1:9'], clientId: 't', security: { protocol: 'SSL', ssl: { caFile } } });
    expect(build(missing)).toThrow(KafkaAccessError);
    expect(build(missing)).toThrow(`invalid configuration:\n  KAFKA_SSL_CA_FILE="${missing}": cannot read it (ENOENT)`);
    expect(build(notPem)).toThrow(`KAFKA_SSL_CA_FILE="${notPem}": no PEM certificate in it`);
  });

  it('wants a client certificate and its key together', () => {
    expect(() => kafkaConnectionOptions({ protocol: 'SSL', ssl: { caFile: ca, keyFile: key } })).toThrow(
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together',
    );
    expect(kafkaConnectionOptions({ protocol: 'SSL', ssl: { certFile: ca, keyFile: key } }).ssl).toMatchObject({
      cert: CERTIFICATE,
      key: expect.stringContaining('BEGIN PRIVATE KEY'),
    });
  });

  it('never puts the password into an error', () => {
    let message = '';
    try {
      kafkaConnectionOptions({
        protocol: 'SASL_SSL',
        sasl: { mechanism: 'scram-sha-512', password: 'hunter2-hunter2' },
        ssl: { caFile: join(dir, 'gone.pem') },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('KAFKA_SSL_CA_FILE');
    expect(message).not.toContain('hunter2');
  });
});
