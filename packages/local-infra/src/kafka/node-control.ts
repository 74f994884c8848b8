import { mkdir } from 'node:fs/promises';
import { createLogger } from '@govstats/log';
import { ensureKafkaClasspath } from './artifacts.ts';
import { requireJava } from './executables.ts';
import { clusterNodeAsConfigured } from './local-cluster.ts';
import { nodeAddress, waitUntilHealthy } from './node-health.ts';
import type { KafkaNodeSettings } from './node-layout.ts';
import { assertNodePortsFree } from './node-ports.ts';
import { defaultHeapOptions, findRunningNode, killNode, spawnNode, terminateNode } from './node-process.ts';
import { removePidFile, writePidFile } from './process-control.ts';
import { kafkaSettings } from './settings.ts';
import { withFileLock } from './start-lock.ts';
import { isStorageFormatted } from './storage.ts';
import { DEFAULT_STARTUP_TIMEOUT_MS, DEFAULT_STOP_TIMEOUT_MS, START_LOCK_WAIT_MS } from './timeouts.ts';

/**
 * Control of one node of a multi-node local cluster, for fault tests: crash or stop a node, then
 * bring it back with its data. A single-node setup is started and stopped with startKafka/stopKafka.
 */

const log = createLogger('local-kafka');

export interface StopKafkaNodeOptions {
  /** SIGTERM: clean shutdown (SIGKILL after timeoutMs); SIGKILL: a crash. Default SIGTERM. */
  signal?: 'SIGTERM' | 'SIGKILL';
  timeoutMs?: number;
}

export interface StopKafkaNodeResult {
  wasRunning: boolean;
  /** True when SIGKILL ended it (asked for, or after SIGTERM timed out). */
  killed: boolean;
}

export interface StartKafkaNodeOptions {
  /** How long to wait for the node to answer; default 90 s. */
  startupTimeoutMs?: number;
  heapOptions?: string[];
}

export interface StartedKafkaNode {
  id: number;
  pid: number;
  /** host:port of its client listener */
  broker: string;
  alreadyRunning: boolean;
}

export async function stopKafkaNode(id: number, options: StopKafkaNodeOptions = {}): Promise<StopKafkaNodeResult> {
  const node = await existingClusterNode(id);
  const running = await findRunningNode(node);
  if (!running) {
    await removePidFile(node.pidFile);
    return { wasRunning: false, killed: false };
  }
  const signalName = options.signal ?? 'SIGTERM';
  log.info({ node: id, pid: running.pid, signal: signalName }, 'stopping Kafka node');
  let killed = true;
  if (signalName === 'SIGKILL') await killNode(running.pid);
  else killed = await terminateNode(running.pid, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  await removePidFile(node.pidFile);
  return { wasRunning: true, killed };
}

/**
 * Starts one stopped node of an existing cluster on its existing data and configuration, and
 * waits until it serves clients again (it then catches up and rejoins the ISRs on its own).
 */
export async function startKafkaNode(id: number, options: StartKafkaNodeOptions = {}): Promise<StartedKafkaNode> {
  const settings = kafkaSettings();
  const timeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  return withFileLock(settings.startLockFile, START_LOCK_WAIT_MS, async () => {
    const node = await existingClusterNode(id);
    const { nodeCount = 1 } = await clusterNodeAsConfigured(settings, id);
    if (!(await isStorageFormatted(node.dataDir))) {
      throw new Error(
        `${node.label} has no formatted data in ${node.dataDir}: start the whole cluster with startKafka({ nodes: ${nodeCount} })`,
      );
    }
    const running = await findRunningNode(node);
    if (running) {
      await waitUntilHealthy({ nodes: [{ node, pid: running.pid }], expectedBrokerIds: [id], timeoutMs, startedByUs: false });
      return { id, pid: running.pid, broker: nodeAddress(node), alreadyRunning: true };
    }

    await removePidFile(node.pidFile);
    await assertNodePortsFree([node]);
    const [java, classpath] = await Promise.all([requireJava(), ensureKafkaClasspath()]);
    await mkdir(node.nodeDir, { recursive: true });
    const child = await spawnNode(java, classpath, node, options.heapOptions ?? defaultHeapOptions(nodeCount));
    await writePidFile(node.pidFile, child.pid);
    log.info({ node: id, pid: child.pid, broker: nodeAddress(node) }, 'Kafka node restarting');
    try {
      await waitUntilHealthy({
        nodes: [{ node, pid: child.pid, exitStatus: child.exitStatus }],
        expectedBrokerIds: [id],
        timeoutMs,
        startedByUs: true,
      });
    } catch (error) {
      await terminateNode(child.pid, 5_000).catch(() => undefined);
      await removePidFile(node.pidFile);
      throw error;
    }
    return { id, pid: child.pid, broker: nodeAddress(node), alreadyRunning: false };
  });
}

/** Node <id> as the cluster configured it, or an error when no cluster with that node was ever started. */
async function existingClusterNode(id: number): Promise<KafkaNodeSettings> {
  const { node, configured } = await clusterNodeAsConfigured(kafkaSettings(), id);
  if (!configured) {
    throw new Error(
      `there is no Kafka node ${id} in ${kafkaSettings().kafkaHome} (no ${node.serverPropertiesFile}): ` +
        'per-node control is for a multi-node cluster started with startKafka({ nodes }) / `govstats infra up --brokers N`',
    );
  }
  return node;
}
