import { join } from 'node:path';
import { KAFKA_NODE_ID } from './broker-config.ts';
import type { KafkaSettings } from './settings.ts';

/** Enough for fault tests (lose one node, keep a quorum); more would not fit a small machine. */
export const MAX_LOCAL_NODES = 7;

/** Where one combined broker+controller node listens and keeps its files. */
export interface KafkaNodeSettings {
  id: number;
  /** How messages name it: "the Kafka broker" alone, "Kafka node 2" in a cluster. */
  label: string;
  host: string;
  /** Client (PLAINTEXT) port. */
  port: number;
  controllerPort: number;
  /** How far both ports are from KAFKA_PORT / KAFKA_CONTROLLER_PORT: 2·(id − 1) in a cluster, 0 alone. */
  portOffset: number;
  /** `${kafkaHome}` for a single node (today's layout), `${kafkaHome}/node-<id>` in a cluster. */
  nodeDir: string;
  dataDir: string;
  serverPropertiesFile: string;
  pidFile: string;
  logFile: string;
  log4jConfigFile: string;
}

/** Rejects node counts the local cluster cannot run, naming what was asked for. */
export function checkNodeCount(nodes: number, source = 'nodes'): number {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_LOCAL_NODES) {
    throw new Error(`${source}=${nodes} is not a local Kafka cluster size: use a whole number from 1 to ${MAX_LOCAL_NODES}`);
  }
  return nodes;
}

export function clusterNodeDir(kafkaHome: string, id: number): string {
  return join(kafkaHome, `node-${id}`);
}

/**
 * The nodes of a local cluster of `nodeCount`. One node keeps the original single-broker layout
 * (so existing data dirs keep working). In a cluster node <id> (1-based) listens on
 *   client port     = port + 2·(id − 1)
 *   controller port = controllerPort + 2·(id − 1)
 * so with the defaults 19092/19093 the nodes take 19092–19097 without overlapping.
 */
export function nodeLayout(settings: KafkaSettings, nodeCount: number): KafkaNodeSettings[] {
  checkNodeCount(nodeCount);
  const nodes =
    nodeCount === 1
      ? [singleNodeSettings(settings)]
      : Array.from({ length: nodeCount }, (_, index) => clusterNodeSettings(settings, index + 1));
  assertDistinctPorts(nodes);
  return nodes;
}

/** The one node of a single-node setup: today's layout directly under `${kafkaHome}`. */
export function singleNodeSettings(settings: KafkaSettings): KafkaNodeSettings {
  return {
    id: KAFKA_NODE_ID,
    label: 'the Kafka broker',
    host: settings.host,
    port: settings.port,
    controllerPort: settings.controllerPort,
    portOffset: 0,
    nodeDir: settings.kafkaHome,
    dataDir: settings.dataDir,
    serverPropertiesFile: settings.serverPropertiesFile,
    pidFile: settings.pidFile,
    logFile: settings.logFile,
    log4jConfigFile: settings.log4jConfigFile,
  };
}

/** Node <id> of a multi-node cluster, under `${kafkaHome}/node-<id>`; see nodeLayout for the port scheme. */
export function clusterNodeSettings(settings: KafkaSettings, id: number): KafkaNodeSettings {
  const nodeDir = clusterNodeDir(settings.kafkaHome, id);
  const portOffset = 2 * (id - 1);
  return {
    id,
    label: `Kafka node ${id}`,
    host: settings.host,
    port: settings.port + portOffset,
    controllerPort: settings.controllerPort + portOffset,
    portOffset,
    nodeDir,
    dataDir: join(nodeDir, 'data'),
    serverPropertiesFile: join(nodeDir, 'server.properties'),
    pidFile: join(nodeDir, 'broker.pid'),
    logFile: join(nodeDir, 'broker.log'),
    log4jConfigFile: settings.log4jConfigFile,
  };
}

function assertDistinctPorts(nodes: KafkaNodeSettings[]): void {
  const owners = new Map<number, string>();
  for (const node of nodes) {
    for (const [port, role] of [
      [node.port, 'client'],
      [node.controllerPort, 'controller'],
    ] as const) {
      const what = `${node.label} ${role} port`;
      if (port > 65535) {
        throw new Error(`${what} would be ${port}, beyond 65535: choose a lower KAFKA_PORT / KAFKA_CONTROLLER_PORT`);
      }
      const other = owners.get(port);
      if (other) {
        throw new Error(
          `${what} ${port} is also the ${other}: node <id> uses KAFKA_PORT + 2·(id−1) and KAFKA_CONTROLLER_PORT + 2·(id−1), ` +
            'so choose KAFKA_CONTROLLER_PORT = KAFKA_PORT + 1 (the default) or ports far apart',
        );
      }
      owners.set(port, what);
    }
  }
}
