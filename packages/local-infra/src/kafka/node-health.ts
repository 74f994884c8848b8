import { pollUntil } from '@govstats/log';
import { probeKafka, type ProbeClientOptions } from './health.ts';
import { indent, tailFile } from './log-tail.ts';
import type { KafkaNodeSettings } from './node-layout.ts';
import { isAlive } from './process-control.ts';

export interface WatchedNode {
  node: KafkaNodeSettings;
  pid: number;
  /** Set once a JVM we spawned has exited. */
  exitStatus?: () => string | undefined;
}

export interface HealthWait {
  nodes: WatchedNode[];
  /** Every node must list these brokers as live: proof that the controller quorum has a leader that unfenced them. */
  expectedBrokerIds: number[];
  timeoutMs: number;
  startedByUs: boolean;
  /** How to reach a secure listener. */
  client?: ProbeClientOptions;
}

export function nodeAddress(node: Pick<KafkaNodeSettings, 'host' | 'port'>): string {
  return `${node.host}:${node.port}`;
}

/** Waits until every node answers on its own address and lists all expected brokers. */
export async function waitUntilHealthy({ nodes, expectedBrokerIds, timeoutMs, startedByUs, client }: HealthWait): Promise<void> {
  const pending = new Map(nodes.map((watched) => [watched.node.id, { watched, lastError: 'no answer yet' }]));
  const allReady = await pollUntil(
    async () => {
      await Promise.all(
        [...pending.values()].map(async (entry) => {
          const { node, pid, exitStatus } = entry.watched;
          if (!(await isAlive(pid))) {
            const status = exitStatus?.() ?? 'exited';
            throw await nodeFailure(node, `${node.label} (pid ${pid}) stopped during startup (${status})`);
          }
          const probe = await probeKafka([nodeAddress(node)], 5_000, client);
          const missing = expectedBrokerIds.filter((id) => !probe.brokerIds?.includes(id));
          if (probe.healthy && missing.length === 0) pending.delete(node.id);
          else entry.lastError = probe.error ?? `answers, but brokers ${missing.join(', ')} are not live yet`;
        }),
      );
      return pending.size === 0;
    },
    { timeoutMs, intervalMs: 500 },
  );
  if (allReady) return;
  const [{ watched, lastError }] = [...pending.values()] as [{ watched: WatchedNode; lastError: string }];
  const { node, pid } = watched;
  const what = startedByUs
    ? `${node.label} (pid ${pid}) did not become ready at ${nodeAddress(node)} within ${Math.round(timeoutMs / 1000)} s`
    : `${node.label} (pid ${pid}) is already running but not ready at ${nodeAddress(node)}; stop Kafka with stopKafka() and start again`;
  const others = pending.size > 1 ? ` (nodes ${[...pending.keys()].join(', ')} are not ready)` : '';
  throw await nodeFailure(node, `${what}${others} (last probe: ${lastError})`);
}

/** An error that quotes the node's log and says what to do about it. */
export async function nodeFailure(node: KafkaNodeSettings, what: string): Promise<Error> {
  const tail = await tailFile(node.logFile, 40);
  return new Error(
    `${what}.\n` +
      `Last lines of ${node.logFile}:\n${indent(tail || '(empty)')}\n` +
      `What to do: read ${node.logFile}. If it reports a damaged or mismatched data dir (e.g. cluster id or ` +
      `metadata version), run \`govstats infra down\` then \`govstats infra reset\` (deletes ${node.dataDir} and the other nodes' data); ` +
      `if the machine is just slow, pass a larger startupTimeoutMs.`,
  );
}
