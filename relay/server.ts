// Puts the relay together: HTTP routes, the WebSocket edge and the rooms behind it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadGuestPage } from './guest-page.ts';
import type { RelayConfig } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { Rooms } from './rooms.ts';
import { Transport } from './transport.ts';

export interface Relay {
  /** `http://host:port` the relay listens on (the real port when started on port 0). */
  readonly url: string;
  readonly port: number;
  readonly rooms: Rooms;
  readonly transport: Transport;
  /** The HTTP server underneath, for operators' hooks and tests that watch requests. */
  readonly server: Server;
  /** Closes every socket with 1001 and stops listening. Safe twice. */
  close(): Promise<void>;
}

export async function startRelay(config: RelayConfig, log: Logger = createLogger(config.logLevel)): Promise<Relay> {
  const app = createApp({ guest: loadGuestPage(config.webDir) });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server; // no http2/https options given, so a node:http Server
  const rooms = new Rooms({ maxPeersPerRoom: config.maxPeersPerRoom });
  const transport = new Transport(server, rooms, config, log);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log('listening', { url });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    rooms,
    transport,
    server,
    close: () =>
      (closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await transport.close();
        server.closeAllConnections();
        await serverClosed;
        log('shutdown', {});
      })()),
  };
}
