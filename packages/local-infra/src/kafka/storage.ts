import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '@govstats/log';
import { LOCAL_CLUSTER_ID } from './broker-config.ts';
import { indent, lastLines } from './log-tail.ts';
import { runCommand } from './run-command.ts';
import type { KafkaNodeSettings } from './node-layout.ts';

const log = createLogger('local-kafka');

/** KRaft refuses to start on an unformatted log dir; formatting writes meta.properties into it. */
export async function isStorageFormatted(dataDir: string): Promise<boolean> {
  try {
    await access(join(dataDir, 'meta.properties'));
    return true;
  } catch {
    return false;
  }
}

type StorageFiles = Pick<KafkaNodeSettings, 'dataDir' | 'serverPropertiesFile' | 'log4jConfigFile'>;

/**
 * Formats a node's data dir with kafka.tools.StorageTool unless that was done before.
 * `extraArguments` go to `kafka-storage format`, e.g. --add-scram for the users of secure mode.
 */
export async function formatStorageIfNeeded(
  java: string,
  classpath: string,
  settings: StorageFiles,
  extraArguments: readonly string[] = [],
): Promise<void> {
  if (await isStorageFormatted(settings.dataDir)) return;
  await mkdir(settings.dataDir, { recursive: true });
  const started = Date.now();
  const result = await runCommand(
    java,
    [
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${settings.log4jConfigFile}`,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '--config',
      settings.serverPropertiesFile,
      '--cluster-id',
      LOCAL_CLUSTER_ID,
      '--ignore-formatted',
      ...extraArguments,
    ],
    { timeoutMs: 120_000 },
  );
  if (result.exitCode !== 0) {
    throw new Error(
      `formatting Kafka storage in ${settings.dataDir} failed (exit ${result.exitCode ?? result.signal}). ` +
        `If the directory holds data from another Kafka version or cluster, run \`govstats infra down\` then \`govstats infra reset\` ` +
        `(or delete ${settings.dataDir}). StorageTool output:\n` +
        indent(lastLines(result.output, 30) || '(no output)'),
    );
  }
  log.info({ dataDir: settings.dataDir, clusterId: LOCAL_CLUSTER_ID, ms: Date.now() - started }, 'formatted Kafka storage');
}
