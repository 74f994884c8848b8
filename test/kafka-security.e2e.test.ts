import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaSecurity } from '@govstats/config';
import { connectionOptionsOf, createKafka, createKafkaSink, explainKafkaFailure, KafkaAccessError } from '@govstats/kafka';
import { probeKafka, startKafka, stopKafka, type ScramUser } from '@govstats/local-infra';
import { EVENT_TYPES } from '@govstats/schemas';
import { queryPlaceFigures } from '@govstats/warehouse';
import { envelope, patrol } from './support/events.ts';
import { govstatsArgs } from './support/govstats-process.ts';
import { freePort } from './support/ports.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';
import { makeTestCertificates, type TestCertificates } from './support/tls-certificates.ts';

/*
 * The local broker in secure mode: a SASL_SSL listener (SCRAM-SHA-512 over TLS, certificate from
 * a private CA made here) and ACLs enforced. The real `govstats produce` and `govstats ingest`
 * run as their own least-privilege users, configured only through the environment.
 */

const VILLAGE = '411224104201';
const EVENTS = 200;
/** A misconfigured client must say so well before this (process start included). */
const FAIL_FAST_MS = 20_000;

const user = (name: string): ScramUser => ({ name, password: randomBytes(12).toString('hex') });
const admin = user('govstats-admin');
const producer = user('govstats-producer');
const ingest = user('govstats-ingest');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `govstats …` as a child process, to completion. */
function govstats(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, govstatsArgs(...args), {
      cwd: join(import.meta.dirname, '..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('Kafka over SASL_SSL with a private CA and ACLs', () => {
  let dir: string;
  let kafkaHome: string;
  let certificates: TestCertificates;
  let brokers: string[];
  let pipeline: TestPipeline;
  let eventsFile: string;

  let passwordFiles = 0;

  /** The environment of a `govstats` process that connects as `who`, its password in a file; undefined overrides unset. */
  function envFor(who: ScramUser, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const passwordFile = join(dir, `${who.name}-${++passwordFiles}.password`);
    writeFileSync(passwordFile, `${who.password}\n`, { mode: 0o600 });
    const env: NodeJS.ProcessEnv = {
      ...pipeline.childEnv,
      LOG_LEVEL: 'warn',
      INGEST_METRICS_PORT: '0',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_USERNAME: who.name,
      KAFKA_SASL_PASSWORD: undefined,
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
      KAFKA_SSL_CA_FILE: certificates.caFile,
      ...overrides,
    };
    return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  }

  function securityFor(who: ScramUser): KafkaSecurity {
    return {
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'scram-sha-512', username: who.name, password: who.password },
      ssl: { caFile: certificates.caFile },
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-kafka-security-'));
    kafkaHome = join(dir, 'kafka');
    certificates = await makeTestCertificates(join(dir, 'tls'));
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    ({ brokers } = await startKafka({ port, controllerPort, kafkaHome, security: { ...certificates, admin, users: [producer, ingest] } }));

    // The admin (a super user) creates the topics and the schema, then grants each user its part.
    pipeline = await openTestPipeline('kafka-security', { brokers, security: securityFor(admin) });
    const { topics, ingest: ingestConfig } = pipeline.config;
    const eventTopics = [...EVENT_TYPES.map((t) => topics.forEventType(t.name)), topics.unrouted];
    const allow = (type: AclResourceTypes, name: string, who: ScramUser, operation: AclOperationTypes): AclEntry => ({
      resourceType: type,
      resourceName: name,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: `User:${who.name}`,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    });
    const client = pipeline.kafka.admin();
    await client.connect();
    try {
      await client.createAcls({
        acl: [
          // The producer writes the event topics (and the unrouted one), nothing else.
          ...eventTopics.map((topic) => allow(AclResourceTypes.TOPIC, topic, producer, AclOperationTypes.WRITE)),
          // Ingest reads them as its consumer group and writes what it refuses to the dead-letter topic.
          ...eventTopics.map((topic) => allow(AclResourceTypes.TOPIC, topic, ingest, AclOperationTypes.READ)),
          allow(AclResourceTypes.GROUP, ingestConfig.groupId, ingest, AclOperationTypes.READ),
          allow(AclResourceTypes.TOPIC, topics.deadLetter, ingest, AclOperationTypes.WRITE),
        ],
      });
    } finally {
      await client.disconnect();
    }

    const grid = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;
    eventsFile = join(dir, 'events.ndjson');
    const lines = Array.from({ length: EVENTS }, (_, i) =>
      JSON.stringify(envelope(grid.name, `secure-${i}`, VILLAGE, '2024-06-03T10:00:00', patrol())),
    );
    // Not an event: it goes to the unrouted topic, and ingest dead-letters it.
    writeFileSync(eventsFile, [...lines, '{ not json'].join('\n') + '\n');
  }, 180_000);

  afterAll(async () => {
    await pipeline?.close();
    if (kafkaHome) await stopKafka({ kafkaHome });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('produces and ingests end to end, each process as its own user with its password in a file', async () => {
    const produced = await govstats(['produce', '--file', eventsFile], envFor(producer));
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stdout).toContain(`published ${EVENTS + 1} of ${EVENTS + 1} lines`);

    const ingested = await govstats(['ingest', '--until-idle'], envFor(ingest));
    expect(ingested.code, ingested.stderr).toBe(0);
    const stats = ingested.stdout.split('\n').find((line) => line.startsWith('{"batches"'));
    expect(JSON.parse(stats ?? '{}')).toMatchObject({ messages: EVENTS + 1, loaded: EVENTS, deadLettered: 1 });

    const grid = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;
    const figures = await queryPlaceFigures(pipeline.store, grid, {
      level: 'village',
      code: VILLAGE,
      from: '2024-06-03',
      to: '2024-06-03',
    });
    expect(figures.visits).toBe(EVENTS);
  }, 120_000);

  it('fails fast on a wrong password, even as a service that waits minutes for a broker that is away', async () => {
    const outcome = await govstats(['ingest'], envFor({ name: ingest.name, password: 'not-the-password' }));
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain(
      `Kafka refused user ${ingest.name}'s SCRAM-SHA-512 credentials: check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`,
    );
    expect(outcome.ms).toBeLessThan(FAIL_FAST_MS);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toContain('not-the-password');
  }, 60_000);

  it('fails fast when the CA that signed the broker certificate is not given', async () => {
    const outcome = await govstats(['produce', '--file', eventsFile], envFor(producer, { KAFKA_SSL_CA_FILE: undefined }));
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain(
      "the broker's TLS certificate is not signed by a CA we trust: set KAFKA_SSL_CA_FILE to the PEM of the CA that signed it",
    );
    expect(outcome.ms).toBeLessThan(FAIL_FAST_MS);
  }, 60_000);

  it('tells a plaintext client that the broker speaks TLS, as `govstats` checks before it connects', async () => {
    const started = Date.now();
    const plaintext = createKafka({ brokers, clientId: 'test-plaintext' });
    const probe = await probeKafka(brokers, 5_000, connectionOptionsOf(plaintext));
    expect(probe.healthy).toBe(false);
    const refused = await explainKafkaFailure(plaintext, probe.failure);
    expect(refused?.message).toContain(
      `the broker at ${brokers[0]} speaks TLS, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT: set KAFKA_SECURITY_PROTOCOL=SASL_SSL`,
    );
    expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
  });

  it('keeps the producer off the dead-letter topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
    const sink = await createKafkaSink(createKafka({ brokers, clientId: 'test-rogue-producer', security: securityFor(producer) }));
    try {
      const attempt = sink.send(pipeline.config.topics.deadLetter, [{ key: null, value: 'forged dead letter' }]);
      await expect(attempt).rejects.toThrow(KafkaAccessError);
      await expect(attempt).rejects.toThrow(
        `could not publish to ${pipeline.config.topics.deadLetter}: Kafka does not allow user ${producer.name} to use this topic (TOPIC_AUTHORIZATION_FAILED)`,
      );
    } finally {
      await sink.close();
    }
  }, 60_000);
});
