import { readVariable } from '@govstats/config';
import { pino, type Logger } from 'pino';
import { routedStream } from './route.ts';

export type { Logger };
export * from './wait.ts';
export { isProcessAlive } from './process-alive.ts';
export { processMetrics } from './process-metrics.ts';
export { logFile, routeLogs, type LogRecord, type LogRoute } from './route.ts';

/**
 * One root logger per process; services derive children with their own `component` name so a
 * single stream of JSON lines can be filtered per service. LOG_LEVEL overrides the level.
 * Logs go to stderr, keeping stdout for commands' results (JSON, tables), until the process
 * routes them elsewhere (routeLogs: the CLI sends an interactive command's to a file).
 */
const root: Logger = pino(
  {
    name: 'govstats',
    level: readVariable('LOG_LEVEL'),
    base: { pid: process.pid },
  },
  routedStream,
);

export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}
