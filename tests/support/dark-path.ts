// A TCP path to the relay that can go dark: a proxy that forwards bytes both
// ways until told to stop, and then drops them, closing nothing. That is what a
// network change or a NAT that forgot the connection looks like to a socket:
// no FIN, no RST, just silence, for as long as TCP keeps trying (many minutes).
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface DarkPath {
  /** http://127.0.0.1:<port>, standing in for the relay's address. */
  readonly url: string;
  /** Connections made through it so far. */
  readonly count: number;
  /** The first `first` connections (default: all made so far) go dark; later ones pass. */
  darken(first?: number): void;
  close(): Promise<void>;
}

export async function startDarkPath(relayUrl: string): Promise<DarkPath> {
  const upstream = new URL(relayUrl);
  const pairs: { client: Socket; server: Socket; dark: boolean }[] = [];
  const proxy = createServer((client) => {
    const server = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
    const pair = { client, server, dark: false };
    pairs.push(pair);
    client.on('data', (d) => {
      if (!pair.dark) server.write(d);
    });
    server.on('data', (d) => {
      if (!pair.dark) client.write(d);
    });
    // A dark path passes no close either: each end learns nothing.
    client.on('close', () => pair.dark || server.destroy());
    server.on('close', () => pair.dark || client.destroy());
    client.on('error', () => undefined);
    server.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    get count() {
      return pairs.length;
    },
    darken(first = pairs.length) {
      for (const pair of pairs.slice(0, first)) pair.dark = true;
    },
    async close() {
      for (const { client, server } of pairs) {
        client.destroy();
        server.destroy();
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
