import { join } from 'node:path';
import { readVariable } from '@govstats/config';
import { govstatsHome, repoRoot } from '../paths.ts';

export { DEFAULT_KAFKA_PORT, DEFAULT_KAFKA_CONTROLLER_PORT } from '@govstats/config';
/** Loopback only: the local broker is a development tool, not something to expose on the LAN. */
export const KAFKA_HOST = '127.0.0.1';

export interface KafkaPortOptions {
  /** Client (PLAINTEXT) port of the single node or node 1 (node <id> adds 2·(id − 1)); default KAFKA_PORT or 19092. */
  port?: number;
  /** KRaft controller port, likewise; default KAFKA_CONTROLLER_PORT or 19093. */
  controllerPort?: number;
  /**
   * Where the broker keeps its data, pid file, log and server.properties; default
   * ${GOVSTATS_HOME}/kafka. A second local broker beside the usual one (a secure one for a test)
   * needs a directory of its own. The resolved jars stay cached under ${GOVSTATS_HOME}/kafka.
   */
  kafkaHome?: string;
}

export interface KafkaSettings {
  host: string;
  port: number;
  controllerPort: number;
  /** `${GOVSTATS_HOME}/kafka`; the files below are the single node's (a cluster's are in node-<id>/). */
  kafkaHome: string;
  dataDir: string;
  serverPropertiesFile: string;
  pidFile: string;
  logFile: string;
  startLockFile: string;
  pomFile: string;
  log4jConfigFile: string;
}

/** Resolved at call time (not import time) so callers can change the environment first. */
export function kafkaSettings(options: KafkaPortOptions = {}): KafkaSettings {
  const kafkaHome = options.kafkaHome ?? join(govstatsHome(), 'kafka');
  const infraDir = join(repoRoot(), 'infra', 'kafka');
  return {
    host: KAFKA_HOST,
    port: options.port ?? readVariable('KAFKA_PORT'),
    controllerPort: options.controllerPort ?? readVariable('KAFKA_CONTROLLER_PORT'),
    kafkaHome,
    dataDir: join(kafkaHome, 'data'),
    serverPropertiesFile: join(kafkaHome, 'server.properties'),
    pidFile: join(kafkaHome, 'broker.pid'),
    logFile: join(kafkaHome, 'broker.log'),
    startLockFile: join(kafkaHome, 'start.lock'),
    pomFile: join(infraDir, 'pom.xml'),
    log4jConfigFile: join(infraDir, 'log4j2.properties'),
  };
}
