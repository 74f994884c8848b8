import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createLogger } from '@govstats/log';
import { ensureKafkaClasspath } from './artifacts.ts';
import { renderServerProperties } from './broker-config.ts';
import { requireJava } from './executables.ts';
import { probeKafka } from './health.ts';
import {
  clusterDataOfOtherSize,
  clusterNodeAsConfigured,
  clusterNodeIdsOnDisk,
  findRunningNodes,
  runningClusterSize,
} from './local-cluster.ts';
import { nodeAddress, waitUntilHealthy, type WatchedNode } from './node-health.ts';
import { checkNodeCount, clusterNodeSettings, nodeLayout, singleNodeSettings, type KafkaNodeSettings } from './node-layout.ts';
import { assertNodePortsFree } from './node-ports.ts';
import { defaultHeapOptions, findRunningNode, spawnNode, terminateNode } from './node-process.ts';
import { removePidFile, writePidFile } from './process-control.ts';
import { probeClientOptions, scramFormatArguments, type LocalKafkaSecurity } from './security.ts';
import { kafkaSettings, type KafkaPortOptions, type KafkaSettings } from './settings.ts';
import { withFileLock } from './start-lock.ts';
import { formatStorageIfNeeded } from './storage.ts';
import { DEFAULT_STARTUP_TIMEOUT_MS, DEFAULT_STOP_TIMEOUT_MS, START_LOCK_WAIT_MS } from './timeouts.ts';

const log = createLogger('local-kafka');

export interface KafkaClusterOptions extends KafkaPortOptions {
  /**
   * Combined broker+controller nodes (1–7). Default: the size of the local cluster that already
   * runs, else 1. With more than one, node <id> uses ports port + 2·(id − 1) and
   * controllerPort + 2·(id − 1) and keeps its files in ${GOVSTATS_HOME}/kafka/node-<id>/.
   */
  nodes?: number;
  /**
   * Secure mode: a SASL_SSL client listener (SCRAM-SHA-512 over TLS) and ACLs enforced, see
   * security.ts. Default: PLAINTEXT, no authentication. A data dir formatted in one mode does not
   * suit the other: give a secure broker a `kafkaHome` of its own.
   */
  security?: LocalKafkaSecurity;
}

export interface StartKafkaOptions extends KafkaClusterOptions {
  /** How long to wait for every node to answer; default 90 s. */
  startupTimeoutMs?: number;
  /** JVM heap flags per node; default -Xms256m -Xmx768m alone, -Xms128m -Xmx512m per node of a cluster. */
  heapOptions?: string[];
}

export interface KafkaBroker {
  /** bootstrap servers, one per node, e.g. ["127.0.0.1:19092"] */
  brokers: string[];
  /** True when every node already ran healthy (so the caller should not stop them). */
  alreadyRunning: boolean;
}

export interface KafkaNodeStatus {
  id: number;
  running: boolean;
  pid?: number;
  /** host:port of its client listener */
  broker: string;
  /** Answers clients on its own address. */
  healthy: boolean;
  logFile: string;
  dataDir: string;
}

export interface KafkaStatus {
  /** At least one node runs. */
  running: boolean;
  /** Every node runs and answers. */
  healthy: boolean;
  brokers: string[];
  nodes: KafkaNodeStatus[];
  /** Of node 1 (the only node of a single-node setup). */
  pid?: number;
  logFile: string;
  dataDir: string;
}

export interface StopKafkaResult {
  wasRunning: boolean;
  /** True when a node ignored SIGTERM and had to be killed. */
  forced: boolean;
  stoppedNodeIds: number[];
}

