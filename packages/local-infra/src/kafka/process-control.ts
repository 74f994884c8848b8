import { readFile, rm, writeFile } from 'node:fs/promises';
import { pollUntil } from '@govstats/log';
import { runCommand } from './run-command.ts';

export async function readPidFile(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function writePidFile(pidFile: string, pid: number): Promise<void> {
  await writeFile(pidFile, `${pid}\n`);
}

export async function removePidFile(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

/**
 * The command line of a live process, or undefined when there is none. Zombies count as gone:
 * a killed broker whose parent never reaps it would otherwise look alive forever (`kill -0`
 * succeeds on zombies, e.g. in containers whose PID 1 does not reap).
 */
export async function liveProcessCommandLine(pid: number): Promise<string | undefined> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user; ps below still tells what it is.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  const { exitCode, output } = await runCommand('ps', ['-ww', '-o', 'stat=', '-o', 'args=', '-p', String(pid)], { timeoutMs: 10_000 });
  const line = output.trim();
  if (exitCode !== 0 || !line) return undefined;
  const [state = '', ...args] = line.split(/\s+/);
  if (state.startsWith('Z')) return undefined;
  return args.join(' ');
}

/** True when pid is alive and is the Kafka JVM started with this server.properties (pids get reused). */
export async function isOurBroker(pid: number, serverPropertiesFile: string): Promise<boolean> {
  const commandLine = await liveProcessCommandLine(pid);
  return commandLine !== undefined && commandLine.includes('kafka.Kafka') && commandLine.includes(serverPropertiesFile);
}

export async function isAlive(pid: number): Promise<boolean> {
  return (await liveProcessCommandLine(pid)) !== undefined;
}

/** Polls until the process is gone; returns false if it is still alive after timeoutMs. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  return (await pollUntil(async () => !(await isAlive(pid)), { timeoutMs, intervalMs: 200 })) === true;
}

/** Sends a signal, ignoring "no such process" (it may have exited in the meantime). */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
