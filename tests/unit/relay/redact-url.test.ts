import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../relay/redis-bus.ts';

describe('redactUrl', () => {
  it('masks the password in the userinfo and keeps the rest', () => {
    expect(redactUrl('redis://user:s3cret@redis.example:6379/2')).toBe('redis://user:***@redis.example:6379/2');
    expect(redactUrl('rediss://redis.example:6380')).toBe('rediss://redis.example:6380');
  });

  it('masks a password passed as a query parameter, which ioredis also reads', () => {
    const shown = redactUrl('redis://redis.example:6379/?password=s3cret&db=2&sentinelPassword=t0ken&Password=again');
    expect(shown).not.toMatch(/s3cret|t0ken|again/);
    expect(new URL(shown).searchParams.getAll('password')).toEqual(['***']);
    expect(new URL(shown).searchParams.get('sentinelPassword')).toBe('***');
    expect(new URL(shown).searchParams.get('Password')).toBe('***');
    expect(new URL(shown).searchParams.get('db')).toBe('2'); // not a secret: kept for the operator
  });

  it('masks every copy of a repeated password parameter, and both places at once', () => {
    const shown = redactUrl('redis://u:one@h:1/?password=two&password=three');
    expect(shown).not.toMatch(/one|two|three/);
    expect(shown).toBe('redis://u:***@h:1/?password=***');
  });

  it('shows nothing of a URL it cannot parse', () => {
    expect(redactUrl('not a url password=s3cret')).toBe('(malformed URL)');
  });
});
