import type { Store } from '@govstats/store';

/**
 * A store whose ClickHouse "goes away" while `down()` is true: every call of `methods` (all by
 * default; `exec` alone is every insert) fails the way a refused connection does. The engine behind it is the real one and keeps its data.
 */
export function storeWithOutage(
  store: Store,
  down: () => boolean,
  methods: readonly string[] = ['query', 'exec', 'command', 'insert'],
): Store & { refused: number } {
  let refused = 0;
  const client = new Proxy(store.client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || !methods.includes(String(property))) return value;
      return async (...args: unknown[]) => {
        if (down()) {
          refused++;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123 (simulated ClickHouse outage)'), { code: 'ECONNREFUSED' });
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return {
    ...store,
    client,
    get refused() {
      return refused;
    },
  };
}
