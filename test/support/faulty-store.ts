import type { Store } from '@govstats/store';

/**
 * A store whose first insert into `table` reaches ClickHouse and is applied, and then fails on
 * the way back, as when a connection drops after the server accepted the block. The engine is
 * the real one; only the reply is lost. The ingest must retry without counting anything twice.
 */
export function failFirstInsertAfterApplying(store: Store, table: string): Store & { failures: number } {
  let failures = 0;
  const client = new Proxy(store.client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'exec' || typeof value !== 'function') return value;
      return async (params: { query: string }) => {
        const result = await (value as (p: unknown) => Promise<{ stream: AsyncIterable<unknown> }>).call(target, params);
        if (failures === 0 && params.query.startsWith(`INSERT INTO ${table} `)) {
          for await (const _ of result.stream) void _;
          failures++;
          throw new Error(`simulated: connection reset after ClickHouse applied the insert into ${table}`);
        }
        return result;
      };
    },
  });
  return {
    ...store,
    client,
    get failures() {
      return failures;
    },
  };
}
