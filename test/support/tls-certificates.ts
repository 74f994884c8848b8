import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  /** PEM of the private CA: what clients put in KAFKA_SSL_CA_FILE. */
  caFile: string;
  /** PKCS12 keystore with the broker's key and its certificate chain (broker ← CA). */
  keystoreFile: string;
  keystorePassword: string;
}

/**
 * A private CA and a broker certificate it signed for 127.0.0.1 and localhost, in the files a
 * broker and its clients use: the CA as PEM, the broker's key and chain as a PKCS12 keystore.
 * Made with openssl (a handful of JVM starts of keytool take longer than the broker's own start
 * on a busy machine). Valid for two days: only for a test.
 */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const keystorePassword = randomBytes(12).toString('hex');
  writeFileSync(
    file('broker.ext'),
    [
      'subjectAltName = IP:127.0.0.1, DNS:localhost',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth, clientAuth',
      '',
    ].join('\n'),
  );
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });

  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=govstats test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost');
  await openssl(
    'x509',
    '-req',
    '-in',
    'broker.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'broker.ext',
    '-out',
    'broker.pem',
  );
  await openssl(
    'pkcs12',
    '-export',
    '-in',
    'broker.pem',
    '-inkey',
    'broker.key',
    '-certfile',
    'ca.pem',
    '-name',
    'broker',
    '-out',
    'broker.p12',
    '-passout',
    `pass:${keystorePassword}`,
  );
  if (!readFileSync(file('ca.pem'), 'utf8').includes('BEGIN CERTIFICATE'))
    throw new Error(`openssl wrote no PEM certificate to ${file('ca.pem')}`);
  return { caFile: file('ca.pem'), keystoreFile: file('broker.p12'), keystorePassword };
}
