import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, SECRET_VARIABLES, VARIABLE_NAMES } from '@govstats/config';
import { CLICKHOUSE_DOCKER_IMAGE, KAFKA_DOCKER_IMAGE } from '@govstats/local-infra';
import { everyNodeClusterName, parseAccessFile, sha256Hex } from '@govstats/warehouse';
import { parseCallers } from '../services/producer/src/index.ts';
import { brokerSettings } from '../packages/local-infra/src/kafka/broker-config.ts';

/*
 * docker-compose.yml is not run by any other test (there may be no Docker engine), so this keeps it
 * consistent with the code it deploys: the images local-infra uses, the settings packages/config
 * reads, the wiring between the services, and the ClickHouse cluster config in infra/clickhouse/.
 */

const ROOT = join(import.meta.dirname, '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

type EnvironmentValue = string | number | boolean | null;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, EnvironmentValue> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | number | { target?: number }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  restart?: string;
  profiles?: string[];
  hostname?: string;
  entrypoint?: string | string[];
  command?: string | string[];
  secrets?: Array<string | { source: string; target?: string }>;
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string; environment?: string; external?: boolean }>;
}

/**
 * Compose substitutes ${NAME:-default} / ${NAME-default} from the shell; the checks use the
 * defaults (what a fresh checkout gets). A variable without a default would become '' with only a
 * warning, so it fails here. `$$` is a literal `$`.
 */
function interpolate(value: string): string {
  return value.replace(/\$(?:(\$)|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_match, dollar?: string, braced?: string, bare?: string) => {
    if (dollar) return '$';
    const expression = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(braced ?? bare ?? '');
    if (!expression) throw new Error(`docker-compose.yml: cannot interpolate "${value}"`);
    const [, name, operator, argument = ''] = expression;
    if (operator === ':-' || operator === '-') return argument;
    throw new Error(`docker-compose.yml: \${${name}${operator ?? ''}…} in "${value}" needs a default (\${${name}:-value})`);
  });
}

function interpolateAll(node: unknown): unknown {
  if (typeof node === 'string') return interpolate(node);
  if (Array.isArray(node)) return node.map(interpolateAll);
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v)]));
  return node;
}

function loadCompose(): ComposeFile {
  const document = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
  return interpolateAll(document) as ComposeFile;
}

const compose = loadCompose();
const services = compose.services;

/** The services built from this repository: the govstats CLI. */
const appServices = Object.entries(services).filter(([, service]) => service.build !== undefined);

