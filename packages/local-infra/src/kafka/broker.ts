import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@govstats/log';
import { ensureKafkaClasspath } from './artifacts.ts';
import { parseListenerPort, renderServerProperties } from './broker-config.ts';
import { requireJava } from './executables.ts';
import { probeKafka } from './health.ts';
import { indent, tailFile } from './log-tail.ts';
import { isPortFree } from './port-check.ts';
import { isAlive, isOurBroker, readPidFile, removePidFile, signal, waitForExit, writePidFile } from './process-control.ts';
import { kafkaSettings, type KafkaPortOptions, type KafkaSettings } from './settings.ts';
import { withFileLock } from './start-lock.ts';
import { formatStorageIfNeeded } from './storage.ts';

const log = createLogger('local-kafka');

/** A cold JVM on a 2-core machine needs 10–30 s; leave room for a busy machine. */
const DEFAULT_STARTUP_TIMEOUT_MS = 90_000;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** Covers another process doing a first Maven download plus a broker start while we wait. */
const START_LOCK_WAIT_MS = 12 * 60_000;
const DEFAULT_HEAP_OPTIONS = ['-Xms256m', '-Xmx768m'];

export interface StartKafkaOptions extends KafkaPortOptions {
  /** How long to wait for the broker to answer; default 90 s. */
  startupTimeoutMs?: number;
  /** JVM heap flags; default -Xms256m -Xmx768m. */
  heapOptions?: string[];
}

export interface KafkaBroker {
  /** bootstrap servers, e.g. ["127.0.0.1:19092"] */
  brokers: string[];
  /** True when a healthy govstats broker was already running (so the caller should not stop it). */
  alreadyRunning: boolean;
}

export interface KafkaStatus {
  running: boolean;
  pid?: number;
  brokers: string[];
  healthy: boolean;
  logFile: string;
  dataDir: string;
}

export interface StopKafkaResult {
  wasRunning: boolean;
  /** True when the broker ignored SIGTERM and had to be killed. */
  forced: boolean;
}

