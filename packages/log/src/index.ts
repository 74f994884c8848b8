import { readVariable } from '@govstats/config';
import { pino, type Logger } from 'pino';

export type { Logger };
export * from './wait.ts';
export { isProcessAlive } from './process-alive.ts';

/**
 * One root logger per process; services derive children with their own `component` name so a
 * single stream of JSON lines can be filtered per service. LOG_LEVEL overrides the level.
 * Logs go to stderr so that commands can keep stdout for their results (JSON, tables).
 */
const root: Logger = pino(
  {
    name: 'govstats',
    level: readVariable('LOG_LEVEL'),
    base: { pid: process.pid },
  },
  pino.destination({ fd: 2, sync: false }),
);

export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}
