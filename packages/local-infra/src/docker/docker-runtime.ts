import { createLogger } from '@govstats/log';

const log = createLogger('local-infra');

/**
 * Whether a Docker (or compatible) engine answers. Never throws: no Docker simply means "use the
 * native fallback". testcontainers is imported lazily so native-only runs never load it.
 */
export async function isDockerAvailable(timeoutMs = 5_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise(false), timeoutMs);
    timer.unref();
  });
  const probe = (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      const client = await getContainerRuntimeClient();
      log.debug({ host: client.info.containerRuntime.host }, 'container runtime found');
      return true;
    } catch (error) {
      log.debug({ reason: error instanceof Error ? error.message : String(error) }, 'no container runtime');
      return false;
    }
  })();
  try {
    return await Promise.race([probe, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
