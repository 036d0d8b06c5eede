// Puts the relay together: HTTP routes, the WebSocket edge and the rooms behind it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadGuestPage } from './guest-page.ts';
import type { RelayConfig } from './config.ts';
import { MemoryBus, type Bus } from './bus.ts';
import { createLogger, type Logger } from './log.ts';
import { RelayMetrics } from './metrics.ts';
import { RedisBus } from './redis-bus.ts';
import { Rooms } from './rooms.ts';
import { Transport } from './transport.ts';

export interface Relay {
  /** `http://host:port` the relay listens on (the real port when started on port 0). */
  readonly url: string;
  readonly port: number;
  readonly rooms: Rooms;
  readonly transport: Transport;
  /** MemoryBus, or a RedisBus where REDIS_URL is set. */
  readonly bus: Bus;
  readonly metrics: RelayMetrics;
  /** The HTTP server underneath, for operators' hooks and tests that watch requests. */
  readonly server: Server;
  /** Closes every socket with 1001 and stops listening. Safe twice. */
  close(): Promise<void>;
}

export async function startRelay(
  config: RelayConfig,
  logger: Logger = createLogger(config.logLevel, { perSecond: config.errorLogPerSecond, spellMs: config.errorLogSpellMs }),
): Promise<Relay> {
  // The bus first: with Redis, an instance that cannot reach it does not start (exit 1, the orchestrator retries).
  const bus = config.redis ? await RedisBus.connect({ ...config.redis, log: logger }) : new MemoryBus();
  const rooms = new Rooms({ maxPeersPerRoom: config.maxPeersPerRoom }, bus);
  let transport: Transport | undefined;
  const metrics = new RelayMetrics({
    connections: () => transport?.connectionCount ?? 0,
    outboundBytes: () => transport?.outboundBytes ?? 0,
    rooms: () => rooms.roomCount,
    routed: () => rooms.stats,
    ...(bus instanceof RedisBus && { bus: () => bus.stats }),
  });
  const log = metrics.observe(logger);
  const app = createApp({ guest: loadGuestPage(config.webDir), metrics: () => metrics.render() });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server; // no http2/https options given, so a node:http Server
  transport = new Transport(server, rooms, config, log);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await transport.close();
    await bus.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log('listening', { url, ...(bus instanceof RedisBus && { instance: bus.instance }) });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    rooms,
    transport,
    bus,
    metrics,
    server,
    close: () =>
      (closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await transport.close();
        server.closeAllConnections();
        await serverClosed;
        await bus.close(); // after every socket's leave went out through it
        log('shutdown', {});
      })()),
  };
}
