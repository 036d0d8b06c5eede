import { fileURLToPath } from 'node:url';
import { DEFAULT_ALLOWED_ORIGINS, isOriginPattern } from './origin.ts';

// Every setting of the relay: the environment variable, its default, unit and reason.
// Nothing else in the relay reads process.env.

export interface RelayConfig {
  port: number;
  host: string;
  /** Cap on one WebSocket frame. Signaling (an SDP is a few KB) never needs more; ws defaults to 100 MiB. */
  maxMessageBytes: number;
  /** A mesh call beyond 8 starves every uplink (see the bandwidth notes in the README). */
  maxPeersPerRoom: number;
  /** Ping interval; a socket whose pong has not echoed the last ping's random payload by the next ping is terminated, so a dead peer leaves within 2 intervals. */
  heartbeatMs: number;
  /** On shutdown, sockets that have not closed after 1001 by then are terminated. */
  shutdownGraceMs: number;
  /**
   * Bytes the relay may hold for one connection that it could not yet hand to
   * the kernel (ws's `bufferedAmount`). A reader over it is closed with 4013
   * (transport.ts says why at once). The kernel's own send buffer (Linux
   * `net.ipv4.tcp_wmem`, up to 4 MiB by default) absorbs a burst before a
   * byte counts here, so a reader over 2 MiB is several MiB behind: 32
   * maximum-size frames, more than ten times what joining a full room sends
   * one member. Bounds the relay's memory per socket at this plus one frame.
   */
  maxOutboundBytes: number;
  /**
   * A socket the relay closes for a limit gets this long to finish the closing
   * handshake, then is cut. A reader that stopped reading never reads the close
   * frame, and ws would keep it, and its queue, for a fixed 30 s.
   */
  closeGraceMs: number;
  /**
   * A socket that has not joined a room this long after its upgrade is closed
   * with 4008. Zing sends `join` the moment its socket opens, so
   * 5 s is a thousand round trips; an idle socket only holds a slot of its address.
   */
  joinTimeoutMs: number;
  /** `info` logs one line per join, leave and error; `silent` for tests and benchmarks. */
  logLevel: 'info' | 'silent';
  /**
   * Error lines per second at most, over all connections; the rest are counted
   * in one `suppressed` line. A flood of bad frames from many connections
   * must not fill the disk or bury the lines that matter; /metrics counts all.
   */
  errorLogPerSecond: number;
  /** One error line per connection and code per spell: errors of that kind less than this apart are one spell. A bad client repeats within milliseconds. */
  errorLogSpellMs: number;
  /** The web build served to guests without Zing at /r/<room>; where it is missing, an explanation page. */
  webDir: string;
  // Abuse limits, enforced at the edge (admission.ts): crossing one answers that connection or address alone.
  /** Messages per second one connection may keep up: a bucket's refill. Once a call is set up, signaling is a trickle. */
  msgRatePerSecond: number;
  /** Messages one connection may send at once: the bucket's size. Joining a room of 7 sends an offer or answer, a presence and ~10 ICE candidates (host, STUN, TURN) per peer: ~100, doubled for an ICE restart on top. */
  msgBurst: number;
  /** Messages refused with RATE_LIMITED since the connection's bucket was last full; at this many the socket is closed with 4029: a flood, not a call. */
  msgDropsBeforeClose: number;
  /**
   * Bytes per second one connection may keep up: a second bucket beside the
   * messages', so a few maximum-size frames cost what many small ones do.
   * A full room's join (7 sealed offers of ~10 KB, ~70 candidates) is ~200 KB;
   * 7 links restarting ICE every 2 s send ~60 KB/s. 128 KiB/s is twice that.
   */
  byteRatePerSecond: number;
  /** Bytes one connection may send at once: room for a full room's join and an ICE restart on top, several times over. At least maxMessageBytes, or the largest frame could never pass. */
  byteBurst: number;
  /**
   * TCP connections per client address whose first HTTP request (the upgrade)
   * has not fully arrived; one more is answered 429 and closed. Such a request
   * takes one round trip, so 50 at once from one address is a slow-headers
   * attack rather than an office behind one NAT starting its calls. Counted only without a trusted proxy (ZING_TRUST_PROXY=0): behind
   * one, every connection comes from the proxy, which must bound its own.
   */
  maxPendingHandshakesPerIp: number;
  /** A TCP connection whose first HTTP request has not fully arrived by then is cut (Node's own headersTimeout is 60 s). */
  handshakeTimeoutMs: number;
  /** Open sockets per client address (IPv6: per /64); one more is refused with HTTP 429. One per call tab, so a busy office behind one NAT fits. */
  maxConnectionsPerIp: number;
  /** Joins per minute per client address, and at most that many at once; more get RATE_LIMITED. A tab joins once per (re)connection. */
  joinsPerMinutePerIp: number;
  /** Origins whose pages may open a socket (`*`, `scheme://host[:port]`, `scheme://*`); the relay's own origin is always allowed. */
  allowedOrigins: string[];
  /** Refuse an upgrade without an Origin header. Off: Origin guards people's browsers, which always send it; scripts can send anything. */
  requireOrigin: boolean;
  /** The relay's own origin as browsers see it (e.g. `https://relay.example`); unset, the Host header stands in. */
  publicUrl: string | undefined;
  /** Proxies in front that each append to X-Forwarded-For; 0: limits count the socket's address. */
  trustProxy: number;
  /** coturn's `static-auth-secret`; with turnUrls, each join gets TURN credentials. Unset: no TURN from the relay. */
  turnSecret: string | undefined;
  /** `turn:`/`turns:` URLs of the coturn servers sharing turnSecret. */
  turnUrls: string[];
  /** How long minted TURN credentials can start allocations. A running allocation outlives it (coturn refreshes with the key it already checked), but a peer that joins later or an ICE restart needs a fresh allocation, so it spans a long working day. */
  turnTtlSeconds: number;
  /** Rooms span relay instances through this Redis (redis-bus.ts); absent: one process, rooms in memory. */
  redis?: RedisConfig;
}

