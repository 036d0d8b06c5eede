// What the relay lets in at its edge: which upgrades become sockets (Origin,
// connections per address), which frames get handled (messages per second per
// connection), which joins go ahead (joins per minute per address), and the
// TURN credentials a join comes with. The transport asks; this decides. Every
// refusal concerns one connection or one address and no one else.
import type { IncomingMessage } from 'node:http';
import type { RelayConfig } from './config.ts';
import {
  KeyedBuckets,
  KeyedCounts,
  addressKey,
  admitMessage,
  clientAddress,
  type MessageBucket,
  type MessageLimits,
  type MessageVerdict,
} from './limits.ts';
import { checkOrigin, type OriginPolicy } from './origin.ts';
import type { PeerId, TurnServer } from '../protocol/relay.ts';
import { turnCredentials, type TurnConfig } from './turn.ts';

export type AdmissionConfig = Pick<
  RelayConfig,
  | 'msgRatePerSecond'
  | 'msgBurst'
  | 'msgDropsBeforeClose'
  | 'byteRatePerSecond'
  | 'byteBurst'
  | 'maxConnectionsPerIp'
  | 'maxPendingHandshakesPerIp'
  | 'joinsPerMinutePerIp'
  | 'allowedOrigins'
  | 'requireOrigin'
  | 'publicUrl'
  | 'trustProxy'
  | 'turnSecret'
  | 'turnUrls'
  | 'turnTtlSeconds'
>;

/** What the edge keeps for each connection. The transport's connection object carries these fields itself. */
export interface EdgeState extends MessageBucket {
  /** The key its address counts under (limits.ts addressKey); '' once the connection is closed. */
  ipKey: string;
}

export type UpgradeVerdict = { ok: true; ipKey: string } | { ok: false; status: 403 | 429; reason: string };

export interface Clock {
  /** Milliseconds that never step back (rates). */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the Unix epoch (TURN expiry, which coturn checks against its own clock). */
  unixMs(): number;
}

export const systemClock: Clock = { monotonicMs: () => performance.now(), unixMs: () => Date.now() };

const STATUS_TEXT = { 403: 'Forbidden', 429: 'Too Many Requests' } as const;

/** The raw HTTP response that refuses an upgrade before any WebSocket exists. */
export function refusalResponse(verdict: { status: 403 | 429; reason: string }): string {
  const body = `${verdict.reason}\n`;
  return (
    `HTTP/1.1 ${verdict.status} ${STATUS_TEXT[verdict.status]}\r\n` +
    `Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

export class Admission {
  readonly #config: AdmissionConfig;
  readonly #clock: Clock;
  readonly #origins: OriginPolicy;
  readonly #messageLimits: MessageLimits;
  readonly #joins: KeyedBuckets;
  readonly #connections = new KeyedCounts();
  readonly #handshakes = new KeyedCounts();
  readonly #turn: TurnConfig | undefined;

  constructor(config: AdmissionConfig, clock: Clock = systemClock) {
    this.#config = config;
    this.#clock = clock;
    this.#origins = { allowed: config.allowedOrigins, requireOrigin: config.requireOrigin, publicOrigin: config.publicUrl };
    this.#messageLimits = {
      messages: { perSecond: config.msgRatePerSecond, burst: config.msgBurst },
      bytes: { perSecond: config.byteRatePerSecond, burst: config.byteBurst },
      dropsBeforeClose: config.msgDropsBeforeClose,
    };
    this.#joins = new KeyedBuckets({ perSecond: config.joinsPerMinutePerIp / 60, burst: config.joinsPerMinutePerIp }, clock.monotonicMs());
    this.#turn =
      config.turnSecret !== undefined && config.turnUrls.length > 0
        ? { secret: config.turnSecret, urls: config.turnUrls, ttlSeconds: config.turnTtlSeconds }
        : undefined;
  }

  /**
   * A TCP connection opened: the key its address counts its pending handshake
   * under ('' where none is counted: behind a trusted proxy every connection
   * comes from the proxy), or undefined if that address has too many pending.
   */
  handshakeStarted(remoteAddress: string | undefined): string | undefined {
    if (this.#config.trustProxy > 0) return '';
    const key = addressKey(remoteAddress);
    if (this.#handshakes.count(key) >= this.#config.maxPendingHandshakesPerIp) return undefined;
    this.#handshakes.add(key);
    return key;
  }

  /** Its first request arrived, or it closed first: the address gets the slot back. Call once per started handshake. */
  handshakeEnded(key: string): void {
    if (key !== '') this.#handshakes.remove(key);
  }

  /** The response that refuses a connection over its address's pending handshakes. */
  get tooManyHandshakes(): { status: 429; reason: string } {
    return { status: 429, reason: `at most ${this.#config.maxPendingHandshakesPerIp} connections per address may be opening at once` };
  }

  /** Decides an upgrade request: the Origin first (it costs nothing to check), then the address's open sockets. */
  upgrade(req: Pick<IncomingMessage, 'headers' | 'socket'>): UpgradeVerdict {
    const origin = checkOrigin(req.headers.origin, req.headers.host, this.#origins);
    if (!origin.ok) return { ok: false, status: 403, reason: origin.reason };
    const ipKey = addressKey(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.#config.trustProxy));
    if (this.#connections.count(ipKey) >= this.#config.maxConnectionsPerIp) {
      return { ok: false, status: 429, reason: `at most ${this.#config.maxConnectionsPerIp} connections per address` };
    }
    return { ok: true, ipKey };
  }

  /** A socket opened for an admitted upgrade: count it against its address and give it full buckets. */
  opened(conn: EdgeState, ipKey: string): void {
    conn.ipKey = ipKey;
    conn.tokens = this.#messageLimits.messages.burst;
    conn.byteTokens = this.#messageLimits.bytes.burst;
    conn.refilledAt = this.#clock.monotonicMs();
    conn.dropped = 0;
    this.#connections.add(ipKey);
  }

  /** Its socket closed: the address gets the slot back. Safe twice. */
  closed(conn: EdgeState): void {
    if (conn.ipKey === '') return;
    this.#connections.remove(conn.ipKey);
    conn.ipKey = '';
  }

  /** One inbound frame of `bytes`, before it is even parsed. */
  message(conn: EdgeState, bytes: number): MessageVerdict {
    return admitMessage(conn, this.#messageLimits, bytes, this.#clock.monotonicMs());
  }

  /** Whether the connection's address may join a room now. */
  join(conn: EdgeState): boolean {
    return this.#joins.take(conn.ipKey, this.#clock.monotonicMs());
  }

  /** The `iceServers` part of a `joined` message: fresh TURN credentials for this peer, or nothing without a TURN secret. */
  iceServersFor(peer: PeerId): { iceServers?: TurnServer[] } {
    return this.#turn ? { iceServers: [turnCredentials(this.#turn, peer, this.#clock.unixMs())] } : {};
  }

  /** Addresses with open sockets, and with recent joins: both stay bounded by recent activity. */
  get trackedAddresses(): { connections: number; joins: number; handshakes: number } {
    return { connections: this.#connections.size, joins: this.#joins.size, handshakes: this.#handshakes.size };
  }
}