/**
 * Starts the local single-node Kafka broker (KRaft) unless it already runs, and waits until it
 * serves clients. The JVM is detached: it keeps running after this process exits, until
 * stopKafka().
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const settings = kafkaSettings(options);
  const timeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  await mkdir(settings.kafkaHome, { recursive: true });

  return withFileLock(settings.startLockFile, START_LOCK_WAIT_MS, async () => {
    const running = await findRunningBroker(settings);
    if (running) {
      if (running.port !== settings.port) {
        throw new Error(
          `the govstats Kafka broker is already running on port ${running.port} (pid ${running.pid}), not on the requested port ${settings.port}: ` +
            `use brokers 127.0.0.1:${running.port}, or stop it first (stopKafka()) to restart it on port ${settings.port}`,
        );
      }
      const brokers = brokerList(settings, running.port);
      await waitUntilHealthy({ settings, brokers, pid: running.pid, timeoutMs, startedByUs: false });
      log.debug({ pid: running.pid, brokers }, 'Kafka broker already running');
      return { brokers, alreadyRunning: true };
    }

    await removePidFile(settings.pidFile);
    await assertPortsFree(settings);
    const [java, classpath] = await Promise.all([requireJava(), ensureKafkaClasspath()]);
    await writeFile(settings.serverPropertiesFile, renderServerProperties(settings));
    await formatStorageIfNeeded(java, classpath, settings);

    const started = Date.now();
    const child = await spawnBroker(java, classpath, settings, options.heapOptions ?? DEFAULT_HEAP_OPTIONS);
    await writePidFile(settings.pidFile, child.pid);
    const brokers = brokerList(settings, settings.port);
    log.info({ pid: child.pid, brokers, logFile: settings.logFile }, 'Kafka broker starting');
    try {
      await waitUntilHealthy({ settings, brokers, pid: child.pid, timeoutMs, startedByUs: true, exitStatus: child.exitStatus });
    } catch (error) {
      // A half-started broker would hold the ports and confuse the next attempt.
      await killBroker(child.pid, 5_000);
      await removePidFile(settings.pidFile);
      throw error;
    }
    log.info({ pid: child.pid, brokers, ms: Date.now() - started }, 'Kafka broker ready');
    return { brokers, alreadyRunning: false };
  });
}

/** Stops the govstats broker: SIGTERM (clean shutdown), then SIGKILL if it hangs. */
export async function stopKafka(options: { timeoutMs?: number } = {}): Promise<StopKafkaResult> {
  const settings = kafkaSettings();
  const pid = await readPidFile(settings.pidFile);
  if (pid === undefined || !(await isOurBroker(pid, settings.serverPropertiesFile))) {
    await removePidFile(settings.pidFile);
    return { wasRunning: false, forced: false };
  }
  log.info({ pid }, 'stopping Kafka broker');
  const forced = await killBroker(pid, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  await removePidFile(settings.pidFile);
  log.info({ pid, forced }, 'Kafka broker stopped');
  return { wasRunning: true, forced };
}

export async function kafkaStatus(options: KafkaPortOptions = {}): Promise<KafkaStatus> {
  const settings = kafkaSettings(options);
  const running = await findRunningBroker(settings);
  const brokers = brokerList(settings, running?.port ?? settings.port);
  const healthy = running ? (await probeKafka(brokers, 3_000)).healthy : false;
  return { running: running !== undefined, pid: running?.pid, brokers, healthy, logFile: settings.logFile, dataDir: settings.dataDir };
}

/** Deletes all topics and offsets (the data dir); the next start formats it afresh. */
export async function resetKafkaData(): Promise<void> {
  const settings = kafkaSettings();
  await mkdir(settings.kafkaHome, { recursive: true });
  await withFileLock(settings.startLockFile, 30_000, async () => {
    const running = await findRunningBroker(settings);
    if (running) {
      throw new Error(`refusing to wipe ${settings.dataDir}: the Kafka broker (pid ${running.pid}) is running; call stopKafka() first`);
    }
    await rm(settings.dataDir, { recursive: true, force: true });
    log.info({ dataDir: settings.dataDir }, 'Kafka data wiped');
  });
}

function brokerList(settings: KafkaSettings, port: number): string[] {
  return [`${settings.host}:${port}`];
}

/** Our broker per the pid file, with the port it was started on (which may differ from today's settings). */
async function findRunningBroker(settings: KafkaSettings): Promise<{ pid: number; port: number } | undefined> {
  const pid = await readPidFile(settings.pidFile);
  if (pid === undefined || !(await isOurBroker(pid, settings.serverPropertiesFile))) return undefined;
  const properties = await readFile(settings.serverPropertiesFile, 'utf8').catch(() => '');
  return { pid, port: parseListenerPort(properties) ?? settings.port };
}

async function assertPortsFree(settings: KafkaSettings): Promise<void> {
  for (const [port, variable] of [
    [settings.port, 'KAFKA_PORT'],
    [settings.controllerPort, 'KAFKA_CONTROLLER_PORT'],
  ] as const) {
    if (await isPortFree(port, settings.host)) continue;
    throw new Error(
      `port ${port} on ${settings.host} is already in use by another process, not by the govstats Kafka broker ` +
        `(no live broker in ${settings.pidFile}). Stop that process (find it with: ss -ltnp 'sport = :${port}'), ` +
        `or choose another port with ${variable}=<port>. If it is a Kafka broker you want to use, set KAFKA_BROKERS=${settings.host}:${port} instead.`,
    );
  }
}

interface SpawnedBroker {
  pid: number;
  /** Set once the JVM has exited, e.g. "exit code 1". */
  exitStatus: () => string | undefined;
}

async function spawnBroker(java: string, classpath: string, settings: KafkaSettings, heapOptions: string[]): Promise<SpawnedBroker> {
  await rotateLog(settings.logFile);
  const logHandle = await open(settings.logFile, 'a');
  try {
    const child = spawn(
      java,
      [
        ...heapOptions,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${settings.log4jConfigFile}`,
        'kafka.Kafka',
        settings.serverPropertiesFile,
      ],
      {
        cwd: settings.kafkaHome,
        // CLASSPATH instead of -cp keeps the command line short enough for `ps` to show it whole.
        env: { ...process.env, CLASSPATH: classpath },
        // Own process group and no pipes back to us: the broker outlives the command that started it.
        detached: true,
        stdio: ['ignore', logHandle.fd, logHandle.fd],
      },
    );
    let exitStatus: string | undefined;
    child.once('exit', (code, signalName) => {
      exitStatus = code !== null ? `exit code ${code}` : `signal ${signalName}`;
    });
    await new Promise<void>((resolvePromise, reject) => {
      child.once('spawn', resolvePromise);
      child.once('error', reject);
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${java}: no pid`);
    return { pid: child.pid, exitStatus: () => exitStatus };
  } finally {
    await logHandle.close();
  }
}

/** Keeps the previous run's log as broker.log.1 so a restart does not erase the evidence. */
async function rotateLog(logFile: string): Promise<void> {
  await rename(logFile, `${logFile}.1`).catch(() => undefined);
}

interface HealthWait {
  settings: KafkaSettings;
  brokers: string[];
  pid: number;
  timeoutMs: number;
  startedByUs: boolean;
  exitStatus?: () => string | undefined;
}

async function waitUntilHealthy({ settings, brokers, pid, timeoutMs, startedByUs, exitStatus }: HealthWait): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (!(await isAlive(pid))) {
      const status = exitStatus?.() ?? 'exited';
      throw await brokerFailure(settings, `the Kafka broker (pid ${pid}) stopped during startup (${status})`);
    }
    const probe = await probeKafka(brokers, 5_000);
    if (probe.healthy) return;
    lastError = probe.error ?? lastError;
    if (Date.now() > deadline) {
      const what = startedByUs
        ? `the Kafka broker (pid ${pid}) did not answer at ${brokers.join(',')} within ${Math.round(timeoutMs / 1000)} s`
        : `the already running Kafka broker (pid ${pid}) does not answer at ${brokers.join(',')}; stop it with stopKafka() and start again`;
      throw await brokerFailure(settings, `${what} (last probe: ${lastError})`);
    }
    await sleep(500);
  }
}

async function brokerFailure(settings: KafkaSettings, what: string): Promise<Error> {
  const tail = await tailFile(settings.logFile, 40);
  return new Error(
    `${what}.\n` +
      `Last lines of ${settings.logFile}:\n${indent(tail || '(empty)')}\n` +
      `What to do: read ${settings.logFile}. If it reports a damaged or mismatched data dir (e.g. cluster id or ` +
      `metadata version), call resetKafkaData() (deletes ${settings.dataDir}); if the machine is just slow, ` +
      `pass a larger startupTimeoutMs.`,
  );
}

/** SIGTERM, then SIGKILL after timeoutMs; returns true when SIGKILL was needed. */
async function killBroker(pid: number, timeoutMs: number): Promise<boolean> {
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, timeoutMs)) return false;
  log.warn({ pid, timeoutMs }, 'Kafka broker ignored SIGTERM; killing it');
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000))) {
    throw new Error(`Kafka broker pid ${pid} is still alive after SIGKILL; check it with: ps -p ${pid} -o stat,args`);
  }
  return true;
}