export interface RedisConfig {
  /** `REDIS_URL`, the name hosting platforms set: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /**
   * How long an instance counts as alive after its last refresh (it refreshes
   * every third of it). A crashed instance's peers leave everyone's calls within
   * this plus a quarter of it. 10 s: two missed refreshes (a GC pause, a Redis
   * failover) do not declare a live instance dead, and a ghost tile goes within
   * about the time ICE takes to notice that media stopped.
   */
  instanceTtlMs: number;
}

export const DEFAULT_INSTANCE_TTL_MS = 10_000;

/** The largest frame a relay may be set to take (ZING_MAX_MESSAGE_BYTES): redis-bus.ts bounds what it takes from other instances by it too. */
export const MAX_MESSAGE_BYTES_CEILING = 16 * 1024 * 1024;

export const DEFAULTS: RelayConfig = {
  port: 8787,
  host: '127.0.0.1',
  maxMessageBytes: 64 * 1024,
  maxPeersPerRoom: 8,
  heartbeatMs: 15_000,
  shutdownGraceMs: 2_000,
  maxOutboundBytes: 2 * 1024 * 1024,
  closeGraceMs: 1_000,
  joinTimeoutMs: 5_000,
  logLevel: 'info',
  errorLogPerSecond: 20,
  errorLogSpellMs: 10_000,
  webDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
  msgRatePerSecond: 50,
  msgBurst: 200,
  msgDropsBeforeClose: 200,
  byteRatePerSecond: 128 * 1024,
  byteBurst: 1024 * 1024,
  maxConnectionsPerIp: 100,
  joinsPerMinutePerIp: 60,
  maxPendingHandshakesPerIp: 50,
  handshakeTimeoutMs: 10_000,
  allowedOrigins: [...DEFAULT_ALLOWED_ORIGINS],
  requireOrigin: false,
  publicUrl: undefined,
  trustProxy: 0,
  turnSecret: undefined,
  turnUrls: [],
  turnTtlSeconds: 12 * 60 * 60,
};

