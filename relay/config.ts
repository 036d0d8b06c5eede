import { fileURLToPath } from 'node:url';

// Every setting of the relay: the environment variable, its default, unit and reason.
// Nothing else in the relay reads process.env.

export interface RelayConfig {
  port: number;
  host: string;
  /** Cap on one WebSocket frame. Signaling (an SDP is a few KB) never needs more; ws defaults to 100 MiB. */
  maxMessageBytes: number;
  /** A mesh call beyond 8 starves every uplink (see the bandwidth notes in the README). */
  maxPeersPerRoom: number;
  /** Ping interval; a socket that missed the previous ping is terminated, so a dead peer leaves within 2 intervals. */
  heartbeatMs: number;
  /** On shutdown, sockets that have not closed after 1001 by then are terminated. */
  shutdownGraceMs: number;
  /** `info` logs one line per join, leave and error; `silent` for tests and benchmarks. */
  logLevel: 'info' | 'silent';
  /** The web build served to guests without Zing at /r/<room>; where it is missing, an explanation page. */
  webDir: string;
}

export const DEFAULTS: RelayConfig = {
  port: 8787,
  host: '127.0.0.1',
  maxMessageBytes: 64 * 1024,
  maxPeersPerRoom: 8,
  heartbeatMs: 15_000,
  shutdownGraceMs: 2_000,
  logLevel: 'info',
  webDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
};

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

/** Reads the relay's settings; a malformed value stops start-up, naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const logLevel = env.ZING_LOG || DEFAULTS.logLevel; // empty means unset, as for the numbers below
  if (logLevel !== 'info' && logLevel !== 'silent') {
    throw new ConfigError(`ZING_LOG must be "info" or "silent", got "${logLevel}"`);
  }
  return {
    port: int(env, 'PORT', DEFAULTS.port, 0, 65535),
    host: env.HOST || DEFAULTS.host,
    maxMessageBytes: int(env, 'ZING_MAX_MESSAGE_BYTES', DEFAULTS.maxMessageBytes, 1024, 16 * 1024 * 1024),
    maxPeersPerRoom: int(env, 'ZING_MAX_PEERS_PER_ROOM', DEFAULTS.maxPeersPerRoom, 2, 64),
    heartbeatMs: int(env, 'ZING_HEARTBEAT_MS', DEFAULTS.heartbeatMs, 100, 3_600_000),
    shutdownGraceMs: int(env, 'ZING_SHUTDOWN_GRACE_MS', DEFAULTS.shutdownGraceMs, 0, 60_000),
    logLevel,
    webDir: env.ZING_WEB_DIR || DEFAULTS.webDir,
  };
}
