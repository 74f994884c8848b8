/** A cold JVM on a 2-core machine needs 10–30 s (more with several nodes); leave room for a busy machine. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 90_000;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** Covers another process doing a first Maven download plus a broker start while we wait. */
export const START_LOCK_WAIT_MS = 12 * 60_000;