/** Shorter shared secrets could be guessed offline from a single minted credential. */
const MIN_TURN_SECRET_LENGTH = 16;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** A comma-separated list, or undefined where the variable is unset or empty. */
function list(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((s) => s.trim());
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== '0' && raw !== '1') throw new ConfigError(`${name} must be 0 or 1, got "${raw}"`);
  return raw === '1';
}

function origins(env: NodeJS.ProcessEnv): string[] {
  const entries = list(env, 'ZING_ALLOWED_ORIGINS')?.map((s) => s.toLowerCase());
  if (entries === undefined) return [...DEFAULTS.allowedOrigins];
  if (!entries.every(isOriginPattern)) {
    throw new ConfigError(
      `ZING_ALLOWED_ORIGINS must be a comma-separated list of "scheme://host[:port]", "scheme://*" or "*", got "${env.ZING_ALLOWED_ORIGINS}"`,
    );
  }
  return entries;
}

function publicUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.ZING_PUBLIC_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(`ZING_PUBLIC_URL must be an http(s) origin such as https://relay.example, got "${raw}"`);
  }
  return url.origin;
}

function turn(env: NodeJS.ProcessEnv): Pick<RelayConfig, 'turnSecret' | 'turnUrls'> {
  const secret = env.ZING_TURN_SECRET || undefined;
  const urls = list(env, 'ZING_TURN_URLS');
  if (secret === undefined && urls === undefined) return { turnSecret: undefined, turnUrls: [] };
  if (secret === undefined)
    throw new ConfigError('ZING_TURN_SECRET must be set where ZING_TURN_URLS is: the static-auth-secret coturn was given');
  // The secret itself never goes into a message.
  if (secret.length < MIN_TURN_SECRET_LENGTH) {
    throw new ConfigError(`ZING_TURN_SECRET must be at least ${MIN_TURN_SECRET_LENGTH} characters, got ${secret.length}`);
  }
  if (urls === undefined) throw new ConfigError('ZING_TURN_URLS must list the turn: or turns: URLs that share ZING_TURN_SECRET');
  if (!urls.every((u) => /^turns?:[^\s]+$/.test(u))) {
    throw new ConfigError(`ZING_TURN_URLS must be a comma-separated list of turn: or turns: URLs, got "${env.ZING_TURN_URLS}"`);
  }
  return { turnSecret: secret, turnUrls: urls };
}

