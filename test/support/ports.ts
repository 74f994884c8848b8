import { createServer } from 'node:net';

/** Binds `port` on loopback and releases it: the port it got, or undefined if taken. */
export function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return (await tryListen(0))!;
}
