import { parseArgs } from 'node:util';
import { kafkaStatus, MAX_LOCAL_NODES, resetKafkaData, resolveInfrastructure, stopKafka, type Infrastructure } from '@govstats/local-infra';
import { createKafka } from '@govstats/kafka';
import { isVariableSet, type Config } from '@govstats/config';
import { renderTable } from '../output/table.ts';
import { UsageError, config, createTopics } from '../runtime.ts';
import { readLease } from '@govstats/store';

export const usage = `govstats infra up [--brokers N]|down|status|reset
  up      starts the local Kafka broker (KRaft, from pinned Maven Central artifacts) unless
          KAFKA_BROKERS is set, waits until it is healthy and creates the topics;
          --brokers N (1–${MAX_LOCAL_NODES}, or KAFKA_LOCAL_BROKERS) starts an N-node cluster instead, and the
          topics get replication factor min(3, N) and min.insync.replicas min(2, N)
  down    stops the local broker (every node of a cluster)
  status  tells what runs where, node by node
  reset   deletes the local Kafka data (every topic and offset, every node's); refused while it runs`;

export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const cfg = config();
  switch (action) {
    case 'up': {
      const brokers = parseBrokerCount(rest);
      const infra = await resolveInfrastructure({ keepRunning: true, brokers });
      const topicConfig = withClusterReplication(cfg, infra);
      const created = await createTopics(
        topicConfig,
        createKafka({ brokers: infra.kafkaBrokers, clientId: cfg.kafka.clientId, security: cfg.kafka.security }),
      );
      const replication = topicConfig.kafka.replicationFactor > 1 ? ` (replication factor ${topicConfig.kafka.replicationFactor})` : '';
      process.stdout.write(
        `Kafka ${infra.origin.kafka} at ${infra.kafkaBrokers.join(', ')}; ${created.length} topics created${replication}\n`,
      );
      process.stdout.write(
        `ClickHouse ${infra.origin.clickhouse}${infra.clickhouseUrl ? ` at ${infra.clickhouseUrl}` : ` in ${cfg.clickhouse.dataDir}`}\n`,
      );
      return 0;
    }
    case 'down': {
      const result = await stopKafka();
      const nodes = result.stoppedNodeIds.length > 1 ? ` (nodes ${result.stoppedNodeIds.join(', ')})` : '';
      process.stdout.write(
        result.wasRunning ? `Kafka stopped${nodes}${result.forced ? ' (forced after timeout)' : ''}\n` : 'Kafka was not running\n',
      );
      return 0;
    }
    case 'status': {
      const kafka = await kafkaStatus();
      const lease = readLease(cfg.clickhouse.dataDir);
      const clickhouse = cfg.clickhouse.url
        ? `server ${new URL(cfg.clickhouse.url).host}`
        : `embedded in ${cfg.clickhouse.dataDir}${lease ? `, held by pid ${lease.pid} (serving ${lease.url})` : ', not held by any process'}`;
      const clustered = kafka.nodes.length > 1;
      const rows = [
        ...kafka.nodes.map((node) => [
          clustered ? `Kafka node ${node.id}` : 'Kafka (local broker)',
          node.running ? `running, pid ${node.pid}, ${node.healthy ? 'healthy' : 'NOT answering'}` : 'stopped',
          node.broker,
        ]),
        ['ClickHouse', clickhouse, ''],
      ];
      if (cfg.kafka.brokers) rows.push(['Kafka (KAFKA_BROKERS)', 'configured', cfg.kafka.brokers.join(', ')]);
      const logs = clustered ? `broker logs: ${kafka.nodes.map((node) => node.logFile).join(', ')}` : `broker log: ${kafka.logFile}`;
      process.stdout.write(`${renderTable(['service', 'state', 'where'], rows)}\n${logs}\n`);
      return kafka.running && !kafka.healthy ? 1 : 0;
    }
    case 'reset': {
      await resetKafkaData();
      process.stdout.write('Kafka data deleted; the next `govstats infra up` starts with no topics\n');
      return 0;
    }
    default:
      throw new UsageError(usage);
  }
}

function parseBrokerCount(args: string[]): number | undefined {
  const { values } = parseArgs({ args, options: { brokers: { type: 'string' } } });
  if (values.brokers === undefined) return undefined;
  const brokers = Number(values.brokers);
  if (!/^\d+$/.test(values.brokers) || brokers < 1 || brokers > MAX_LOCAL_NODES) {
    throw new UsageError(`--brokers must be a whole number from 1 to ${MAX_LOCAL_NODES} (got ${values.brokers})\n${usage}`);
  }
  return brokers;
}

/**
 * Topics on a local cluster are replicated across it (3 copies, min ISR 2 with three nodes) unless
 * KAFKA_REPLICATION_FACTOR says otherwise; on one broker or an external one the configured factor stands.
 */
function withClusterReplication(cfg: Config, infra: Infrastructure): Config {
  const nodes = infra.kafkaBrokers.length;
  if (infra.origin.kafka !== 'native' || nodes < 2 || isVariableSet('KAFKA_REPLICATION_FACTOR')) return cfg;
  return { ...cfg, kafka: { ...cfg.kafka, replicationFactor: Math.min(3, nodes) } };
}
