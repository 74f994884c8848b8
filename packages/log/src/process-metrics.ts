import { Registry, collectDefaultMetrics } from 'prom-client';

let processRegistry: Registry | undefined;

/**
 * RSS, heap, event-loop lag, GC: they describe the process, not a service in it, so they are
 * collected once per process (each collection starts its own event-loop monitor and GC observer)
 * into a registry of their own, never prom-client's global one; every service's registry merges it.
 */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}
