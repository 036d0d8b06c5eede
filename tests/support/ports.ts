// The one free-port helper, for servers that cannot be started on port 0 and
// report their port (redis-server, turnserver). The relay can: start it with
// PORT=0 and read its `listening` line (relay-process.ts).
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('expected a TCP address');
  return addr.port;
}
