import { runCommand, type Store } from '@govstats/store';
import { SINGLE_NODE, setUpWarehouse } from '@govstats/warehouse';

/**
 * A fresh database with the full schema for one benchmark run. The embedded engine binds one data
 * directory per process, so runs are separated by database; USE sticks to the session, which is
 * exactly what the unqualified table names of the loaders need.
 */
export async function freshDatabase(store: Store, name: string): Promise<void> {
  await runCommand(store.client, `DROP DATABASE IF EXISTS ${name}`);
  await runCommand(store.client, `CREATE DATABASE ${name}`);
  await runCommand(store.client, `USE ${name}`);
  await setUpWarehouse(store, SINGLE_NODE);
}
