import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from '../../../relay/config.ts';

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
        ZING_LOG: 'silent',
        ZING_WEB_DIR: '/srv/zing/web',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      maxMessageBytes: 4096,
      maxPeersPerRoom: 3,
      heartbeatMs: 250,
      shutdownGraceMs: 0,
      logLevel: 'silent',
      webDir: '/srv/zing/web',
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
    ['ZING_LOG', 'debug'],
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
