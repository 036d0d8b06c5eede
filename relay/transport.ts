// The WebSocket edge: upgrade, frame cap, validation, heartbeat, shutdown.
// Every inbound frame is parsed here; rooms only ever see typed messages.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer, type RawData, type Server as WsServer } from 'ws';
import { Admission, refusalResponse, systemClock, type AdmissionConfig, type EdgeState } from './admission.ts';
import type { RelayConfig } from './config.ts';
import type { Logger } from './log.ts';
import { SOCKET_PATH } from '../protocol/ids.ts';
import {
  CloseCode,
  encodeMessage,
  parseClientMessage,
  type ErrorCode,
  type PeerId,
  type RoomId,
  type ServerMessage,
} from '../protocol/relay.ts';
import type { JoinResult, Member, Rooms } from './rooms.ts';

type TransportConfig = Pick<
  RelayConfig,
  'maxMessageBytes' | 'heartbeatMs' | 'shutdownGraceMs' | 'maxOutboundBytes' | 'closeGraceMs' | 'joinTimeoutMs' | 'handshakeTimeoutMs'
> &
  AdmissionConfig;

/**
 * Frames a connection may send while its join waits for the bus (RedisBus: one
 * Redis round trip, normally a millisecond). A client waits for `joined` before
 * it signals, so a handful is plenty; beyond this the socket is closed (4029) rather
 * than buffering without bound or handling a frame out of order.
 */
const MAX_HELD_FRAMES = 32;

/**
 * How long a refused connection stays open once its HTTP response is handed to
 * the kernel, so the client reads the status before the socket goes; it goes
 * sooner if the client closes its side. A second: a client that keeps its side
 * open holds a descriptor no longer, and shutdown never waits on it longer.
 */
const REFUSAL_LINGER_MS = 1_000;

/** What a Transport shares with each of its connections: the outbound cap, and what delivering may call for. */
interface Outbound {
  readonly maxBytes: number;
  /** More than maxBytes waits for this connection: close it. */
  overflow(conn: Connection): void;
  /** A member that joined alone is about to hear of its first peer: its TURN credentials go first. */
  firstPeer(conn: Connection): void;
}

/** A connection's Outbound until the transport sets its own: nothing is ever sent before that. */
const NOT_ACCEPTED: Outbound = { maxBytes: 0, overflow: () => undefined, firstPeer: () => undefined };

/** 72 random bits: unguessable, so knowing a room does not let anyone address a peer in another. */
const newPeerId = (): PeerId => randomBytes(9).toString('base64url');

/**
 * One relay socket. It extends ws's WebSocket (WebSocketServer builds it through
 * its `WebSocket` option), so a peer's state sits inside the socket object and
 * its listeners are functions shared by all sockets that find it as `this`. A
 * separate object and four closures per socket cost ~300 B of heap each, about
 * 10% of an idle socket's JS heap (measured with bench:relay at 10,000 sockets).
 */
class Connection extends WebSocket implements Member, EdgeState {
  readonly id = newPeerId();
  room: RoomId | undefined = undefined;
  /**
   * The payload of the ping that waits for its pong (48 random bits), or 0.
   * Still set at the next beat means the socket is dead. Only a pong that
   * echoes it counts (RFC 6455 5.5.3): a client that stopped reading cannot
   * know it, so pongs sent unprompted, or copied from the pings another of its
   * connections sees, do not keep it alive.
   */
  pingNonce = 0;
  // Abuse limits (admission.ts): the key its address counts under, and its message bucket.
  ipKey = '';
  tokens = 0;
  byteTokens = 0;
  refilledAt = 0;
  dropped = 0;
  outbound = NOT_ACCEPTED;
  /** Its heartbeat group (Transport.#groups). */
  group = 0;
  /** Whether this member had its TURN credentials for the current room (none while it is alone there). */
  turnGranted = false;

  /**
   * Sends `msg` unless too much already waits for this socket. `bufferedAmount`
   * is what ws and Node still hold in user space (the kernel's send buffer,
   * outside it, takes a burst first), so it only grows for a reader that has
   * fallen behind by several MiB. Over the cap at send time the frame is not
   * sent and the socket is closed at once, with no grace period: signaling is
   * an ordered stream in which every frame counts, so the relay can neither
   * skip frames (a later answer without its offer breaks the call) nor keep
   * queueing (that is the memory it must not spend). A reader this far
   * behind is gone or hostile; a real client reconnects and resynchronises.
   */
  deliver(msg: ServerMessage): void {
    if (this.readyState !== WebSocket.OPEN) return;
    if (!this.turnGranted && msg.type === 'peerJoined') this.outbound.firstPeer(this);
    if (this.bufferedAmount > this.outbound.maxBytes) return this.outbound.overflow(this);
    // Rooms hands one message object to every recipient of a broadcast: encoded once, not once each.
    if (msg !== lastEncoded.msg) {
      lastEncoded.msg = msg;
      lastEncoded.frame = encodeMessage(msg);
    }
    this.send(lastEncoded.frame);
  }
}