/** The app services that talk to ClickHouse: all but the producer service, which only writes to Kafka. */
const warehouseServices = appServices.filter(([, service]) => [service.command ?? []].flat()[0] !== 'serve-producer');

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no "${name}" service`);
  return found;
}

/** The environment a service's process sees from compose (list or map form; null = passed through from the host, so unset here). */
function environmentOf(svc: Service): Record<string, string> {
  const raw = svc.environment ?? {};
  const entries: Array<[string, EnvironmentValue | undefined]> = Array.isArray(raw)
    ? raw.map((item) => {
        const at = item.indexOf('=');
        return at < 0 ? [item, undefined] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(raw);
  return Object.fromEntries(entries.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]));
}

function requireEnv(env: Record<string, string>, name: string, where: string): string {
  const value = env[name];
  if (value === undefined) throw new Error(`${where} does not set ${name}`);
  return value;
}

/** "registry:5000/org/name:tag@sha256:…" → its tag and digest. */
function imageReference(image: string): { tag?: string; digest?: string } {
  const [nameAndTag = '', digest] = image.split('@');
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  return { tag: colon < 0 ? undefined : nameAndTag.slice(colon + 1), digest };
}

interface Listener {
  name: string;
  host: string;
  port: number;
}

/** "PLAINTEXT://kafka:9092,CONTROLLER://:9093" → listeners. */
function parseListeners(value: string): Listener[] {
  return value.split(',').map((entry) => {
    const match = /^([A-Za-z_][A-Za-z0-9_]*):\/\/([^:]*):(\d+)$/.exec(entry.trim());
    if (!match) throw new Error(`not a Kafka listener: "${entry}"`);
    return { name: match[1]!, host: match[2]!, port: Number(match[3]) };
  });
}

/** What the apache/kafka image turns into a server property: KAFKA_FOO_BAR → foo.bar (`___` → `_`, `__` → `-`). */
function kafkaImageVariable(property: string): string {
  return `KAFKA_${property.replace(/_/g, '___').replace(/-/g, '__').replace(/\./g, '_').toUpperCase()}`;
}

function dependenciesOf(svc: Service): Record<string, string> {
  const raw = svc.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([name, spec]) => [name, spec?.condition ?? 'service_started']));
}

function hasHealthcheck(svc: Service): boolean {
  const test = svc.healthcheck?.test;
  if (!test || svc.healthcheck?.disable) return false;
  const words = Array.isArray(test) ? test : [test];
  return words.length > 0 && words[0] !== 'NONE';
}

/** Container ports a service publishes or exposes. */
function containerPorts(svc: Service): number[] {
  const published = (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.target);
    const spec = String(port).split('/')[0]!; // drop /tcp
    return Number(spec.split(':').at(-1));
  });
  return [...published, ...(svc.expose ?? []).map((port) => Number(String(port).split('/')[0]))];
}

/** Keys of the zod `environment` object in packages/config, and the `*_FILE` form of its secrets: every variable govstats reads. */
function configVariableNames(): string[] {
  return [...VARIABLE_NAMES, ...SECRET_VARIABLES.map((name) => `${name}_FILE`)];
}

/** Names of the Docker secrets a service mounts (at /run/secrets/<name>). */
function secretsOf(svc: Service): string[] {
  return (svc.secrets ?? []).map((secret) => {
    if (typeof secret === 'string') return secret;
    expect(secret.target, `secret ${secret.source} keeps its default path`).toBeUndefined();
    return secret.source;
  });
}

/** The secret a `*_FILE` variable names: /run/secrets/<name> → <name>. */
function secretNamed(path: string | undefined): string | undefined {
  return /^\/run\/secrets\/([A-Za-z0-9_.-]+)$/.exec(path ?? '')?.[1];
}

const scratch = mkdtempSync(join(tmpdir(), 'govstats-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment with each `*_FILE` pointing at a stand-in file here, holding `stand-in <secret>`. */
function withStandInSecrets(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => {
      const secret = name.endsWith('_FILE') ? secretNamed(value) : undefined;
      if (!secret) return [name, value];
      const file = join(scratch, secret);
      writeFileSync(file, `stand-in ${secret}\n`);
      return [name, file];
    }),
  );
}

function buildPaths(svc: Service): { context: string; dockerfile: string } {
  const build = typeof svc.build === 'string' ? { context: svc.build } : (svc.build ?? {});
  const context = resolve(dirname(COMPOSE_FILE), build.context ?? '.');
  return { context, dockerfile: resolve(context, build.dockerfile ?? 'Dockerfile') };
}

function composeAvailable(): boolean {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

/** Services started without naming a profile, and those of one profile. */
function inProfile(profile: string | undefined): Array<[string, Service]> {
  return Object.entries(services).filter(([, svc]) => (profile === undefined ? !svc.profiles?.length : svc.profiles?.includes(profile)));
}

/** A bind mount's file on this machine, by the path it is mounted at in the container. */
function mountedFile(svc: Service, target: string): string | undefined {
  for (const volume of svc.volumes ?? []) {
    if (typeof volume !== 'string') continue;
    const [source = '', at] = volume.split(':');
    if (at === target && /^[./]/.test(source)) return resolve(dirname(COMPOSE_FILE), source);
  }
  return undefined;
}

/** The text of each `<tag>…</tag>` in `xml` (config files here never nest a tag in itself). */
function xmlElements(xml: string, tag: string): string[] {
  return [...xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
    m[1]!.trim(),
  );
}

function xmlElement(xml: string, tag: string): string {
  const [first, ...others] = xmlElements(xml, tag);
  if (first === undefined || others.length > 0)
    throw new Error(`expected one <${tag}>, found ${others.length + (first === undefined ? 0 : 1)}`);
  return first;
}

/** The one Kafka listener named after its service: how the compose network reaches that broker. */
function inNetworkListener(name: string): Listener {
  const env = environmentOf(service(name));
  const listeners = parseListeners(requireEnv(env, 'KAFKA_ADVERTISED_LISTENERS', name)).filter((l) => l.host === name);
  if (listeners.length !== 1) throw new Error(`${name} advertises ${listeners.length} listeners named after itself, expected one`);
  return listeners[0]!;
}

const kafkaBrokers = Object.entries(services).filter(([, svc]) => svc.image?.startsWith('apache/kafka:'));
/** The keepers run the server image with the `clickhouse keeper` entrypoint. */
const isKeeper = (svc: Service) => [svc.entrypoint ?? []].flat().includes('keeper');
const clickhouseServers = Object.entries(services).filter(([, svc]) => svc.image?.startsWith('clickhouse/') && !isKeeper(svc));
const keepers = Object.entries(services).filter(([, svc]) => svc.image?.startsWith('clickhouse/') && isKeeper(svc));

describe('docker-compose.yml', () => {
  it('has the expected services: the default stack, and the ClickHouse cluster under the `cluster` profile', () => {
    expect(
      inProfile(undefined)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['bulletin', 'clickhouse', 'grafana', 'ingest', 'kafka-1', 'kafka-2', 'kafka-3', 'migrate', 'producer', 'prometheus']);
    expect(
      inProfile('cluster')
        .map(([name]) => name)
        .sort(),
    ).toEqual([
      'bulletin-cluster',
      'clickhouse-keeper-1',
      'clickhouse-keeper-2',
      'clickhouse-keeper-3',
      'clickhouse-s1-r1',
      'clickhouse-s1-r2',
      'clickhouse-s2-r1',
      'clickhouse-s2-r2',
      'ingest-cluster',
      'migrate-cluster',
    ]);
    expect(
      Object.entries(services).filter(([, svc]) => (svc.profiles ?? []).some((p) => p !== 'cluster')),
      'no other profiles',
    ).toEqual([]);
    expect(appServices.map(([name]) => name).sort()).toEqual([
      'bulletin',
      'bulletin-cluster',
      'ingest',
      'ingest-cluster',
      'migrate',
      'migrate-cluster',
      'producer',
    ]);
  });

  it('pins every image to an explicit tag other than latest, unless the service is built', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.build !== undefined) continue;
      expect(svc.image, `${name} has neither image nor build`).toBeTypeOf('string');
      const { tag, digest } = imageReference(svc.image!);
      expect(tag !== undefined || digest !== undefined, `${name}: image ${svc.image} has no tag`).toBe(true);
      expect(tag, `${name}: image ${svc.image}`).not.toBe('latest');
    }
  });

  it('runs Kafka and ClickHouse (servers and keepers) from the same images as local-infra', () => {
    expect(kafkaBrokers.map(([name]) => name)).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
    for (const [name, svc] of kafkaBrokers) expect(svc.image, name).toBe(KAFKA_DOCKER_IMAGE);
    expect(clickhouseServers.length + keepers.length).toBe(8);
    for (const [name, svc] of [...clickhouseServers, ...keepers]) expect(svc.image, name).toBe(CLICKHOUSE_DOCKER_IMAGE);
  });

  it('starts services only after what they depend on is ready, never on a service of a profile it is not in', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependenciesOf(svc))) {
        expect(Object.keys(services), `${name} depends on "${target}"`).toContain(target);
        expect(['service_started', 'service_healthy', 'service_completed_successfully'], `${name} → ${target}`).toContain(condition);
        if (condition === 'service_healthy')
          expect(hasHealthcheck(services[target]!), `${target} needs a healthcheck (${name} waits for it)`).toBe(true);
        // A service that restarts whenever it exits never "completes".
        if (condition === 'service_completed_successfully')
          expect(services[target]!.restart ?? 'no', `${target} restart policy`).toBe('no');
        // Without the profile the dependency would not exist; with it, an unprofiled one always does.
        for (const profile of services[target]!.profiles ?? [])
          expect(svc.profiles ?? [], `${name} → ${target} (profile ${profile})`).toContain(profile);
      }
    }
    const kafka = { 'kafka-1': 'service_healthy', 'kafka-2': 'service_healthy', 'kafka-3': 'service_healthy' };
    const nodes = Object.fromEntries(
      clickhouseServers.filter(([, svc]) => svc.profiles?.includes('cluster')).map(([name]) => [name, 'service_healthy']),
    );
    expect(dependenciesOf(service('migrate'))).toEqual({ clickhouse: 'service_healthy' });
    expect(dependenciesOf(service('ingest'))).toEqual({ ...kafka, migrate: 'service_completed_successfully' });
    expect(dependenciesOf(service('bulletin'))).toEqual({ migrate: 'service_completed_successfully' });
    expect(dependenciesOf(service('migrate-cluster'))).toEqual(nodes);
    expect(dependenciesOf(service('ingest-cluster'))).toEqual({ ...kafka, 'migrate-cluster': 'service_completed_successfully' });
    expect(dependenciesOf(service('bulletin-cluster'))).toEqual({ 'migrate-cluster': 'service_completed_successfully' });
  });

  it('declares every named volume the services mount, and every bind-mounted file exists', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, svc] of Object.entries(services)) {
      for (const volume of svc.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        const isBind = /^[./~]/.test(source) || (typeof volume !== 'string' && volume.type === 'bind');
        if (isBind) expect(existsSync(resolve(dirname(COMPOSE_FILE), source)), `${name} mounts ${source}`).toBe(true);
        else if (source !== '') expect(declared, `${name} mounts volume "${source}"`).toContain(source);
      }
    }
  });

  it('builds the app services from a Dockerfile that exists, pins its base image and pnpm', () => {
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager?: string };
    const pnpm = /^pnpm@(\d+\.\d+\.\d+)/.exec(packageJson.packageManager ?? '')?.[1];
    expect(pnpm, 'packageManager in package.json').toBeDefined();
    for (const [name, svc] of appServices) {
      const { context, dockerfile } = buildPaths(svc);
      expect(existsSync(join(context, 'pnpm-lock.yaml')), `${name}: build context ${context} is the repository root`).toBe(true);
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const text = readFileSync(dockerfile, 'utf8');
      const bases = [...text.matchAll(/^FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)].map((m) => m[1]!);
      expect(bases.length, `${name}: FROM lines`).toBeGreaterThan(0);
      for (const base of bases) {
        const { tag, digest } = imageReference(base);
        expect(tag !== undefined || digest !== undefined, `${name}: base image ${base} has no tag`).toBe(true);
        expect(tag, `${name}: base image ${base}`).not.toBe('latest');
      }
      expect(text, `${name}: Dockerfile installs pnpm@${pnpm}`).toContain(`pnpm@${pnpm}`);
      expect(text).toMatch(/pnpm install\b[^\n]*--frozen-lockfile/);
    }
  });

  it('sets only environment variables packages/config reads, with values it accepts', () => {
    const known = configVariableNames();
    expect(known).toEqual(
      expect.arrayContaining(['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'CLICKHOUSE_DATABASE', 'CLICKHOUSE_CLUSTER', 'CLICKHOUSE_REPLICATED']),
    );
    for (const [name, svc] of appServices) {
      const env = environmentOf(svc);
      for (const variable of Object.keys(env)) expect(known, `${name} sets ${variable}, which govstats does not read`).toContain(variable);

      // The secrets exist only in the containers: stand-in files take their place here.
      const config = loadConfig(withStandInSecrets(env));
      expect(config.kafka.brokers).toEqual(env.KAFKA_BROKERS!.split(','));
      expect(config.kafka.replicationFactor).toBe(Number(env.KAFKA_REPLICATION_FACTOR));
      if (!warehouseServices.some(([other]) => other === name)) continue;
      expect(config.clickhouse.url).toBe(env.CLICKHOUSE_URL);
      expect(config.clickhouse.username).toBe(env.CLICKHOUSE_USER);
      expect(config.clickhouse.password, `${name} reads its password from its secret`).toBe(
        `stand-in ${secretNamed(env.CLICKHOUSE_PASSWORD_FILE)}`,
      );
      expect(config.clickhouse.database).toBe(env.CLICKHOUSE_DATABASE);
      expect(config.clickhouse.accessFile).toBe(env.CLICKHOUSE_ACCESS_FILE);
      const onCluster = svc.profiles?.includes('cluster') ?? false;
      expect(config.clickhouse.cluster, `${name} CLICKHOUSE_CLUSTER`).toBe(onCluster ? 'govstats' : undefined);
      expect(config.clickhouse.replicated, `${name} CLICKHOUSE_REPLICATED`).toBe(onCluster);
    }
    // Two pipelines on the same topics each load every event: separate consumer groups.
    expect(environmentOf(service('ingest-cluster')).INGEST_GROUP_ID).not.toBe(environmentOf(service('ingest')).INGEST_GROUP_ID);
  });

  it.skipIf(!composeAvailable())('is accepted by docker compose config, with and without the cluster profile', () => {
    for (const args of [[], ['--profile', 'cluster']]) {
      const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, ...args, 'config', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
    }
  });
});

describe('docker-compose.yml: the producer service', () => {
  const producer = service('producer');
  const env = environmentOf(producer);

  it('mounts a callers file that the service accepts, whose key files are Docker secrets it mounts', () => {
    const file = mountedFile(producer, requireEnv(env, 'PRODUCER_CALLERS_FILE', 'producer'));
    expect(file, 'producer mounts its PRODUCER_CALLERS_FILE').toBeDefined();
    const document = parse(readFileSync(file!, 'utf8')) as { callers: Array<{ key_file?: string; key_sha256?: string }> };
    const standIns = mkdtempSync(join(tmpdir(), 'govstats-callers-'));
    try {
      for (const caller of document.callers) {
        if (caller.key_file === undefined) continue;
        const secret = secretNamed(caller.key_file);
        expect(secret, `${caller.key_file} is a Docker secret`).toBeDefined();
        expect(secretsOf(producer), `producer mounts ${secret}`).toContain(secret);
        // make-secrets.sh writes 48 hex digits: as long as a key must be.
        caller.key_file = join(standIns, secret!);
        writeFileSync(caller.key_file, `${'0'.repeat(48)}\n`);
      }
      expect(parseCallers(JSON.stringify(document), file!).size).toBe(document.callers.length);
    } finally {
      rmSync(standIns, { recursive: true, force: true });
    }
  });

  it('listens on every address of its container, published on the host’s loopback, with a healthcheck', () => {
    const config = loadConfig(withStandInSecrets(env));
    expect(config.producer.host).toBe('0.0.0.0');
    expect(producer.ports).toEqual([`127.0.0.1:${config.producer.port}:${config.producer.port}`]);
    expect([producer.healthcheck?.test ?? []].flat().join(' ')).toContain(`http://127.0.0.1:${config.producer.port}/healthz`);
  });
});

