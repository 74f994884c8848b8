import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '@govstats/config';
import { CLICKHOUSE_DOCKER_IMAGE, KAFKA_DOCKER_IMAGE } from '@govstats/local-infra';
import { singleNodeBrokerSettings } from '../packages/local-infra/src/kafka/broker-config.ts';

/*
 * docker-compose.yml is not run by any other test (there may be no Docker engine), so this keeps it
 * consistent with the code it deploys: the images local-infra uses, the settings packages/config
 * reads, and the wiring between the services.
 */

const ROOT = join(import.meta.dirname, '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const CONFIG_SOURCE = join(ROOT, 'packages', 'config', 'src', 'index.ts');

type EnvironmentValue = string | number | boolean | null;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, EnvironmentValue> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | number | { target?: number }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { type?: string; source?: string }>;
  restart?: string;
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
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

/** Keys of the zod `environment` object in packages/config: every variable govstats reads. */
function configVariableNames(): string[] {
  const source = readFileSync(CONFIG_SOURCE, 'utf8');
  const body = /const environment = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1];
  if (!body) throw new Error(`cannot find the environment schema in ${CONFIG_SOURCE}`);
  return [...body.matchAll(/^\s*([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

function buildPaths(svc: Service): { context: string; dockerfile: string } {
  const build = typeof svc.build === 'string' ? { context: svc.build } : (svc.build ?? {});
  const context = resolve(dirname(COMPOSE_FILE), build.context ?? '.');
  return { context, dockerfile: resolve(context, build.dockerfile ?? 'Dockerfile') };
}

function composeAvailable(): boolean {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

describe('docker-compose.yml', () => {
  it('has the expected services, two of them built from this repository', () => {
    expect(Object.keys(services).sort()).toEqual(['bulletin', 'clickhouse', 'ingest', 'kafka', 'migrate']);
    expect(appServices.map(([name]) => name).sort()).toEqual(['bulletin', 'ingest', 'migrate']);
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

  it('runs Kafka and ClickHouse from the same images as local-infra', () => {
    expect(service('kafka').image).toBe(KAFKA_DOCKER_IMAGE);
    expect(service('clickhouse').image).toBe(CLICKHOUSE_DOCKER_IMAGE);
  });

  it('configures Kafka as the same single-node KRaft broker as the native and testcontainers ones', () => {
    const env = environmentOf(service('kafka'));
    for (const [property, value] of Object.entries(singleNodeBrokerSettings())) {
      const variable = kafkaImageVariable(property);
      if (property === 'listener.security.protocol.map') {
        // compose adds a listener for the host; the shared ones must map the same way.
        const mapped = requireEnv(env, variable, 'kafka').split(',');
        expect(mapped, variable).toEqual(expect.arrayContaining(value.split(',')));
      } else {
        expect(env[variable], `${variable} (${property})`).toBe(value);
      }
    }
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    // KRaft needs a cluster id (16 bytes, base64url) to format the data volume.
    expect(requireEnv(env, 'CLUSTER_ID', 'kafka')).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const listeners = parseListeners(requireEnv(env, 'KAFKA_LISTENERS', 'kafka'));
    const advertised = parseListeners(requireEnv(env, 'KAFKA_ADVERTISED_LISTENERS', 'kafka'));
    const protocols = new Map(requireEnv(env, 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP', 'kafka').split(',').map((pair) => pair.split(':') as [string, string]));
    for (const listener of listeners) expect(protocols.has(listener.name), `${listener.name} has no security protocol`).toBe(true);
    for (const listener of advertised) {
      const bound = listeners.find((l) => l.name === listener.name);
      expect(bound, `advertised listener ${listener.name} is not in KAFKA_LISTENERS`).toBeDefined();
      expect(bound?.port, `advertised ${listener.name} port`).toBe(listener.port);
    }
    const controller = requireEnv(env, 'KAFKA_CONTROLLER_LISTENER_NAMES', 'kafka');
    expect(advertised.map((l) => l.name)).not.toContain(controller);
    const controllerPort = listeners.find((l) => l.name === controller)?.port;
    expect(requireEnv(env, 'KAFKA_CONTROLLER_QUORUM_VOTERS', 'kafka')).toBe(`${env.KAFKA_NODE_ID}@localhost:${controllerPort}`);
  });

  it('points every app service at the in-network listener Kafka advertises', () => {
    const env = environmentOf(service('kafka'));
    const inNetwork = parseListeners(requireEnv(env, 'KAFKA_ADVERTISED_LISTENERS', 'kafka')).filter((l) => l.host === 'kafka');
    expect(inNetwork, 'exactly one advertised listener named after the kafka service').toHaveLength(1);
    const expected = `${inNetwork[0]!.host}:${inNetwork[0]!.port}`;
    expect(inNetwork[0]!.name).toBe(env.KAFKA_INTER_BROKER_LISTENER_NAME);
    for (const [name, svc] of appServices) {
      const brokers = requireEnv(environmentOf(svc), 'KAFKA_BROKERS', name).split(',').map((b) => b.trim());
      expect(brokers, `${name} KAFKA_BROKERS`).toEqual([expected]);
    }
  });

  it('points every app service at the ClickHouse service, its HTTP port and its credentials', () => {
    const clickhouse = service('clickhouse');
    const server = environmentOf(clickhouse);
    const httpPort = 8123; // http_port of the official image's config
    expect(containerPorts(clickhouse), 'clickhouse publishes its HTTP port').toContain(httpPort);
    for (const [name, svc] of appServices) {
      const env = environmentOf(svc);
      const url = new URL(requireEnv(env, 'CLICKHOUSE_URL', name));
      expect(url.protocol, `${name} CLICKHOUSE_URL`).toBe('http:');
      expect(url.hostname, `${name} CLICKHOUSE_URL host`).toBe('clickhouse');
      expect(Number(url.port || 80), `${name} CLICKHOUSE_URL port`).toBe(httpPort);
      // Credentials come from the separate variables; a user in the URL would compete with them.
      expect(url.username, `${name} CLICKHOUSE_URL carries no user`).toBe('');
      expect(env.CLICKHOUSE_USER, `${name} CLICKHOUSE_USER`).toBe(requireEnv(server, 'CLICKHOUSE_USER', 'clickhouse'));
      expect(env.CLICKHOUSE_PASSWORD, `${name} CLICKHOUSE_PASSWORD`).toBe(requireEnv(server, 'CLICKHOUSE_PASSWORD', 'clickhouse'));
      expect(env.CLICKHOUSE_DATABASE, `${name} CLICKHOUSE_DATABASE`).toBe(requireEnv(server, 'CLICKHOUSE_DB', 'clickhouse'));
    }
  });

  it('starts services only after what they depend on is ready', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependenciesOf(svc))) {
        expect(Object.keys(services), `${name} depends on "${target}"`).toContain(target);
        expect(['service_started', 'service_healthy', 'service_completed_successfully'], `${name} → ${target}`).toContain(condition);
        if (condition === 'service_healthy') expect(hasHealthcheck(services[target]!), `${target} needs a healthcheck (${name} waits for it)`).toBe(true);
        // A service that restarts whenever it exits never "completes".
        if (condition === 'service_completed_successfully') expect(services[target]!.restart ?? 'no', `${target} restart policy`).toBe('no');
      }
    }
    expect(dependenciesOf(service('migrate'))).toEqual({ clickhouse: 'service_healthy' });
    expect(dependenciesOf(service('ingest'))).toEqual({ kafka: 'service_healthy', migrate: 'service_completed_successfully' });
    expect(dependenciesOf(service('bulletin'))).toEqual({ migrate: 'service_completed_successfully' });
  });

  it('declares every named volume the services mount', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, svc] of Object.entries(services)) {
      for (const volume of svc.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        const isNamed = source !== '' && !/^[./~]/.test(source) && (typeof volume === 'string' || volume.type === 'volume');
        if (isNamed) expect(declared, `${name} mounts volume "${source}"`).toContain(source);
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
    expect(known).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'CLICKHOUSE_DATABASE']));
    for (const [name, svc] of appServices) {
      const env = environmentOf(svc);
      for (const variable of Object.keys(env)) expect(known, `${name} sets ${variable}, which govstats does not read`).toContain(variable);

      const config = loadConfig(env);
      expect(config.kafka.brokers).toEqual(env.KAFKA_BROKERS!.split(','));
      expect(config.clickhouse.url).toBe(env.CLICKHOUSE_URL);
      expect(config.clickhouse.username).toBe(env.CLICKHOUSE_USER);
      expect(config.clickhouse.password).toBe(env.CLICKHOUSE_PASSWORD);
      expect(config.clickhouse.database).toBe(env.CLICKHOUSE_DATABASE);
    }
  });

  it.skipIf(!composeAvailable())('is accepted by docker compose config', () => {
    const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });
});
