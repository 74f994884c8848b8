import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The process holding an embedded data directory advertises its loopback endpoint in a lease
 * file inside that directory, so other govstats processes can reach the same data.
 */
export interface StoreLease {
  pid: number;
  url: string;
  startedAt: string;
}

const LEASE_FILE = 'govstats-store.lease.json';

export function leasePath(dataDir: string): string {
  return join(dataDir, LEASE_FILE);
}

export function readLease(dataDir: string): StoreLease | undefined {
  try {
    const lease = JSON.parse(readFileSync(leasePath(dataDir), 'utf8')) as StoreLease;
    return isAlive(lease.pid) ? lease : undefined;
  } catch {
    return undefined;
  }
}

export function writeLease(dataDir: string, lease: StoreLease): void {
  writeFileSync(leasePath(dataDir), JSON.stringify(lease));
}

export function removeLease(dataDir: string, pid = process.pid): void {
  try {
    const lease = JSON.parse(readFileSync(leasePath(dataDir), 'utf8')) as StoreLease;
    if (lease.pid === pid) rmSync(leasePath(dataDir), { force: true });
  } catch {
    // No lease, or not ours: nothing to remove.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
