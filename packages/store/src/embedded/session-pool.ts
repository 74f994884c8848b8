import { join } from 'node:path';
import { Session, type RawInsertParams, type RawInsertSummary } from 'chdb';
import { createChdbConnection, type ChdbConnection } from 'chdb/connection';

/** Server settings of the embedded engine; chdb takes them only when the engine starts. */
const ENGINE_CONFIG = join(import.meta.dirname, 'engine-config.xml');

/**
 * What the client and the host endpoint need from the embedded engine: the connection contract,
 * and chdb's raw insert, which takes the rows apart from the statement (the host endpoint's
 * inserts from other processes go that way, so no row can be read as SQL).
 */
export type EngineConnection = Pick<ChdbConnection, 'ping' | 'query' | 'insert' | 'command' | 'exec' | 'close'> & {
  rawInsert(params: RawInsertParams): Promise<RawInsertSummary>;
};

/** USE and SET change a session: they must reach every session or later statements would differ. */
const SESSION_STATEMENT = /^\s*(USE|SET)\s/i;

/**
 * Several chdb sessions on one data directory, behind one connection. A chdb session runs one
 * statement at a time, so with one session a consumer's insert waits for another partition's
 * lookup; with two, both cores work, as they would against a ClickHouse server, which
 * @clickhouse/client reaches through a pool of HTTP connections anyway. Each call goes to the
 * least busy session; session statements go to all of them, in order.
 */
export function createSessionPool(path: string, size: number): EngineConnection {
  // The first session on a path starts the engine with its arguments; the connections below join it.
  const engine = new Session(path, { connectionArgs: [`--config-file=${ENGINE_CONFIG}`] });
  const sessions = Array.from({ length: Math.max(1, size) }, () => ({ connection: createChdbConnection({ path }), busy: 0 }));

  async function onLeastBusy<T>(call: (connection: ChdbConnection) => Promise<T>): Promise<T> {
    const session = sessions.reduce((best, s) => (s.busy < best.busy ? s : best));
    session.busy++;
    try {
      return await call(session.connection);
    } finally {
      session.busy--;
    }
  }

  async function routed<T>(query: string, call: (connection: ChdbConnection) => Promise<T>): Promise<T> {
    if (!SESSION_STATEMENT.test(query)) return await onLeastBusy(call);
    let first: T | undefined;
    for (const [index, session] of sessions.entries()) {
      const result = await call(session.connection);
      if (index === 0) first = result;
    }
    return first!;
  }

  return {
    ping: (params) => onLeastBusy((c) => c.ping(params)),
    query: (params) => routed(params.query, (c) => c.query(params)),
    insert: (params) => onLeastBusy((c) => c.insert(params)),
    rawInsert: (params) => onLeastBusy((c) => c.chdb.rawInsert(params)),
    command: (params) => routed(params.query, (c) => c.command(params)),
    exec: (params) => {
      // A body would be consumed by the first session; session statements never carry one.
      if (params.values !== undefined) return onLeastBusy((c) => c.exec(params));
      return routed(params.query, (c) => c.exec(params));
    },
    async close() {
      for (const session of sessions) await session.connection.close();
      engine.close();
    },
  };
}
