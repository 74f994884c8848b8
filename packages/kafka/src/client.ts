import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { createLogger } from '@govstats/log';

const log = createLogger('kafka');

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** KafkaJS logs through pino; its chatty info lines are demoted to debug. */
function kafkaLogCreator() {
  return ({ level, log: entry }: LogEntry) => {
    const { message, ...rest } = entry;
    const pinoLevel = LEVELS[level] ?? 'info';
    log[pinoLevel === 'info' ? 'debug' : pinoLevel](rest, message);
  };
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
}

export function createKafka({ brokers, clientId }: KafkaOptions): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    connectionTimeout: 5_000,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