describe('docker-compose.yml: Kafka', () => {
  const envs = kafkaBrokers.map(([name, svc]) => [name, environmentOf(svc)] as const);

  it('runs three KRaft nodes configured as brokerSettings(id, 3), as the native cluster is', () => {
    for (const [name, env] of envs) {
      const nodeId = Number(requireEnv(env, 'KAFKA_NODE_ID', name));
      for (const [property, value] of Object.entries(brokerSettings(nodeId, envs.length))) {
        const variable = kafkaImageVariable(property);
        if (property === 'listener.security.protocol.map') {
          // compose adds a listener for the host; the shared ones must map the same way.
          expect(requireEnv(env, variable, name).split(','), `${name} ${variable}`).toEqual(expect.arrayContaining(value.split(',')));
        } else {
          expect(env[variable], `${name} ${variable} (${property})`).toBe(value);
        }
      }
    }
    expect(new Set(envs.map(([, env]) => env.KAFKA_NODE_ID)).size, 'distinct node ids').toBe(3);
  });

  it('keeps every message on three brokers, acknowledged by two, and never elects an out-of-sync leader', () => {
    for (const [name, env] of envs) {
      expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_MIN_INSYNC_REPLICAS, name).toBe('2');
      expect(env.KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE, name).toBe('false');
      expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, name).toBe('false');
    }
    for (const [name, svc] of appServices) expect(environmentOf(svc).KAFKA_REPLICATION_FACTOR, name).toBe('3');
  });

  it('forms one controller quorum of all three, on their controller listeners', () => {
    const clusterIds = new Set(envs.map(([name, env]) => requireEnv(env, 'CLUSTER_ID', name)));
    expect(clusterIds.size, 'one cluster id').toBe(1);
    // KRaft needs a cluster id (16 bytes, base64url) to format the data volumes.
    expect([...clusterIds][0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const voters = envs.map(([name, env]) => {
      const controller = requireEnv(env, 'KAFKA_CONTROLLER_LISTENER_NAMES', name);
      const port = parseListeners(requireEnv(env, 'KAFKA_LISTENERS', name)).find((l) => l.name === controller)?.port;
      return `${env.KAFKA_NODE_ID}@${name}:${port}`;
    });
    for (const [name, env] of envs) expect(requireEnv(env, 'KAFKA_CONTROLLER_QUORUM_VOTERS', name), name).toBe(voters.join(','));
  });

  it('advertises only listeners it binds, one in-network listener per broker, and distinct host ports', () => {
    const hostPorts: number[] = [];
    for (const [name, env] of envs) {
      const listeners = parseListeners(requireEnv(env, 'KAFKA_LISTENERS', name));
      const advertised = parseListeners(requireEnv(env, 'KAFKA_ADVERTISED_LISTENERS', name));
      const protocols = new Map(
        requireEnv(env, 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP', name)
          .split(',')
          .map((pair) => pair.split(':') as [string, string]),
      );
      for (const listener of listeners)
        expect(protocols.has(listener.name), `${name}: ${listener.name} has no security protocol`).toBe(true);
      for (const listener of advertised) {
        const bound = listeners.find((l) => l.name === listener.name);
        expect(bound, `${name}: advertised listener ${listener.name} is not in KAFKA_LISTENERS`).toBeDefined();
        expect(bound?.port, `${name}: advertised ${listener.name} port`).toBe(listener.port);
      }
      expect(advertised.map((l) => l.name)).not.toContain(env.KAFKA_CONTROLLER_LISTENER_NAMES);
      expect(inNetworkListener(name).name, `${name}: brokers talk over the in-network listener`).toBe(env.KAFKA_INTER_BROKER_LISTENER_NAME);
      const host = advertised.find((l) => l.host === 'localhost');
      if (host) {
        expect(containerPorts(service(name)), `${name} publishes ${host.port}`).toContain(host.port);
        hostPorts.push(host.port);
      }
    }
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('points every app service at all three brokers', () => {
    const expected = envs.map(([name]) => `${name}:${inNetworkListener(name).port}`);
    for (const [name, svc] of appServices) {
      const brokers = requireEnv(environmentOf(svc), 'KAFKA_BROKERS', name)
        .split(',')
        .map((b) => b.trim());
      expect(brokers, `${name} KAFKA_BROKERS`).toEqual(expected);
    }
  });
});

describe('docker-compose.yml: ClickHouse', () => {
  it('points every app service but the producer at a ClickHouse server of its own profile, its HTTP port and its database', () => {
    const httpPort = 8123; // http_port of the official image's config
    for (const [name, svc] of warehouseServices) {
      const env = environmentOf(svc);
      const url = new URL(requireEnv(env, 'CLICKHOUSE_URL', name));
      const target = clickhouseServers.find(([server]) => server === url.hostname);
      expect(target, `${name} CLICKHOUSE_URL host ${url.hostname} is a ClickHouse server`).toBeDefined();
      const [serverName, server] = target!;
      expect(server.profiles ?? [], `${name} → ${serverName}: same profile`).toEqual(svc.profiles ?? []);
      expect(url.protocol, `${name} CLICKHOUSE_URL`).toBe('http:');
      expect(Number(url.port || 80), `${name} CLICKHOUSE_URL port`).toBe(httpPort);
      expect(containerPorts(server), `${serverName} publishes or exposes its HTTP port`).toContain(httpPort);
      // Credentials come from the separate variables; a user in the URL would compete with them.
      expect(url.username, `${name} CLICKHOUSE_URL carries no user`).toBe('');
      expect(env.CLICKHOUSE_DATABASE, `${name} CLICKHOUSE_DATABASE`).toBe(requireEnv(environmentOf(server), 'CLICKHOUSE_DB', serverName));
    }
  });

  it('gives the single-node server the bloom filters the embedded engine gives its ledger (a key-value table on a single node)', () => {
    const file = mountedFile(service('clickhouse'), '/etc/clickhouse-server/config.d/rocksdb.xml');
    expect(file, 'clickhouse mounts infra/clickhouse/rocksdb.xml').toBeDefined();
    const policy = (xml: string) => xmlElement(xmlElement(xmlElement(xml, 'rocksdb'), 'block_based_table_options'), 'filter_policy');
    const embedded = readFileSync(join(ROOT, 'packages', 'store', 'src', 'embedded', 'engine-config.xml'), 'utf8');
    expect(policy(readFileSync(file!, 'utf8'))).toBe(policy(embedded));
  });
});

describe('docker-compose.yml: ClickHouse users and secrets', () => {
  const declared = compose.secrets ?? {};
  const serverOf = (svc: Service) => {
    const host = new URL(requireEnv(environmentOf(svc), 'CLICKHOUSE_URL', 'app service')).hostname;
    return clickhouseServers.find(([name]) => name === host)!;
  };
  const commandOf = (svc: Service) => [svc.command ?? []].flat()[0];
  const accessFileOf = (name: string) => {
    const env = environmentOf(service(name));
    const inContainer = requireEnv(env, 'CLICKHOUSE_ACCESS_FILE', name);
    const file = mountedFile(service(name), inContainer);
    if (!file) throw new Error(`${name} does not mount its CLICKHOUSE_ACCESS_FILE ${inContainer}`);
    return file;
  };
  /** The access file as migrate reads it, with a made-up password per secret file it names. */
  const accessFile = (name: string) => {
    const read: string[] = [];
    const spec = parseAccessFile(readFileSync(accessFileOf(name), 'utf8'), {
      baseDir: '/',
      readSecret: (path) => {
        read.push(path);
        return `made-up password for ${path}`;
      },
    });
    return { spec, secretFiles: read };
  };
  const migrators = appServices.filter(([, svc]) => commandOf(svc) === 'migrate');

  it('gives every service that talks to ClickHouse a user and a password file that is a declared Docker secret it mounts', () => {
    for (const [name, svc] of [...warehouseServices, ...clickhouseServers]) {
      const env = environmentOf(svc);
      expect(env.CLICKHOUSE_USER, `${name} CLICKHOUSE_USER`).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(env.CLICKHOUSE_PASSWORD, `${name} sets no password in clear`).toBeUndefined();
      const secret = secretNamed(env.CLICKHOUSE_PASSWORD_FILE);
      expect(secret, `${name} CLICKHOUSE_PASSWORD_FILE=${env.CLICKHOUSE_PASSWORD_FILE} is a Docker secret`).toBeDefined();
      expect(secretsOf(svc), `${name} mounts ${secret}`).toContain(secret);
    }
    for (const [name, svc] of Object.entries(services))
      for (const secret of secretsOf(svc)) expect(Object.keys(declared), `${name} mounts an undeclared secret`).toContain(secret);
    for (const [secret, spec] of Object.entries(declared)) {
      expect(spec, `secret ${secret}`).toEqual({ file: `./secrets/${secret}` });
      expect(
        Object.values(services).some((svc) => secretsOf(svc).includes(secret)),
        `secret ${secret} is used`,
      ).toBe(true);
    }
  });

  it('holds no password or secret in clear, and no default one, in the compose file or the ClickHouse config', () => {
    const raw = readFileSync(COMPOSE_FILE, 'utf8');
    expect(raw, 'a ${…:-default} for a password or secret').not.toMatch(/\$\{[A-Z0-9_]*(PASSWORD|SECRET|TOKEN)[A-Z0-9_]*:?[-=]/i);
    for (const [name, svc] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(environmentOf(svc))) {
        if (!/PASSWORD|SECRET|TOKEN/i.test(variable)) continue;
        expect(variable, `${name}: ${variable} must be a *_FILE variable`).toMatch(/_FILE$/);
        expect(secretNamed(value), `${name}: ${variable}=${value} must name a Docker secret`).toBeDefined();
      }
    }
    const xmlFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? xmlFiles(join(dir, entry.name)) : entry.name.endsWith('.xml') ? [join(dir, entry.name)] : [],
      );
    const configs = xmlFiles(join(ROOT, 'infra', 'clickhouse'));
    expect(configs.length).toBeGreaterThan(0);
    for (const file of configs) {
      const xml = readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
      expect(xml, `${file}: a password in clear`).not.toMatch(/<(password|password_sha256_hex|password_double_sha1_hex)>[^<]+</);
      for (const [secret] of xml.matchAll(/<secret\b[^>]*\/>|<secret\b[^>]*>[\s\S]*?<\/secret>/g))
        expect(secret, `${file}: the cluster secret comes from the environment`).toMatch(/^<secret from_env="[A-Z_]+"\s*\/>$/);
    }
  });

  it('feeds the cluster secret of every node from a Docker secret, and refuses to start a server without its secrets', () => {
    for (const [name, svc] of clickhouseServers) {
      const script = [svc.entrypoint ?? []].flat().join(' ');
      for (const secret of secretsOf(svc))
        expect(script, `${name} checks /run/secrets/${secret}`).toContain(`test -s /run/secrets/${secret}`);
      expect(script, `${name} starts the image's own entrypoint`).toMatch(/exec \/entrypoint\.sh$/);
      if (svc.profiles?.includes('cluster')) {
        expect(secretsOf(svc)).toContain('clickhouse_cluster_secret');
        expect(script).toContain(
          'CLICKHOUSE_CLUSTER_SECRET="$(cat /run/secrets/clickhouse_cluster_secret)" && export CLICKHOUSE_CLUSTER_SECRET',
        );
      }
    }
  });

  it('runs migrate as the server’s bootstrap admin, which applies an access file naming every other user compose uses', () => {
    expect(migrators.map(([name]) => name).sort()).toEqual(['migrate', 'migrate-cluster']);
    for (const [name, svc] of migrators) {
      const env = environmentOf(svc);
      const [serverName, server] = serverOf(svc);
      const serverEnv = environmentOf(server);
      expect(env.CLICKHOUSE_USER, `${name} is ${serverName}'s admin`).toBe(requireEnv(serverEnv, 'CLICKHOUSE_USER', serverName));
      expect(env.CLICKHOUSE_PASSWORD_FILE).toBe(requireEnv(serverEnv, 'CLICKHOUSE_PASSWORD_FILE', serverName));
      expect(serverEnv.CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT, `${serverName}: its admin may manage access`).toBe('1');
      const { spec, secretFiles } = accessFile(name);
      // migrate hashes every password the access file names: it mounts each of those secrets.
      for (const file of secretFiles) expect(secretsOf(svc), `${name} mounts ${file}`).toContain(secretNamed(file));
      for (const [other, otherSvc] of warehouseServices.filter(([, s]) => commandOf(s) !== 'migrate')) {
        if (serverOf(otherSvc)[0] !== serverName) continue;
        const otherEnv = environmentOf(otherSvc);
        const user = spec.users.find((u) => u.name === otherEnv.CLICKHOUSE_USER);
        expect(user, `${other}'s user ${otherEnv.CLICKHOUSE_USER} is in ${name}'s access file`).toBeDefined();
        expect(user!.role, `${other}'s role`).toBe(commandOf(otherSvc));
        expect(user!.scope, `${other} sees every place`).toBeUndefined();
        // Its password is the one in the secret the service itself reads.
        expect(user!.passwordSha256).toBe(sha256Hex(`made-up password for ${otherEnv.CLICKHOUSE_PASSWORD_FILE}`));
      }
      expect(
        spec.users.some((u) => u.name === env.CLICKHOUSE_USER),
        'the admin is the server’s own, not an access-file user',
      ).toBe(false);
    }
  });

  it('keeps .env and the secrets out of git and out of the image', () => {
    const ignores = (file: string) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
        .map((line) =>
          line
            .replace(/^\//, '')
            .replace(/\/$/, '')
            .replace(/^\*\*\//, ''),
        );
    for (const file of ['.gitignore', '.dockerignore']) {
      expect(ignores(file), `${file} ignores .env`).toContain('.env');
      expect(ignores(file), `${file} ignores secrets/`).toContain('secrets');
    }
    const git = spawnSync('git', ['check-ignore', '--no-index', '.env', 'secrets/clickhouse_admin_password'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (git.error === undefined)
      expect(git.stdout.trim().split('\n').sort(), git.stderr).toEqual(['.env', 'secrets/clickhouse_admin_password']);
    // The script operators run to create them, named in the compose file's header.
    const script = join(ROOT, 'infra', 'clickhouse', 'make-secrets.sh');
    accessSync(script, constants.X_OK);
    expect(readFileSync(COMPOSE_FILE, 'utf8')).toContain('infra/clickhouse/make-secrets.sh');
  });
});

describe('docker-compose.yml: the `cluster` profile', () => {
  const nodes = clickhouseServers.filter(([, svc]) => svc.profiles?.includes('cluster'));
  const clusterName = requireEnv(environmentOf(service('migrate-cluster')), 'CLICKHOUSE_CLUSTER', 'migrate-cluster');
  const configFile = (name: string, target: string) => {
    const file = mountedFile(service(name), target);
    if (!file) throw new Error(`${name} does not mount a file at ${target}`);
    return readFileSync(file, 'utf8');
  };
  const remoteServers = (name: string) =>
    xmlElement(configFile(name, '/etc/clickhouse-server/config.d/remote-servers.xml'), 'remote_servers');
  /** host:port of each replica, per shard, of a cluster in remote_servers. */
  const shardsOf = (name: string, cluster: string) =>
    xmlElements(xmlElement(remoteServers(name), cluster), 'shard').map((shard) => {
      expect(xmlElement(shard, 'internal_replication'), `${cluster}: a Distributed insert writes one replica, replication the others`).toBe(
        'true',
      );
      return xmlElements(shard, 'replica').map((replica) => `${xmlElement(replica, 'host')}:${xmlElement(replica, 'port')}`);
    });
  const macros = (name: string) => xmlElement(configFile(name, '/etc/clickhouse-server/config.d/macros.xml'), 'macros');
  const keeperConfig = (name: string) => xmlElement(configFile(name, '/etc/clickhouse-keeper/keeper_config.xml'), 'keeper_server');

  it('gives every long-running service a healthcheck', () => {
    for (const [name, svc] of inProfile('cluster')) {
      // The one-shot migrate has nothing to probe.
      if (svc.restart === 'no') continue;
      expect(hasHealthcheck(svc), `${name} has a healthcheck`).toBe(true);
    }
  });

  it('has two shards of two replicas, each node listed once, and the same nodes as one shard for bookkeeping DDL', () => {
    const nodeAddresses = nodes.map(([name]) => `${name}:9000`).sort();
    for (const [name, svc] of nodes) {
      expect(svc.hostname, `${name}: replicas fetch parts from the hostname they advertise`).toBe(name);
      expect(containerPorts(svc), `${name} exposes native TCP`).toContain(9000);
      const shards = shardsOf(name, clusterName);
      expect(
        shards.map((replicas) => replicas.length),
        `${clusterName}: 2 shards × 2 replicas`,
      ).toEqual([2, 2]);
      expect(shards.flat().sort()).toEqual(nodeAddresses);
      const everyNode = shardsOf(name, everyNodeClusterName(clusterName));
      expect(everyNode.length, `${everyNodeClusterName(clusterName)}: one shard`).toBe(1);
      expect(everyNode[0]!.slice().sort()).toEqual(nodeAddresses);
    }
  });

  it('gives each node the macros of its place: {shard} as listed in remote_servers, a {replica} unique in the cluster', () => {
    const [first] = nodes[0]!;
    const shards = shardsOf(first, clusterName);
    const replicas = nodes.map(([name]) => {
      const shardIndex = shards.findIndex((members) => members.includes(`${name}:9000`));
      expect(Number(xmlElement(macros(name), 'shard')), `${name} {shard}`).toBe(shardIndex + 1);
      return xmlElement(macros(name), 'replica');
    });
    expect(new Set(replicas).size, `distinct {replica}: ${replicas.join(', ')}`).toBe(nodes.length);
  });

  it('shares one cluster secret, user and database across the nodes', () => {
    for (const [name] of nodes) {
      for (const cluster of [clusterName, everyNodeClusterName(clusterName)]) {
        expect(xmlElement(remoteServers(name), cluster), `${cluster} trusts forwarded users`).toMatch(
          /<secret from_env="CLICKHOUSE_CLUSTER_SECRET"\s*\/>/,
        );
      }
    }
    for (const variable of ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD_FILE', 'CLICKHOUSE_DB']) {
      const values = new Set(nodes.map(([name, svc]) => requireEnv(environmentOf(svc), variable, name)));
      expect(values.size, `${variable} is the same on every node`).toBe(1);
    }
    // The cluster secret is a Docker secret every node mounts (and exports, see the users and secrets checks).
    for (const [name, svc] of nodes) expect(secretsOf(svc), name).toContain('clickhouse_cluster_secret');
  });

  it('runs three keepers with distinct ids, one Raft configuration naming each by its service, and the nodes pointed at all of them', () => {
    expect(keepers.map(([name]) => name)).toEqual(['clickhouse-keeper-1', 'clickhouse-keeper-2', 'clickhouse-keeper-3']);
    const raft = (name: string) =>
      xmlElements(xmlElement(keeperConfig(name), 'raft_configuration'), 'server').map((server) => ({
        id: xmlElement(server, 'id'),
        hostname: xmlElement(server, 'hostname'),
        port: xmlElement(server, 'port'),
      }));
    const [firstKeeper] = keepers[0]!;
    const members = raft(firstKeeper);
    const ids = keepers.map(([name, svc]) => {
      expect(svc.hostname, name).toBe(name);
      expect(raft(name), `${name}: the same raft_configuration as ${firstKeeper}`).toEqual(members);
      const id = xmlElement(keeperConfig(name), 'server_id');
      expect(members.find((m) => m.id === id)?.hostname, `${name}: server_id ${id} is itself in raft_configuration`).toBe(name);
      expect(containerPorts(svc), `${name} exposes its Raft port`).toContain(Number(members.find((m) => m.id === id)?.port));
      return id;
    });
    expect(new Set(ids).size, `distinct server_id: ${ids.join(', ')}`).toBe(keepers.length);
    expect(members.map((m) => m.hostname).sort()).toEqual(keepers.map(([name]) => name));

    const clientPorts = new Map(keepers.map(([name]) => [name, xmlElement(keeperConfig(name), 'tcp_port')]));
    for (const [name, svc] of nodes) {
      const zookeeper = xmlElement(configFile(name, '/etc/clickhouse-server/config.d/zookeeper.xml'), 'zookeeper');
      const keeperNodes = xmlElements(zookeeper, 'node').map((node) => `${xmlElement(node, 'host')}:${xmlElement(node, 'port')}`);
      expect(keeperNodes.sort(), `${name} <zookeeper>`).toEqual([...clientPorts].map(([keeper, port]) => `${keeper}:${port}`).sort());
      for (const [keeper] of keepers) expect(dependenciesOf(svc)[keeper], `${name} waits for ${keeper}`).toBe('service_healthy');
    }
  });
});

describe('docker-compose.yml: Prometheus and Grafana', () => {
  const commandOf = (svc: Service) => [svc.command ?? []].flat()[0];
  /** The long-running app services that serve /metrics, with the port packages/config gives them. */
  const metricsServices = appServices
    .filter(([, svc]) => ['ingest', 'bulletin', 'serve-producer'].includes(commandOf(svc) ?? ''))
    .map(([name, svc]) => {
      const config = loadConfig(withStandInSecrets(environmentOf(svc)));
      const endpoints: Record<string, { metricsPort: number; metricsHost: string }> = {
        ingest: config.ingest,
        bulletin: { metricsPort: config.bulletin.metricsPort, metricsHost: config.bulletin.metricsHost },
        // The producer service's /metrics and /healthz are on its one port, beside the events.
        'serve-producer': { metricsPort: config.producer.port, metricsHost: config.producer.host },
      };
      const endpoint = endpoints[commandOf(svc)!]!;
      return { name, svc, port: endpoint.metricsPort, host: endpoint.metricsHost };
    });
  const prometheus = service('prometheus');
  const grafana = service('grafana');
  const readYaml = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  interface ScrapeConfig {
    job_name: string;
    dns_sd_configs?: Array<{ names: string[]; type?: string; port: number }>;
    static_configs?: Array<{ targets: string[] }>;
  }
  const prometheusConfigFile = mountedFile(prometheus, '/etc/prometheus/prometheus.yml');
  const prometheusConfig = readYaml(prometheusConfigFile ?? '/nonexistent') as { rule_files?: string[]; scrape_configs: ScrapeConfig[] };

  /** A bind-mounted directory on this machine, by where it is mounted in the container. */
  const mountedDirectory = (svc: Service, target: string) => {
    const dir = mountedFile(svc, target);
    if (!dir) throw new Error(`no bind mount at ${target}`);
    return dir;
  };

  it('serves /metrics of ingest, the bulletin and the producer service on every address of the container, and probes /healthz there', () => {
    expect(metricsServices.map(({ name }) => name).sort()).toEqual([
      'bulletin',
      'bulletin-cluster',
      'ingest',
      'ingest-cluster',
      'producer',
    ]);
    for (const { name, svc, port, host } of metricsServices) {
      expect(port, `${name} metrics port`).toBeGreaterThan(0);
      expect(host, `${name}: Prometheus scrapes it from another container`).toBe('0.0.0.0');
      const probe = [svc.healthcheck?.test ?? []].flat().join(' ');
      expect(probe, `${name} healthcheck`).toContain(`http://127.0.0.1:${port}/healthz`);
    }
  });

  it('publishes every port on the host’s loopback only, the metrics ports of the single-node pipeline included', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const port of svc.ports ?? []) {
        expect(typeof port, `${name}: short port syntax`).toBe('string');
        expect(String(port), `${name} publishes ${String(port)} on 127.0.0.1`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      }
    }
    for (const { name, svc, port } of metricsServices.filter(({ svc }) => !svc.profiles?.length))
      expect(svc.ports, `${name} publishes its metrics port`).toContain(`127.0.0.1:${port}:${port}`);
    expect(prometheus.ports).toContain('127.0.0.1:9090:9090');
    expect(grafana.ports).toContain('127.0.0.1:3000:3000');
  });

  it('scrapes every metrics service by its compose name and metrics port, and loads the alert rules it mounts', () => {
    expect(prometheusConfigFile, 'prometheus mounts infra/prometheus/prometheus.yml').toBeDefined();
    expect([prometheus.command ?? []].flat()).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const scraped = new Map<string, number>();
    for (const job of prometheusConfig.scrape_configs)
      for (const sd of job.dns_sd_configs ?? []) for (const host of sd.names) scraped.set(host, sd.port);
    for (const { name, port } of metricsServices) expect(scraped.get(name), `${name} is scraped on port ${port}`).toBe(port);
    for (const host of scraped.keys()) expect(Object.keys(services), `scrape target ${host} is a compose service`).toContain(host);

    const ruleFiles = prometheusConfig.rule_files ?? [];
    expect(ruleFiles.length).toBeGreaterThan(0);
    for (const file of ruleFiles) {
      const inContainer = resolve('/etc/prometheus', file);
      const onHost = mountedFile(prometheus, inContainer);
      expect(onHost, `prometheus mounts its rule file ${inContainer}`).toBeDefined();
      const groups = (readYaml(onHost!) as { groups: Array<{ rules: Array<{ alert?: string; expr: string }> }> }).groups;
      expect(groups.flatMap((g) => g.rules).filter((r) => r.alert).length, `${file} has alert rules`).toBeGreaterThan(0);
    }
  });

  it('provisions Grafana’s data sources and dashboards from the files it mounts, with no password in them', () => {
    const provisioning = mountedDirectory(grafana, '/etc/grafana/provisioning');
    const dashboardsDir = mountedDirectory(grafana, '/etc/grafana/dashboards');
    const provider = readYaml(join(provisioning, 'dashboards', 'govstats.yaml')) as { providers: Array<{ options: { path: string } }> };
    expect(provider.providers.map((p) => p.options.path)).toEqual(['/etc/grafana/dashboards']);
    expect(environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toMatch(/^\/etc\/grafana\/dashboards\/[^/]+\.json$/);
    expect(existsSync(join(dashboardsDir, environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!.split('/').pop()!))).toBe(true);

    const raw = readFileSync(join(provisioning, 'datasources', 'govstats.yaml'), 'utf8');
    const { datasources } = parse(raw) as {
      datasources: Array<{
        uid: string;
        type: string;
        url?: string;
        jsonData?: Record<string, unknown>;
        secureJsonData?: Record<string, string>;
      }>;
    };
    for (const source of datasources)
      for (const [key, value] of Object.entries(source.secureJsonData ?? {}))
        expect(value, `${source.uid} ${key} is read from a file`).toMatch(/^\$__file\{\/run\/secrets\/[A-Za-z0-9_.-]+\}$/);

    // Prometheus: the compose service, on its port.
    const prom = datasources.find((d) => d.type === 'prometheus');
    expect(new URL(prom!.url!).host).toBe('prometheus:9090');

    // ClickHouse: a server of the default stack, as a reader-role user of the access file migrate applies.
    const clickhouse = datasources.find((d) => d.type === 'grafana-clickhouse-datasource')!;
    const { host, port, protocol, username, defaultDatabase, queryTimeout } = clickhouse.jsonData as Record<string, string | number>;
    const server = service(String(host));
    expect(server.profiles ?? [], 'a server of the default stack').toEqual([]);
    expect(protocol).toBe('http');
    expect(containerPorts(server)).toContain(Number(port));
    expect(defaultDatabase).toBe(environmentOf(server).CLICKHOUSE_DB);
    const accessFile = mountedFile(service('migrate'), requireEnv(environmentOf(service('migrate')), 'CLICKHOUSE_ACCESS_FILE', 'migrate'))!;
    const spec = parseAccessFile(readFileSync(accessFile, 'utf8'), { baseDir: '/', readSecret: (path) => `made-up password for ${path}` });
    const user = spec.users.find((u) => u.name === username);
    expect(user?.role, `${String(username)} is a reader of ${accessFile}`).toBe('reader');
    const passwordFile = /^\$__file\{(.+)\}$/.exec(clickhouse.secureJsonData!.password!)![1]!;
    expect(user!.passwordSha256, 'Grafana reads the reader’s own password file').toBe(sha256Hex(`made-up password for ${passwordFile}`));
    expect(secretsOf(grafana)).toContain(secretNamed(passwordFile));
    // The plugin sends its timeout as max_execution_time, which the reader profile fixes (CONST).
    expect(Number(queryTimeout), 'queryTimeout = reader_limits.max_execution_time').toBe(spec.readerLimits.maxExecutionTime);

    // Every data source a dashboard names is provisioned.
    const uids = new Set(datasources.map((d) => d.uid));
    const named = (node: unknown): string[] =>
      Array.isArray(node)
        ? node.flatMap(named)
        : node && typeof node === 'object'
          ? Object.entries(node).flatMap(([key, value]) =>
              key === 'datasource' && value && typeof value === 'object' && 'uid' in value ? [String(value.uid)] : named(value),
            )
          : [];
    const dashboards = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
    expect(dashboards.sort()).toEqual(['governance-figures.json', 'pipeline-health.json']);
    for (const file of dashboards) {
      const used = named(JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')));
      expect(used.length, file).toBeGreaterThan(0);
      for (const uid of used) expect([...uids], `${file} names data source ${uid}`).toContain(uid);
    }
  });

  it('gives Grafana its admin password from a Docker secret, and lets nobody sign up or in anonymously', () => {
    const env = environmentOf(grafana);
    expect(secretNamed(env.GF_SECURITY_ADMIN_PASSWORD__FILE)).toBe('grafana_admin_password');
    expect(secretsOf(grafana)).toContain('grafana_admin_password');
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toBeUndefined();
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_INSTALL_PLUGINS, 'the ClickHouse plugin, at a pinned version').toMatch(/^grafana-clickhouse-datasource \d+\.\d+\.\d+$/);
  });
});