/** Reads the relay's settings; a malformed value stops start-up, naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const logLevel = env.ZING_LOG || DEFAULTS.logLevel; // empty means unset, as for the numbers below
  if (logLevel !== 'info' && logLevel !== 'silent') {
    throw new ConfigError(`ZING_LOG must be "info" or "silent", got "${logLevel}"`);
  }
  const maxMessageBytes = int(env, 'ZING_MAX_MESSAGE_BYTES', DEFAULTS.maxMessageBytes, 1024, MAX_MESSAGE_BYTES_CEILING);
  return {
    port: int(env, 'PORT', DEFAULTS.port, 0, 65535),
    host: env.HOST || DEFAULTS.host,
    maxMessageBytes,
    maxPeersPerRoom: int(env, 'ZING_MAX_PEERS_PER_ROOM', DEFAULTS.maxPeersPerRoom, 2, 64),
    heartbeatMs: int(env, 'ZING_HEARTBEAT_MS', DEFAULTS.heartbeatMs, 100, 3_600_000),
    shutdownGraceMs: int(env, 'ZING_SHUTDOWN_GRACE_MS', DEFAULTS.shutdownGraceMs, 0, 60_000),
    maxOutboundBytes: int(env, 'ZING_MAX_OUTBOUND_BYTES', DEFAULTS.maxOutboundBytes, 64 * 1024, 1024 * 1024 * 1024),
    closeGraceMs: int(env, 'ZING_CLOSE_GRACE_MS', DEFAULTS.closeGraceMs, 0, 60_000),
    joinTimeoutMs: int(env, 'ZING_JOIN_TIMEOUT_MS', DEFAULTS.joinTimeoutMs, 100, 600_000),
    logLevel,
    errorLogPerSecond: int(env, 'ZING_ERROR_LOG_PER_SECOND', DEFAULTS.errorLogPerSecond, 1, 1_000_000),
    errorLogSpellMs: int(env, 'ZING_ERROR_LOG_SPELL_MS', DEFAULTS.errorLogSpellMs, 0, 3_600_000),
    webDir: env.ZING_WEB_DIR || DEFAULTS.webDir,
    msgRatePerSecond: int(env, 'ZING_MSG_RATE', DEFAULTS.msgRatePerSecond, 1, 1_000_000),
    msgBurst: int(env, 'ZING_MSG_BURST', DEFAULTS.msgBurst, 1, 1_000_000),
    msgDropsBeforeClose: int(env, 'ZING_MSG_DROPS_BEFORE_CLOSE', DEFAULTS.msgDropsBeforeClose, 1, 1_000_000),
    ...bytes(env, maxMessageBytes),
    maxConnectionsPerIp: int(env, 'ZING_MAX_CONNECTIONS_PER_IP', DEFAULTS.maxConnectionsPerIp, 1, 1_000_000),
    joinsPerMinutePerIp: int(env, 'ZING_JOINS_PER_MINUTE_PER_IP', DEFAULTS.joinsPerMinutePerIp, 1, 1_000_000),
    maxPendingHandshakesPerIp: int(env, 'ZING_MAX_PENDING_HANDSHAKES_PER_IP', DEFAULTS.maxPendingHandshakesPerIp, 1, 1_000_000),
    handshakeTimeoutMs: int(env, 'ZING_HANDSHAKE_TIMEOUT_MS', DEFAULTS.handshakeTimeoutMs, 100, 600_000),
    allowedOrigins: origins(env),
    requireOrigin: flag(env, 'ZING_REQUIRE_ORIGIN', DEFAULTS.requireOrigin),
    publicUrl: publicUrl(env),
    trustProxy: int(env, 'ZING_TRUST_PROXY', DEFAULTS.trustProxy, 0, 10),
    ...turn(env),
    turnTtlSeconds: int(env, 'ZING_TURN_TTL_SECONDS', DEFAULTS.turnTtlSeconds, 60, 7 * 24 * 60 * 60),
    redis: redis(env),
  };
}

function bytes(env: NodeJS.ProcessEnv, maxMessageBytes: number): Pick<RelayConfig, 'byteRatePerSecond' | 'byteBurst'> {
  const byteRatePerSecond = int(env, 'ZING_BYTE_RATE', DEFAULTS.byteRatePerSecond, 1024, 1024 * 1024 * 1024);
  const byteBurst = int(env, 'ZING_BYTE_BURST', DEFAULTS.byteBurst, 1024, 1024 * 1024 * 1024);
  if (byteBurst < maxMessageBytes) {
    throw new ConfigError(
      `ZING_BYTE_BURST must be at least ZING_MAX_MESSAGE_BYTES (${maxMessageBytes}), or the largest frame could never pass; got "${byteBurst}"`,
    );
  }
  return { byteRatePerSecond, byteBurst };
}

function redis(env: NodeJS.ProcessEnv): RedisConfig | undefined {
  // Checked even without REDIS_URL: a typo must not wait for the day Redis is switched on.
  const instanceTtlMs = int(env, 'ZING_INSTANCE_TTL_MS', DEFAULT_INSTANCE_TTL_MS, 300, 600_000);
  const url = env.REDIS_URL;
  if (url === undefined || url === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  // The URL may hold a password: name the variable, never echo the value.
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  return { url, instanceTtlMs };
}
