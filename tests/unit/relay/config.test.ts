import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_INSTANCE_TTL_MS, DEFAULTS, loadConfig } from '../../../relay/config.ts';

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError; // checked just above
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('returns the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it('keeps the default caps small enough for signaling', () => {
    expect(DEFAULTS.maxMessageBytes).toBe(64 * 1024);
    expect(DEFAULTS.maxPeersPerRoom).toBe(8);
    expect(DEFAULTS.host).toBe('127.0.0.1');
    expect(DEFAULTS.webDir).toMatch(/[/\\]dist[/\\]web$/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', HOST: '', ZING_MAX_PEERS_PER_ROOM: '', ZING_LOG: '', ZING_WEB_DIR: '' })).toEqual(DEFAULTS);
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        PORT: '0',
        HOST: '0.0.0.0',
        ZING_MAX_MESSAGE_BYTES: '4096',
        ZING_MAX_PEERS_PER_ROOM: '3',
        ZING_HEARTBEAT_MS: '250',
        ZING_SHUTDOWN_GRACE_MS: '0',
        ZING_MAX_OUTBOUND_BYTES: '1048576',
        ZING_CLOSE_GRACE_MS: '500',
        ZING_JOIN_TIMEOUT_MS: '2000',
        ZING_ERROR_LOG_PER_SECOND: '5',
        ZING_ERROR_LOG_SPELL_MS: '60000',
        ZING_MAX_PENDING_HANDSHAKES_PER_IP: '4',
        ZING_HANDSHAKE_TIMEOUT_MS: '3000',
        ZING_LOG: 'silent',
        ZING_WEB_DIR: '/srv/zing/web',
        ZING_MSG_RATE: '20',
        ZING_MSG_BURST: '80',
        ZING_MSG_DROPS_BEFORE_CLOSE: '40',
        ZING_BYTE_RATE: '65536',
        ZING_BYTE_BURST: '262144',
        ZING_MAX_CONNECTIONS_PER_IP: '10',
        ZING_JOINS_PER_MINUTE_PER_IP: '30',
        ZING_ALLOWED_ORIGINS: 'chrome-extension://abc, HTTPS://Call.Example ,moz-extension://*',
        ZING_REQUIRE_ORIGIN: '1',
        ZING_PUBLIC_URL: 'https://relay.example/',
        ZING_TRUST_PROXY: '1',
        ZING_TURN_SECRET: 'a-secret-of-24-characters',
        ZING_TURN_URLS: 'turn:turn.example:3478?transport=udp,turns:turn.example:443?transport=tcp',
        ZING_TURN_TTL_SECONDS: '3600',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      maxMessageBytes: 4096,
      maxPeersPerRoom: 3,
      heartbeatMs: 250,
      shutdownGraceMs: 0,
      maxOutboundBytes: 1_048_576,
      closeGraceMs: 500,
      joinTimeoutMs: 2_000,
      errorLogPerSecond: 5,
      errorLogSpellMs: 60_000,
      maxPendingHandshakesPerIp: 4,
      handshakeTimeoutMs: 3_000,
      logLevel: 'silent',
      webDir: '/srv/zing/web',
      msgRatePerSecond: 20,
      msgBurst: 80,
      msgDropsBeforeClose: 40,
      byteRatePerSecond: 65_536,
      byteBurst: 262_144,
      maxConnectionsPerIp: 10,
      joinsPerMinutePerIp: 30,
      allowedOrigins: ['chrome-extension://abc', 'https://call.example', 'moz-extension://*'],
      requireOrigin: true,
      publicUrl: 'https://relay.example',
      trustProxy: 1,
      turnSecret: 'a-secret-of-24-characters',
      turnUrls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:443?transport=tcp'],
      turnTtlSeconds: 3600,
    });
  });

  it('ignores variables it does not own', () => {
    expect(loadConfig({ NODE_ENV: 'production', ZING_UNKNOWN: 'x' })).toEqual(DEFAULTS);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['ZING_MAX_PEERS_PER_ROOM', 'abc'],
    ['ZING_MAX_PEERS_PER_ROOM', '1'],
    ['ZING_MAX_PEERS_PER_ROOM', '65'],
    ['ZING_MAX_MESSAGE_BYTES', '64k'],
    ['ZING_MAX_MESSAGE_BYTES', '100'],
    ['ZING_HEARTBEAT_MS', '10'],
    ['ZING_SHUTDOWN_GRACE_MS', '1e9'],
    ['ZING_MAX_OUTBOUND_BYTES', '1000'],
    ['ZING_MAX_OUTBOUND_BYTES', '2MiB'],
    ['ZING_CLOSE_GRACE_MS', '-1'],
    ['ZING_JOIN_TIMEOUT_MS', '50'],
    ['ZING_ERROR_LOG_PER_SECOND', '0'],
    ['ZING_ERROR_LOG_SPELL_MS', 'often'],
    ['ZING_MAX_PENDING_HANDSHAKES_PER_IP', '0'],
    ['ZING_HANDSHAKE_TIMEOUT_MS', '99'],
    ['ZING_BYTE_RATE', '100'],
    ['ZING_BYTE_BURST', '1mb'],
    ['ZING_BYTE_BURST', '32768'],
    ['ZING_LOG', 'debug'],
    ['ZING_MSG_RATE', '0'],
    ['ZING_MSG_BURST', '2.5'],
    ['ZING_MSG_DROPS_BEFORE_CLOSE', 'lots'],
    ['ZING_MAX_CONNECTIONS_PER_IP', '0'],
    ['ZING_JOINS_PER_MINUTE_PER_IP', '-5'],
    ['ZING_ALLOWED_ORIGINS', 'https://call.example/path'],
    ['ZING_ALLOWED_ORIGINS', 'chrome-extension://abc,,moz-extension://*'],
    ['ZING_ALLOWED_ORIGINS', 'call.example'],
    ['ZING_REQUIRE_ORIGIN', 'yes'],
    ['ZING_PUBLIC_URL', 'relay.example'],
    ['ZING_PUBLIC_URL', 'https://relay.example/zing'],
    ['ZING_PUBLIC_URL', 'ftp://relay.example'],
    ['ZING_TRUST_PROXY', '11'],
    ['ZING_TURN_TTL_SECONDS', '30'],
  ])('throws a ConfigError naming %s when it is "%s"', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain(name);
    expect(err.message).toContain(`"${value}"`);
  });

  it('accepts the boundary values of each range', () => {
    expect(loadConfig({ ZING_MAX_PEERS_PER_ROOM: '2' }).maxPeersPerRoom).toBe(2);
    expect(loadConfig({ ZING_MAX_PEERS_PER_ROOM: '64' }).maxPeersPerRoom).toBe(64);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ ZING_HEARTBEAT_MS: '100' }).heartbeatMs).toBe(100);
  });
});