/** The last message encoded, shared by every connection (messages are never changed after they are made). */
const lastEncoded: { msg: ServerMessage | undefined; frame: string } = { msg: undefined, frame: '' };

/** A frame's size: ws hands a Buffer (binaryType 'nodebuffer', the default), the other shapes only for other binaryTypes. */
const byteLength = (data: RawData): number =>
  Buffer.isBuffer(data) ? data.length : Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;

// ws calls a listener with the socket as `this`; the Transport's server only ever builds Connections.
const connectionOf = (ws: WebSocket): Connection => ws as Connection;

/**
 * The heartbeat pings one group of connections at a time, one group every
 * this many ms, going round them all once an interval. 100 ms: at 10,000
 * sockets and a 15 s interval, 67 pings a tick instead of 10,000 at once,
 * which held every message behind them for tens of ms (bench:relay's p99).
 */
const BEAT_TICK_MS = 100;
/** At most this many groups, so a long interval does not make a tick per few sockets. */
const MAX_BEAT_GROUPS = 600;

/** Bytes of a ping's payload: 48 bits fit a JS number exactly. */
const PING_NONCE_BYTES = 6;

function onPong(this: WebSocket, data: Buffer): void {
  const conn = connectionOf(this);
  if (conn.pingNonce !== 0 && data.length === PING_NONCE_BYTES && data.readUIntBE(0, PING_NONCE_BYTES) === conn.pingNonce)
    conn.pingNonce = 0;
}

export class Transport {
  readonly #wss: WsServer<typeof Connection>;
  readonly #rooms: Rooms;
  readonly #log: Logger;
  readonly #config: TransportConfig;
  readonly #admission: Admission;
  /** Every open connection, in heartbeat groups (see BEAT_TICK_MS). */
  readonly #groups: Array<Set<Connection>>;
  #connectionCount = 0;
  /** The group the next connection joins, and the one the next beat pings: both go round. */
  #nextGroup = 0;
  #beating = 0;
  /** Connections whose join waits for the bus, with the frames that came in meanwhile, in order. */
  readonly #held = new Map<Connection, Array<[RawData, boolean]>>();
  readonly #heartbeat: NodeJS.Timeout;
  /**
   * Connections that have not joined yet, with when they opened (monotonic ms):
   * a Map iterates in insertion order, so the oldest come first and a check
   * stops at the first that is not yet due. A join or a close takes one out.
   */
  readonly #unjoined = new Map<Connection, number>();
  /**
   * TCP connections whose first HTTP request has not fully arrived: the key
   * their address counts under and when they opened, oldest first (as #unjoined).
   */
  readonly #handshakes = new Map<Duplex, { key: string; at: number }>();
  readonly #onHandshakeClose: (this: Duplex) => void;
  /** Connections refused with an HTTP response that have not closed yet (see #refuse): cut at shutdown. */
  readonly #refused = new Set<Duplex>();
  /** Checks both deadlines: joins and handshakes. */
  readonly #deadlines: NodeJS.Timeout;
  readonly #onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  readonly #onError: (this: WebSocket, err: Error & { code?: string }) => void;
  readonly #onClose: (this: WebSocket) => void;
  readonly #outbound: Outbound;
  #closing: Promise<void> | undefined;

