import { spawn } from 'node:child_process';
import { open, readFile, rename } from 'node:fs/promises';
import { childEnvironment } from '@govstats/config';
import { createLogger } from '@govstats/log';
import { parseListenerPort, parseVoterCount } from './broker-config.ts';
import type { KafkaNodeSettings } from './node-layout.ts';
import { isOurBroker, readPidFile, signal, waitForExit } from './process-control.ts';

const log = createLogger('local-kafka');

/** Single node: room for large batches. */
export const SINGLE_NODE_HEAP_OPTIONS = ['-Xms256m', '-Xmx768m'];
/** Per node of a cluster: several JVMs share a small machine. */
export const CLUSTER_NODE_HEAP_OPTIONS = ['-Xms128m', '-Xmx512m'];

export function defaultHeapOptions(nodeCount: number): string[] {
  return nodeCount === 1 ? SINGLE_NODE_HEAP_OPTIONS : CLUSTER_NODE_HEAP_OPTIONS;
}

export interface RunningNode {
  pid: number;
  /** The client port it was started with (may differ from today's settings). */
  port: number;
  /** Size of the cluster it was started in, from its controller.quorum.voters. */
  nodeCount: number;
}

/** The node's JVM per its pid file, if alive and really ours (pids get reused). */
export async function findRunningNode(node: KafkaNodeSettings): Promise<RunningNode | undefined> {
  const pid = await readPidFile(node.pidFile);
  if (pid === undefined || !(await isOurBroker(pid, node.serverPropertiesFile))) return undefined;
  const properties = await readFile(node.serverPropertiesFile, 'utf8').catch(() => '');
  return { pid, port: parseListenerPort(properties) ?? node.port, nodeCount: parseVoterCount(properties) ?? 1 };
}

export interface SpawnedNode {
  pid: number;
  /** Set once the JVM has exited, e.g. "exit code 1". */
  exitStatus: () => string | undefined;
}

/** Starts the node's JVM detached: it keeps running after this process exits. */
export async function spawnNode(java: string, classpath: string, node: KafkaNodeSettings, heapOptions: string[]): Promise<SpawnedNode> {
  await rotateLog(node.logFile);
  const logHandle = await open(node.logFile, 'a');
  try {
    const child = spawn(
      java,
      [
        ...heapOptions,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${node.log4jConfigFile}`,
        'kafka.Kafka',
        node.serverPropertiesFile,
      ],
      {
        cwd: node.nodeDir,
        // CLASSPATH instead of -cp keeps the command line short enough for `ps` to show it whole.
        env: childEnvironment({ CLASSPATH: classpath }),
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

/** SIGTERM (clean shutdown), then SIGKILL after timeoutMs; returns true when SIGKILL was needed. */
export async function terminateNode(pid: number, timeoutMs: number): Promise<boolean> {
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, timeoutMs)) return false;
  log.warn({ pid, timeoutMs }, 'Kafka node ignored SIGTERM; killing it');
  await killNode(pid);
  return true;
}

/** SIGKILL: the node dies as in a crash, without a clean shutdown. */
export async function killNode(pid: number): Promise<void> {
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000))) {
    throw new Error(`Kafka node pid ${pid} is still alive after SIGKILL; check it with: ps -p ${pid} -o stat,args`);
  }
}
