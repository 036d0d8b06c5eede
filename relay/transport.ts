// The WebSocket edge: upgrade, frame cap, validation, heartbeat, shutdown.
// Every inbound frame is parsed here; rooms only ever see typed messages.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer, type RawData, type Server as WsServer } from 'ws';
import type { RelayConfig } from './config.ts';
import type { Logger } from './log.ts';
import {
  CloseCode,
  SOCKET_PATH,
  encodeMessage,
  parseClientMessage,
  type ErrorCode,
  type PeerId,
  type RoomId,
  type ServerMessage,
} from './protocol.ts';
import type { Member, Rooms } from './rooms.ts';

type TransportConfig = Pick<RelayConfig, 'maxMessageBytes' | 'heartbeatMs' | 'shutdownGraceMs'>;

/** 72 random bits: unguessable, so knowing a room does not let anyone address a peer in another. */
const newPeerId = (): PeerId => randomBytes(9).toString('base64url');

/**
 * One relay socket. It extends ws's WebSocket (WebSocketServer builds it through
 * its `WebSocket` option), so a peer's state sits inside the socket object and
 * its listeners are functions shared by all sockets that find it as `this`. A
 * separate object and four closures per socket cost ~300 B of heap each, about
 * 10% of an idle socket's JS heap (measured with bench:relay at 10,000 sockets).
 */
class Connection extends WebSocket implements Member {
  readonly id = newPeerId();
  room: RoomId | undefined = undefined;
  /** Cleared at each ping, set by the pong; still clear at the next ping means the socket is dead. */
  alive = true;

  deliver(msg: ServerMessage): void {
    if (this.readyState === WebSocket.OPEN) this.send(encodeMessage(msg));
  }
}

// ws calls a listener with the socket as `this`; the Transport's server only ever builds Connections.
const connectionOf = (ws: WebSocket): Connection => ws as Connection;

function onPong(this: WebSocket): void {
  connectionOf(this).alive = true;
}

export class Transport {
  readonly #wss: WsServer<typeof Connection>;
  readonly #rooms: Rooms;
  readonly #log: Logger;
  readonly #config: TransportConfig;
  readonly #connections = new Set<Connection>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  readonly #onError: (this: WebSocket, err: Error & { code?: string }) => void;
  readonly #onClose: (this: WebSocket) => void;
  #closing: Promise<void> | undefined;

  constructor(server: Server, rooms: Rooms, config: TransportConfig, log: Logger) {
    this.#rooms = rooms;
    this.#log = log;
    this.#config = config;
    // ws owns the upgrade directly (not through Hono's adapter): it costs no
    // Request/Response objects per connection, which keeps idle sockets cheap.
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxMessageBytes,
      clientTracking: false,
      WebSocket: Connection,
    });
    const transport = this;
    this.#onMessage = function (data, isBinary) {
      transport.#receive(connectionOf(this), data, isBinary);
    };
    // 'error' precedes 'close' (e.g. 1009 for an oversize frame); the close does the clean-up.
    this.#onError = function (err) {
      transport.#log('error', { peer: connectionOf(this).id, code: err.code ?? 'SOCKET_ERROR' });
    };
    this.#onClose = function () {
      const conn = connectionOf(this);
      transport.#connections.delete(conn);
      transport.#leave(conn, 'closed');
    };
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head));
    this.#heartbeat = setInterval(() => this.#beat(), config.heartbeatMs);
    this.#heartbeat.unref();
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== SOCKET_PATH || this.#closing) {
      socket.end(`HTTP/1.1 ${this.#closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  #accept(conn: Connection): void {
    this.#connections.add(conn);
    conn.on('pong', onPong);
    conn.on('message', this.#onMessage);
    conn.on('error', this.#onError);
    conn.on('close', this.#onClose);
  }

  #receive(conn: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return this.#fail(conn, 'BAD_MESSAGE', 'frames must be text');
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) return this.#fail(conn, parsed.code, parsed.detail);
    const msg = parsed.msg;
    switch (msg.type) {
      case 'join': {
        if (conn.room !== undefined) return this.#fail(conn, 'ALREADY_JOINED', 'leave the current room first');
        const joined = this.#rooms.join(msg.room, conn);
        if (!joined.ok) return this.#fail(conn, joined.code, 'the room is full');
        conn.room = msg.room;
        conn.deliver({ type: 'joined', room: msg.room, self: conn.id, peers: joined.peers });
        this.#log('join', { room: msg.room, peer: conn.id, peers: joined.peers.length + 1 });
        return;
      }
      case 'signal': {
        if (conn.room === undefined) return this.#fail(conn, 'NOT_JOINED', 'join a room first');
        const routed = this.#rooms.route(conn.room, conn.id, msg.to, msg.data);
        if (!routed.ok) this.#fail(conn, routed.code, 'no such peer in this room');
        return;
      }
      case 'leave':
        if (conn.room === undefined) return this.#fail(conn, 'NOT_JOINED', 'not in a room');
        this.#leave(conn, 'left');
        return;
    }
  }

  #fail(conn: Connection, code: ErrorCode, detail: string): void {
    this.#log('error', { peer: conn.id, code });
    conn.deliver({ type: 'error', code, detail });
  }

  #leave(conn: Connection, reason: 'left' | 'closed'): void {
    const room = conn.room;
    if (room === undefined) return;
    conn.room = undefined;
    if (this.#rooms.leave(room, conn.id)) this.#log('leave', { room, peer: conn.id, reason });
  }

  #beat(): void {
    for (const conn of this.#connections) {
      if (!conn.alive) {
        conn.terminate(); // 'close' follows and tells the room
        continue;
      }
      conn.alive = false;
      conn.ping();
    }
  }

  /** Closes every socket with 1001, then terminates what is still open after the grace period. Safe twice. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      clearInterval(this.#heartbeat);
      if (this.#connections.size === 0) return resolve();
      const grace = setTimeout(() => {
        for (const conn of this.#connections) conn.terminate();
      }, this.#config.shutdownGraceMs);
      const check = () => {
        if (this.#connections.size === 0) {
          clearTimeout(grace);
          resolve();
        }
      };
      for (const conn of this.#connections) {
        conn.once('close', check);
        conn.close(CloseCode.GOING_AWAY, 'relay shutting down');
      }
    });
    return this.#closing;
  }
}