describe('loadConfig for the abuse limits and TURN', () => {
  it('sizes the default limits for signaling bursts of eight people, with TURN off', () => {
    expect(DEFAULTS).toMatchObject({
      msgRatePerSecond: 50,
      msgBurst: 200,
      msgDropsBeforeClose: 200,
      maxConnectionsPerIp: 100,
      joinsPerMinutePerIp: 60,
      requireOrigin: false,
      publicUrl: undefined,
      trustProxy: 0,
      turnSecret: undefined,
      turnUrls: [],
      turnTtlSeconds: 12 * 60 * 60,
    });
  });

  it('allows the Chrome extension by its fixed id and any Firefox extension by default', () => {
    expect(DEFAULTS.allowedOrigins).toEqual(['chrome-extension://oadbebmmljbobedlicbbcfajhplencgk', 'moz-extension://*']);
  });

  it('accepts "*" to allow every origin', () => {
    expect(loadConfig({ ZING_ALLOWED_ORIGINS: '*' }).allowedOrigins).toEqual(['*']);
  });

  it('refuses a TURN secret without TURN URLs, naming ZING_TURN_URLS', () => {
    expect(configError({ ZING_TURN_SECRET: 'a-secret-of-24-characters' }).message).toContain('ZING_TURN_URLS');
  });

  it('refuses TURN URLs without a secret, naming ZING_TURN_SECRET', () => {
    expect(configError({ ZING_TURN_URLS: 'turn:turn.example:3478' }).message).toContain('ZING_TURN_SECRET');
  });

  it('refuses a TURN secret shorter than 16 characters without printing it', () => {
    const err = configError({ ZING_TURN_SECRET: 'short-secret', ZING_TURN_URLS: 'turn:turn.example' });
    expect(err.message).toContain('ZING_TURN_SECRET');
    expect(err.message).not.toContain('short-secret');
  });

  it('refuses a TURN URL that is not turn: or turns:', () => {
    const err = configError({ ZING_TURN_SECRET: 'a-secret-of-24-characters', ZING_TURN_URLS: 'turn:ok.example,stun:stun.example' });
    expect(err.message).toContain('ZING_TURN_URLS');
    expect(err.message).toContain('stun:stun.example');
  });
});

describe('loadConfig: the Redis bus', () => {
  it('keeps rooms in memory without REDIS_URL, or with it empty', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: '' }).redis).toBeUndefined();
  });

  it('reads REDIS_URL and ZING_INSTANCE_TTL_MS', () => {
    expect(loadConfig({ REDIS_URL: 'redis://redis:6379' }).redis).toEqual({
      url: 'redis://redis:6379',
      instanceTtlMs: DEFAULT_INSTANCE_TTL_MS,
    });
    expect(loadConfig({ REDIS_URL: 'rediss://u:p@host:6380/2', ZING_INSTANCE_TTL_MS: '2000' }).redis).toEqual({
      url: 'rediss://u:p@host:6380/2',
      instanceTtlMs: 2000,
    });
  });

  it('refuses a URL that is not redis:// or rediss://, without echoing it (it may hold a password)', () => {
    for (const url of ['http://redis:6379', 'redis', 'localhost:6379']) {
      let error: unknown;
      try {
        loadConfig({ REDIS_URL: url });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('REDIS_URL'); // checked to be a ConfigError just above
    }
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2@redis' })).toThrow(/^(?!.*hunter2)/);
  });

  it.each(['abc', '299', '600001', '1.5'])('refuses ZING_INSTANCE_TTL_MS=%s, even without REDIS_URL', (ttl) => {
    expect(() => loadConfig({ ZING_INSTANCE_TTL_MS: ttl })).toThrow(/ZING_INSTANCE_TTL_MS/);
  });
});
