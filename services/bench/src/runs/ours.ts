import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@govstats/config';
import { copyOfDataDir } from '../history/prepared-store.ts';

export interface OursRun {
  /**
   * Events per second from starting the consumer (connect, join the group, fetch) until the last
   * batch was loaded, i.e. visible in the rollups: measured as the native peer is.
   */
  endToEnd: number;
  /** Events per second over the whole process: start-up, schema, consuming, idle check, shutdown. */
  process: number;
  peakRssMb: number;
  /**
   * CPU time (user + system) of the whole consumer process, its embedded engine's threads
   * included, per event of the stream: on a machine whose cores the broker and the consumer
   * share, this is what bounds the rate.
   */
  cpuMicrosPerEvent: number;
  loaded: number;
  batches: number;
}

/**
 * Our pipeline as it runs in production: `govstats ingest --until-idle` in a process of its own,
 * on a copy of `template` (a prepared data directory: migrated, with its history).
 */
export async function runOurs(env: NodeJS.ProcessEnv, groupId: string, template: string): Promise<OursRun> {
  const { chdbPath, dir } = copyOfDataDir(template);
  const timeBinary = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  // node with tsx's loader, so the measured process is the consumer itself, not a wrapper.
  const command = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'services', 'cli', 'src', 'main.ts'), 'ingest', '--until-idle'];
  const started = performance.now();
  const child = spawn(
    timeBinary ?? command[0]!,
    timeBinary ? ['-f', 'peak-rss-kb=%M cpu-user-s=%U cpu-system-s=%S', ...command] : command.slice(1),
    {
      env: { ...env, CHDB_PATH: chdbPath, INGEST_GROUP_ID: groupId, INGEST_METRICS_PORT: '0', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`govstats ingest failed (exit ${code}): ${stderr.slice(-2000)}`);
  const report = JSON.parse(stdout.trim().split('\n').pop()!) as {
    loaded: number;
    messages: number;
    batches: number;
    consumingSince: number;
    lastBatchAt: number;
  };
  const rss = Number(/peak-rss-kb=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
  const cpu = /cpu-user-s=([\d.]+) cpu-system-s=([\d.]+)/.exec(stderr);
  const cpuSeconds = cpu ? Number(cpu[1]) + Number(cpu[2]) : 0;
  const consuming = (report.lastBatchAt - report.consumingSince) / 1000;
  return {
    endToEnd: report.messages / consuming,
    process: report.messages / seconds,
    peakRssMb: Math.round(rss),
    cpuMicrosPerEvent: (1e6 * cpuSeconds) / report.messages,
    loaded: report.loaded,
    batches: report.batches,
  };
}