  constructor(server: Server, rooms: Rooms, config: TransportConfig, log: Logger) {
    this.#rooms = rooms;
    this.#log = log;
    this.#config = config;
    this.#admission = new Admission(config);
    this.#outbound = {
      maxBytes: config.maxOutboundBytes,
      overflow: (conn) => {
        // Logged once: the socket is no longer OPEN, so nothing more is delivered to it.
        this.#log('error', { peer: conn.id, code: 'SLOW_READER', queued: conn.bufferedAmount });
        this.#closeFor(conn, CloseCode.SLOW_READER, 'not reading: too much waits for this socket');
      },
      firstPeer: (conn) => {
        conn.turnGranted = true;
        const { iceServers } = this.#admission.iceServersFor(conn.id);
        if (iceServers) conn.deliver({ type: 'iceServers', iceServers });
      },
    };
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
      if (transport.#groups[conn.group]?.delete(conn)) transport.#connectionCount--;
      transport.#unjoined.delete(conn);
      transport.#admission.closed(conn);
      transport.#leave(conn, 'closed');
    };
    this.#onHandshakeClose = function () {
      transport.#handshakeDone(this);
    };
    server.on('connection', (socket: Socket) => this.#connected(socket));
    server.on('request', (req: IncomingMessage) => this.#handshakeDone(req.socket));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head));
    // The beat runs in the check phase, after the poll phase has read whatever waited: after
    // a stall (a GC pause, a starved CPU) pongs that arrived meanwhile count before it looks.
    const groups = Math.max(1, Math.min(MAX_BEAT_GROUPS, Math.round(config.heartbeatMs / BEAT_TICK_MS)));
    this.#groups = Array.from({ length: groups }, () => new Set<Connection>());
    this.#heartbeat = setInterval(() => setImmediate(() => this.#beat()), config.heartbeatMs / groups);
    this.#heartbeat.unref();
    // A quarter of the shorter deadline: a socket goes at most 25% late, and a check costs nothing until one is due.
    this.#deadlines = setInterval(() => {
      const now = systemClock.monotonicMs();
      this.#checkJoins(now);
      this.#checkHandshakes(now);
    }, Math.min(config.joinTimeoutMs, config.handshakeTimeoutMs) / 4);
    this.#deadlines.unref();
  }

  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** Every open connection. */
  *#connections(): Generator<Connection> {
    for (const group of this.#groups) yield* group;
  }

  /** Bytes waiting to be sent, over every open connection (ws's `bufferedAmount`): what slow readers cost. Walks them all. */
  get outboundBytes(): number {
    let bytes = 0;
    for (const conn of this.#connections()) bytes += conn.bufferedAmount;
    return bytes;
  }

  /** A TCP connection opened: refused at once if its address has too many half-open, else its handshake is timed. */
  #connected(socket: Socket): void {
    const key = this.#admission.handshakeStarted(socket.remoteAddress);
    if (key === undefined) {
      this.#log('error', { code: 'TOO_MANY_HANDSHAKES' }); // no peer: a refused upgrade (metrics.ts)
      this.#refuse(socket, refusalResponse(this.#admission.tooManyHandshakes));
      return;
    }
    this.#handshakes.set(socket, { key, at: systemClock.monotonicMs() });
    socket.on('close', this.#onHandshakeClose);
  }

  /** The connection's first request arrived (or it closed or timed out before): no longer a pending handshake. Safe twice. */
  #handshakeDone(socket: Duplex): void {
    const pending = this.#handshakes.get(socket);
    if (!pending) return;
    this.#handshakes.delete(socket);
    socket.off('close', this.#onHandshakeClose);
    this.#admission.handshakeEnded(pending.key);
  }

  /** Cuts the connections whose first request has not arrived within the handshake timeout: slow headers, or none at all. */
  #checkHandshakes(now: number): void {
    for (const [socket, pending] of this.#handshakes) {
      if (now - pending.at < this.#config.handshakeTimeoutMs) return; // the rest opened later
      this.#handshakeDone(socket);
      this.#log('error', { code: 'HANDSHAKE_TIMEOUT' });
      socket.destroy();
    }
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#handshakeDone(socket);
    const path = (req.url ?? '').split('?')[0];
    if (path !== SOCKET_PATH || this.#closing) {
      this.#log('error', { code: this.#closing ? 'SHUTTING_DOWN' : 'NOT_FOUND' }); // no peer: a refused upgrade (metrics.ts)
      this.#refuse(
        socket,
        `HTTP/1.1 ${this.#closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    // Refused with a plain HTTP status before any WebSocket exists.
    const admitted = this.#admission.upgrade(req);
    if (!admitted.ok) {
      this.#log('error', { code: admitted.status === 403 ? 'ORIGIN_REFUSED' : 'TOO_MANY_CONNECTIONS' });
      this.#refuse(socket, refusalResponse(admitted));
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, admitted.ipKey));
  }

  /**
   * Answers a connection with `response` and closes it: every refusal goes
   * through here. Before 'upgrade', Node takes its own error listener off the
   * socket, so without one here a client's reset (ECONNRESET) would be an
   * unhandled 'error' that ends the process. `end()` only closes our side: the
   * socket is destroyed when the client closes its side, or REFUSAL_LINGER_MS
   * after the response went out, whichever comes first, and at shutdown.
   */
  #refuse(socket: Duplex, response: string): void {
    let linger: NodeJS.Timeout | undefined;
    const cut = () => socket.destroy();
    this.#refused.add(socket);
    socket.on('error', cut);
    socket.once('end', cut);
    socket.once('close', () => {
      clearTimeout(linger);
      this.#refused.delete(socket);
    });
    socket.resume(); // reads (and drops) whatever else it sends, so its end or reset is seen
    socket.end(response, () => {
      if (!socket.destroyed) linger = setTimeout(cut, REFUSAL_LINGER_MS).unref();
    });
  }

  #accept(conn: Connection, ipKey: string): void {
    conn.outbound = this.#outbound;
    this.#admission.opened(conn, ipKey);
    conn.group = this.#nextGroup;
    this.#nextGroup = (this.#nextGroup + 1) % this.#groups.length;
    this.#groups[conn.group]?.add(conn);
    this.#connectionCount++;
    conn.on('pong', onPong);
    conn.on('message', this.#onMessage);
    conn.on('error', this.#onError);
    conn.on('close', this.#onClose);
    this.#unjoined.set(conn, systemClock.monotonicMs());
  }

  /**
   * Closes the connections that have joined no room within the deadline, but
   * not one whose join waits for the bus (that answers or fails within 5 s).
   * Only the first join has a deadline: a socket that joined and left costs
   * what an idle member does, and it counts against its address like one.
   */
  #checkJoins(now: number): void {
    for (const [conn, openedAt] of this.#unjoined) {
      if (now - openedAt < this.#config.joinTimeoutMs) return; // the rest opened later
      this.#unjoined.delete(conn);
      if (conn.readyState !== WebSocket.OPEN) continue;
      if (this.#held.has(conn)) {
        this.#unjoined.set(conn, now); // to the back, another period
        continue;
      }
      this.#log('error', { peer: conn.id, code: 'JOIN_TIMEOUT' });
      this.#closeFor(conn, CloseCode.JOIN_TIMEOUT, 'no join in time');
    }
  }

  #receive(conn: Connection, data: RawData, isBinary: boolean): void {
    // ws still hands over frames while a socket is CLOSING: one closed for a limit says nothing more.
    if (conn.readyState !== WebSocket.OPEN) return;
    if (this.#held.size !== 0 && this.#hold(conn, data, isBinary)) return;
    const verdict = this.#admission.message(conn, byteLength(data)); // before parsing: a flood costs no JSON.parse
    if (verdict !== 'ok') return this.#limited(conn, verdict);
    if (isBinary) return this.#fail(conn, 'BAD_MESSAGE', 'frames must be text');
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) return this.#fail(conn, parsed.code, parsed.detail);
    const msg = parsed.msg;
    switch (msg.type) {
      case 'join': {
        if (conn.room !== undefined) return this.#fail(conn, 'ALREADY_JOINED', 'leave the current room first');
        if (!this.#admission.join(conn)) return this.#fail(conn, 'RATE_LIMITED', 'too many joins from this address: try again in a minute');
        const joined = this.#rooms.join(msg.room, conn);
        if (joined instanceof Promise) return this.#joinLater(conn, msg.room, joined);
        return this.#joined(conn, msg.room, joined);
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
      case 'ping':
        // Counted against the connection's rate like any frame (above); not logged, it is routine.
        conn.deliver({ type: 'pong' });
        return;
    }
  }

  #joined(conn: Connection, room: RoomId, joined: JoinResult): void {
    if (!joined.ok) return this.#fail(conn, joined.code, 'the room is full');
    conn.room = room;
    this.#unjoined.delete(conn);
    // TURN only in company: a lone joiner of a random room gets none (it has nobody to relay
    // to), and gets them with the first peer's arrival instead (firstPeer above).
    conn.turnGranted = joined.peers.length > 0;
    const turn = conn.turnGranted ? this.#admission.iceServersFor(conn.id) : {};
    conn.deliver({ type: 'joined', room, self: conn.id, peers: joined.peers, ...turn });
    this.#log('join', { room, peer: conn.id, peers: joined.peers.length + 1 });
  }

  /** A join the bus answers later (RedisBus). Frames that arrive meanwhile wait and then go in order. */
  #joinLater(conn: Connection, room: RoomId, joined: Promise<JoinResult>): void {
    const held: Array<[RawData, boolean]> = [];
    this.#held.set(conn, held);
    joined
      .then(
        (result) => {
          // Closed while waiting: its close found no room to leave, so leave it here.
          if (conn.readyState !== WebSocket.OPEN) {
            if (result.ok) this.#rooms.leave(room, conn.id);
          } else this.#joined(conn, room, result);
        },
        () => {
          this.#log('error', { peer: conn.id, code: 'BUS_UNAVAILABLE' });
          this.#closeFor(conn, CloseCode.TRY_AGAIN_LATER, 'relay busy, reconnect');
        },
      )
      .finally(() => {
        this.#held.delete(conn);
        for (let i = 0; i < held.length && conn.readyState === WebSocket.OPEN; i++) {
          const again = this.#held.get(conn); // a held frame was another join that waits in turn
          if (again) {
            again.push(...held.slice(i));
            return;
          }
          const [data, isBinary] = held[i]!; // i < held.length
          this.#receive(conn, data, isBinary);
        }
      });
  }

  /** Queues a frame of a connection whose join waits for the bus; false if it does not wait. */
  #hold(conn: Connection, data: RawData, isBinary: boolean): boolean {
    const held = this.#held.get(conn);
    if (!held) return false;
    if (held.length >= MAX_HELD_FRAMES) {
      this.#log('error', { peer: conn.id, code: 'TOO_MANY_HELD_FRAMES' });
      // A client waits for `joined` before it sends more: this many is a flood (4029), not a busy relay (1013).
      this.#closeFor(conn, CloseCode.RATE_LIMITED, 'too many frames before joined');
    } else held.push([data, isBinary]);
    return true;
  }

  /** A frame over the connection's rate: dropped with RATE_LIMITED; a flood is closed. One log line per spell, not per frame. */
  #limited(conn: Connection, verdict: 'limited' | 'close'): void {
    if (conn.readyState !== WebSocket.OPEN) return;
    if (conn.dropped === 1 || verdict === 'close')
      this.#log('error', { peer: conn.id, code: verdict === 'close' ? 'RATE_LIMITED_CLOSE' : 'RATE_LIMITED' });
    conn.deliver({ type: 'error', code: 'RATE_LIMITED', detail: 'too many messages or bytes: this one was dropped' });
    if (verdict === 'close') this.#closeFor(conn, CloseCode.RATE_LIMITED, 'too many messages');
  }

  #fail(conn: Connection, code: ErrorCode, detail: string): void {
    this.#log('error', { peer: conn.id, code });
    conn.deliver({ type: 'error', code, detail });
  }

  /**
   * Closes a socket for a limit: it leaves its room now (after the routing
   * under way, which may be what called this), and a socket that has not
   * finished closing after the grace period is cut, so its queue goes too.
   */
  #closeFor(conn: Connection, code: number, reason: string): void {
    conn.close(code, reason);
    queueMicrotask(() => this.#leave(conn, 'closed'));
    setTimeout(() => conn.terminate(), this.#config.closeGraceMs).unref(); // a no-op once closed
  }

  #leave(conn: Connection, reason: 'left' | 'closed'): void {
    const room = conn.room;
    if (room === undefined) return;
    conn.room = undefined;
    if (this.#rooms.leave(room, conn.id)) this.#log('leave', { room, peer: conn.id, reason });
  }

  /** Pings the next group; a socket whose previous ping (an interval ago) has had no pong is terminated. */
  #beat(): void {
    if (this.#closing) return; // closing: every socket has its close frame already
    const group = this.#groups[this.#beating];
    this.#beating = (this.#beating + 1) % this.#groups.length;
    if (!group || group.size === 0) return;
    // One draw from the CSPRNG per beat; each ping's payload is a view of it, not a copy.
    const nonces = randomBytes(PING_NONCE_BYTES * group.size);
    let at = 0;
    for (const conn of group) {
      if (conn.pingNonce !== 0) {
        conn.terminate(); // 'close' follows and tells the room
        continue;
      }
      const payload = nonces.subarray(at, (at += PING_NONCE_BYTES));
      conn.pingNonce = payload.readUIntBE(0, PING_NONCE_BYTES) || 1; // 0 means none outstanding
      if (conn.pingNonce === 1) payload.writeUIntBE(1, 0, PING_NONCE_BYTES);
      conn.ping(payload);
    }
  }

  /** Closes every socket with 1001, then terminates what is still open after the grace period. Safe twice. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      clearInterval(this.#heartbeat);
      clearInterval(this.#deadlines);
      // The HTTP server no longer tracks an upgrade's socket (closeAllConnections misses it): cut the refused ones here.
      for (const socket of [...this.#refused]) socket.destroy();
      if (this.#connectionCount === 0) return resolve();
      const grace = setTimeout(() => {
        for (const conn of [...this.#connections()]) conn.terminate();
      }, this.#config.shutdownGraceMs);
      const check = () => {
        if (this.#connectionCount === 0) {
          clearTimeout(grace);
          resolve();
        }
      };
      for (const conn of [...this.#connections()]) {
        conn.once('close', check);
        conn.close(CloseCode.GOING_AWAY, 'relay shutting down');
      }
    });
    return this.#closing;
  }
}
