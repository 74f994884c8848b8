export type { Store, StoreMode } from './store.ts';
export { openStore, type StoreOptions } from './open-store.ts';
export { readLease, type StoreLease } from './embedded/lease.ts';
export { insertRows, insertSerialized, queryRows, queryText, runCommand, type InsertOptions } from './sql.ts';
export { classifyStoreError, type StoreErrorInfo } from './store-errors.ts';
export { WRITE_LEASE_CONSTRAINT } from './store-errors.ts';
export { assertServerVersion, isAtLeast } from './server-version.ts';
export { startReadOnlyServer, type ReadOnlyServerOptions } from './http/read-only-server.ts';
