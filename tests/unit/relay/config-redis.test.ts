import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_INSTANCE_TTL_MS, loadConfig } from '../../../relay/config.ts';

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
