import { readdir, readFile } from 'node:fs/promises';
import { parseListenerPort, parseVoterCount } from './broker-config.ts';
import { clusterNodeSettings, singleNodeSettings, type KafkaNodeSettings } from './node-layout.ts';
import { findRunningNode, type RunningNode } from './node-process.ts';
import type { KafkaSettings } from './settings.ts';
import { isStorageFormatted } from './storage.ts';

/** What the files of ${GOVSTATS_HOME}/kafka say about the local nodes, whether or not they run. */

export interface FoundNode {
  node: KafkaNodeSettings;
  running: RunningNode;
}

/** Ids of the `node-<id>` directories of a multi-node cluster, ascending. */
export async function clusterNodeIdsOnDisk(kafkaHome: string): Promise<number[]> {
  const entries = await readdir(kafkaHome, { withFileTypes: true }).catch(() => []);
  return entries
    .flatMap((entry) => {
      const id = entry.isDirectory() ? /^node-(\d+)$/.exec(entry.name)?.[1] : undefined;
      return id ? [Number(id)] : [];
    })
    .sort((a, b) => a - b);
}

/** Every govstats Kafka JVM running from this GOVSTATS_HOME, single-node or cluster layout. */
export async function findRunningNodes(settings: KafkaSettings): Promise<FoundNode[]> {
  const candidates = [
    singleNodeSettings(settings),
    ...(await clusterNodeIdsOnDisk(settings.kafkaHome)).map((id) => clusterNodeSettings(settings, id)),
  ];
  const found = await Promise.all(candidates.map(async (node) => ({ node, running: await findRunningNode(node) })));
  return found.filter((entry): entry is FoundNode => entry.running !== undefined);
}

/**
 * The size of the local cluster that runs now (from the voter list its nodes were started with),
 * or undefined when nothing runs. A cluster with a killed node still counts all its nodes.
 */
export async function runningClusterSize(settings: KafkaSettings): Promise<number | undefined> {
  const running = await findRunningNodes(settings);
  return running.length > 0 ? Math.max(...running.map((entry) => entry.running.nodeCount)) : undefined;
}

/**
 * Cluster nodes whose data was formatted for a different cluster size: static voters are baked
 * into the metadata log, so such data cannot be reused with another size.
 */
export async function clusterDataOfOtherSize(
  settings: KafkaSettings,
  nodeCount: number,
): Promise<Array<{ node: KafkaNodeSettings; formattedFor: number }>> {
  const ids = await clusterNodeIdsOnDisk(settings.kafkaHome);
  const checked = await Promise.all(
    ids.map(async (id) => {
      const node = clusterNodeSettings(settings, id);
      if (!(await isStorageFormatted(node.dataDir))) return undefined;
      const formattedFor = parseVoterCount(await readFile(node.serverPropertiesFile, 'utf8').catch(() => '')) ?? id;
      return id > nodeCount || formattedFor !== nodeCount ? { node, formattedFor } : undefined;
    }),
  );
  return checked.filter((entry) => entry !== undefined);
}

/** A cluster node as it was last started: its ports from its own server.properties, if any. */
export async function clusterNodeAsConfigured(
  settings: KafkaSettings,
  id: number,
): Promise<{ node: KafkaNodeSettings; nodeCount?: number; configured: boolean }> {
  const node = clusterNodeSettings(settings, id);
  const properties = await readFile(node.serverPropertiesFile, 'utf8').catch(() => undefined);
  if (properties === undefined) return { node, configured: false };
  return {
    node: {
      ...node,
      port: parseListenerPort(properties, 'PLAINTEXT') ?? node.port,
      controllerPort: parseListenerPort(properties, 'CONTROLLER') ?? node.controllerPort,
    },
    nodeCount: parseVoterCount(properties),
    configured: true,
  };
}
