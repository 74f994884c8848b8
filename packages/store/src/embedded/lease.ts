import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '@govstats/log';

/**
 * The process holding an embedded data directory advertises its loopback endpoint in a lease
 * file inside that directory, so other govstats processes can reach the same data. The file also
 * holds the endpoint's secrets and is readable by its owner only (0600, in a 0700 directory):
 * reading it is what proves a caller is the owner.
 */
export interface StoreLease {
  pid: number;
  url: string;
  startedAt: string;
  /** Owner's processes: reads and inserts. */
  token: string;
  /** Owner's CLI acting as admin (`govstats migrate`): DDL too. */
  adminToken: string;
}

const LEASE_FILE = 'govstats-store.lease.json';

export function leasePath(dataDir: string): string {
  return join(dataDir, LEASE_FILE);
}

export function newEndpointSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function readLease(dataDir: string): StoreLease | undefined {
  try {
    const lease = JSON.parse(readFileSync(leasePath(dataDir), 'utf8')) as StoreLease;
    return isProcessAlive(lease.pid) ? lease : undefined;
  } catch {
    return undefined;
  }
}

/** Written under another name and renamed, so no reader ever sees half a lease or a wider mode. */
export function writeLease(dataDir: string, lease: StoreLease): void {
  const staging = `${leasePath(dataDir)}.${process.pid}.tmp`;
  rmSync(staging, { force: true });
  writeFileSync(staging, JSON.stringify(lease), { mode: 0o600, flag: 'wx' });
  renameSync(staging, leasePath(dataDir));
}

export function removeLease(dataDir: string, pid = process.pid): void {
  try {
    const lease = JSON.parse(readFileSync(leasePath(dataDir), 'utf8')) as StoreLease;
    if (lease.pid === pid) rmSync(leasePath(dataDir), { force: true });
  } catch {
    // No lease, or not ours: nothing to remove.
  }
}