/**
 * Starts the local Kafka (KRaft) nodes that do not run yet, and waits until every node serves
 * clients and lists all nodes as live brokers (so the controller quorum has a leader). The JVMs
 * are detached: they keep running after this process exits, until stopKafka().
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const settings = kafkaSettings(options);
  const timeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const { security } = options;
  const client = probeClientOptions(security);
  await mkdir(settings.kafkaHome, { recursive: true });

  return withFileLock(settings.startLockFile, START_LOCK_WAIT_MS, async () => {
    const nodeCount = checkNodeCount(options.nodes ?? (await runningClusterSize(settings)) ?? 1);
    const layout = nodeLayout(settings, nodeCount);
    const brokers = layout.map(nodeAddress);
    const expectedBrokerIds = layout.map((node) => node.id);
    await assertNoOtherLayoutRunning(settings, nodeCount);
    await assertDataFitsClusterSize(settings, nodeCount);

    const states = await Promise.all(layout.map(async (node) => ({ node, running: await findRunningNode(node) })));
    const alreadyUp: WatchedNode[] = [];
    for (const { node, running } of states) {
      if (!running) continue;
      if (running.port !== node.port) throw portMismatch(node, running.pid, running.port, brokers.length);
      alreadyUp.push({ node, pid: running.pid });
    }
    const toStart = states.filter((state) => !state.running).map((state) => state.node);
    if (toStart.length === 0) {
      await waitUntilHealthy({ nodes: alreadyUp, expectedBrokerIds, timeoutMs, startedByUs: false, client });
      log.debug({ brokers }, 'Kafka already running');
      return { brokers, alreadyRunning: true };
    }

    await Promise.all(toStart.map((node) => removePidFile(node.pidFile)));
    await assertNodePortsFree(toStart);
    const [java, classpath] = await Promise.all([requireJava(), ensureKafkaClasspath()]);
    await Promise.all(
      toStart.map(async (node) => {
        await mkdir(node.nodeDir, { recursive: true });
        // In secure mode it holds the admin's and the keystore's passwords: created afresh, owner-only.
        if (security) await rm(node.serverPropertiesFile, { force: true });
        await writeFile(node.serverPropertiesFile, renderServerProperties(node, layout, security), security ? { mode: 0o600 } : undefined);
        await formatStorageIfNeeded(java, classpath, node, security ? scramFormatArguments(security) : []);
      }),
    );

    const started = Date.now();
    const spawned: WatchedNode[] = [];
    try {
      for (const node of toStart) {
        const child = await spawnNode(java, classpath, node, options.heapOptions ?? defaultHeapOptions(nodeCount));
        await writePidFile(node.pidFile, child.pid);
        spawned.push({ node, pid: child.pid, exitStatus: child.exitStatus });
        log.info({ node: node.id, pid: child.pid, broker: nodeAddress(node), logFile: node.logFile }, 'Kafka node starting');
      }
      await waitUntilHealthy({ nodes: [...alreadyUp, ...spawned], expectedBrokerIds, timeoutMs, startedByUs: true, client });
    } catch (error) {
      // Half-started nodes would hold the ports and confuse the next attempt.
      await Promise.all(
        spawned.map(({ node, pid }) =>
          terminateNode(pid, 5_000)
            .finally(() => removePidFile(node.pidFile))
            .catch(() => undefined),
        ),
      );
      throw error;
    }
    log.info({ brokers, ms: Date.now() - started }, 'Kafka ready');
    return { brokers, alreadyRunning: false };
  });
}

/** Stops every local Kafka node (of `kafkaHome`, default ${GOVSTATS_HOME}/kafka): SIGTERM (clean shutdown), then SIGKILL if one hangs. */
export async function stopKafka(options: { timeoutMs?: number; kafkaHome?: string } = {}): Promise<StopKafkaResult> {
  const settings = kafkaSettings({ kafkaHome: options.kafkaHome });
  const running = await findRunningNodes(settings);
  if (running.length === 0) {
    await removePidFile(settings.pidFile); // a stale one, left by a crash
    return { wasRunning: false, forced: false, stoppedNodeIds: [] };
  }
  log.info({ nodes: running.map(({ node, running: { pid } }) => ({ node: node.id, pid })) }, 'stopping Kafka');
  // All at once: stopped one by one, the last nodes would wait for a quorum that is already gone.
  const forced = await Promise.all(
    running.map(async ({ node, running: { pid } }) => {
      const wasForced = await terminateNode(pid, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
      await removePidFile(node.pidFile);
      return wasForced;
    }),
  );
  const result = { wasRunning: true, forced: forced.some(Boolean), stoppedNodeIds: running.map(({ node }) => node.id) };
  log.info(result, 'Kafka stopped');
  return result;
}

/** Each node of the local cluster (the running one, else of `nodes`, else the single node), running or not. */
export async function kafkaNodes(options: KafkaClusterOptions = {}): Promise<KafkaNodeStatus[]> {
  const settings = kafkaSettings(options);
  const nodeCount = checkNodeCount(options.nodes ?? (await runningClusterSize(settings)) ?? 1);
  const layout =
    nodeCount === 1
      ? [singleNodeSettings(settings)]
      : await Promise.all(nodeLayout(settings, nodeCount).map(async (node) => (await clusterNodeAsConfigured(settings, node.id)).node));
  return Promise.all(
    layout.map(async (node) => {
      const running = await findRunningNode(node);
      const broker = nodeAddress({ host: node.host, port: running?.port ?? node.port });
      const healthy = running ? (await probeKafka([broker], 3_000, probeClientOptions(options.security))).healthy : false;
      return {
        id: node.id,
        running: running !== undefined,
        pid: running?.pid,
        broker,
        healthy,
        logFile: node.logFile,
        dataDir: node.dataDir,
      };
    }),
  );
}

export async function kafkaStatus(options: KafkaClusterOptions = {}): Promise<KafkaStatus> {
  const nodes = await kafkaNodes(options);
  const first = nodes[0]!;
  return {
    running: nodes.some((node) => node.running),
    healthy: nodes.every((node) => node.healthy),
    brokers: nodes.map((node) => node.broker),
    nodes,
    pid: first.pid,
    logFile: first.logFile,
    dataDir: first.dataDir,
  };
}

/** Deletes all topics and offsets (the data dirs of every node); the next start formats them afresh. */
export async function resetKafkaData(): Promise<void> {
  const settings = kafkaSettings();
  await mkdir(settings.kafkaHome, { recursive: true });
  await withFileLock(settings.startLockFile, 30_000, async () => {
    const running = await findRunningNodes(settings);
    if (running.length > 0) {
      const pids = running.map(({ running: { pid } }) => pid).join(', ');
      throw new Error(
        `refusing to wipe the Kafka data in ${settings.kafkaHome}: Kafka (pid ${pids}) is running; stop it first (\`govstats infra down\`)`,
      );
    }
    const clusterDataDirs = (await clusterNodeIdsOnDisk(settings.kafkaHome)).map((id) => clusterNodeSettings(settings, id).dataDir);
    const dataDirs = [settings.dataDir, ...clusterDataDirs];
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    log.info({ dataDirs }, 'Kafka data wiped');
  });
}

/** A single broker and a cluster share ports: only one of them may run. */
async function assertNoOtherLayoutRunning(settings: KafkaSettings, nodeCount: number): Promise<void> {
  const running = await findRunningNodes(settings);
  const other = running.find(({ running: { nodeCount: runningCount } }) => runningCount !== nodeCount);
  if (!other) return;
  const runningCount = other.running.nodeCount;
  const what = runningCount === 1 ? 'the single-node govstats Kafka broker is' : `a ${runningCount}-node govstats Kafka cluster is`;
  throw new Error(
    `${what} already running (pid ${other.running.pid}), but ${nodeCount === 1 ? 'a single node was' : `${nodeCount} nodes were`} requested: ` +
      `use it (nodes: ${runningCount}, \`govstats infra up --brokers ${runningCount}\`), or stop it first (stopKafka(), \`govstats infra down\`)`,
  );
}

async function assertDataFitsClusterSize(settings: KafkaSettings, nodeCount: number): Promise<void> {
  if (nodeCount === 1) return; // the single node has a data dir of its own
  const misfits = await clusterDataOfOtherSize(settings, nodeCount);
  if (misfits.length === 0) return;
  const { node, formattedFor } = misfits[0]!;
  throw new Error(
    `${node.dataDir} holds data of a ${formattedFor}-node local Kafka cluster, so a ${nodeCount}-node cluster cannot start on it: ` +
      `start ${formattedFor} nodes instead (\`govstats infra up --brokers ${formattedFor}\`), or wipe the cluster data (\`govstats infra down\`, then \`govstats infra reset\`)`,
  );
}

function portMismatch(node: KafkaNodeSettings, pid: number, runningPort: number, nodeCount: number): Error {
  const variable = node.portOffset > 0 ? `KAFKA_PORT + ${node.portOffset}` : 'KAFKA_PORT';
  return new Error(
    `${node.label} of govstats is already running on port ${runningPort} (pid ${pid}), not on the requested port ${node.port} (${variable}): ` +
      `use ${nodeCount === 1 ? `brokers ${node.host}:${runningPort}` : 'the ports it runs on (see `govstats infra status`)'}, ` +
      `or stop it first (stopKafka()) to restart it on port ${node.port}`,
  );
}
