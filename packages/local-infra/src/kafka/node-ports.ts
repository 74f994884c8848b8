import type { KafkaNodeSettings } from './node-layout.ts';
import { isPortFree } from './port-check.ts';

/** Fails, saying who to blame and what to change, when a port a node needs is taken. */
export async function assertNodePortsFree(nodes: readonly KafkaNodeSettings[]): Promise<void> {
  for (const node of nodes) {
    for (const [port, role, variable] of [
      [node.port, 'client', 'KAFKA_PORT'],
      [node.controllerPort, 'controller', 'KAFKA_CONTROLLER_PORT'],
    ] as const) {
      if (await isPortFree(port, node.host)) continue;
      const uses = node.portOffset > 0 ? ` (${node.label} uses ${variable} + ${node.portOffset} as its ${role} port)` : '';
      throw new Error(
        `port ${port} on ${node.host} is already in use by another process, not by ${node.label} of govstats ` +
          `(no live broker in ${node.pidFile}). Stop that process (find it with: ss -ltnp 'sport = :${port}'), ` +
          `or choose other ports with ${variable}=<port>${uses}. If it is a Kafka broker you want to use, set KAFKA_BROKERS=${node.host}:${port} instead.`,
      );
    }
  }
}
