import { kafkaStatus, resolveInfrastructure, stopKafka } from '@govstats/local-infra';
import { createKafka } from '@govstats/kafka';
import { renderTable } from '../output/table.ts';
import { UsageError, config, createTopics } from '../runtime.ts';
import { readLease } from '@govstats/store';

export const usage = `govstats infra up|down|status
  up      starts the local Kafka broker (KRaft, from pinned Maven Central artifacts) unless
          KAFKA_BROKERS is set, waits until it is healthy and creates the topics
  down    stops the local broker
  status  tells what runs where`;

export async function run(args: string[]): Promise<number> {
  const [action] = args;
  const cfg = config();
  switch (action) {
    case 'up': {
      const infra = await resolveInfrastructure({ keepRunning: true });
      const created = await createTopics(cfg, createKafka({ brokers: infra.kafkaBrokers, clientId: cfg.kafka.clientId }));
      process.stdout.write(`Kafka ${infra.origin.kafka} at ${infra.kafkaBrokers.join(', ')}; ${created.length} topics created\n`);
      process.stdout.write(`ClickHouse ${infra.origin.clickhouse}${infra.clickhouseUrl ? ` at ${infra.clickhouseUrl}` : ` in ${cfg.clickhouse.dataDir}`}\n`);
      return 0;
    }
    case 'down': {
      const result = await stopKafka();
      process.stdout.write(result.wasRunning ? `Kafka stopped${result.forced ? ' (forced after timeout)' : ''}\n` : 'Kafka was not running\n');
      return 0;
    }
    case 'status': {
      const kafka = await kafkaStatus();
      const lease = readLease(cfg.clickhouse.dataDir);
      const clickhouse = cfg.clickhouse.url
        ? `server ${new URL(cfg.clickhouse.url).host}`
        : `embedded in ${cfg.clickhouse.dataDir}${lease ? `, held by pid ${lease.pid} (serving ${lease.url})` : ', not held by any process'}`;
      const rows = [
        ['Kafka (local broker)', kafka.running ? `running, pid ${kafka.pid}, ${kafka.healthy ? 'healthy' : 'NOT answering'}` : 'stopped', kafka.brokers.join(', ')],
        ['ClickHouse', clickhouse, ''],
      ];
      if (cfg.kafka.brokers) rows.push(['Kafka (KAFKA_BROKERS)', 'configured', cfg.kafka.brokers.join(', ')]);
      process.stdout.write(`${renderTable(['service', 'state', 'where'], rows)}\nbroker log: ${kafka.logFile}\n`);
      return kafka.running && !kafka.healthy ? 1 : 0;
    }
    default:
      throw new UsageError(usage);
  }
}
