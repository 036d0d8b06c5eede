import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_ORIGINS, checkOrigin, isOriginPattern, type OriginPolicy } from '../../../relay/origin.ts';

const POLICY: OriginPolicy = { allowed: DEFAULT_ALLOWED_ORIGINS, requireOrigin: false, publicOrigin: undefined };
const HOST = 'relay.example';
const allowed = (origin: string | undefined, host: string | undefined = HOST, policy: OriginPolicy = POLICY) =>
  checkOrigin(origin, host, policy).ok;

describe('checkOrigin with the default allow-list', () => {
  it('allows Zing’s Chrome extension by its fixed id', () => {
    expect(allowed('chrome-extension://oadbebmmljbobedlicbbcfajhplencgk')).toBe(true);
  });

  it('refuses any other Chrome extension', () => {
    expect(allowed('chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(false);
    expect(allowed('chrome-extension://oadbebmmljbobedlicbbcfajhplencgkx')).toBe(false);
  });

  it('allows any Firefox extension, whose uuid is random per install', () => {
    expect(allowed('moz-extension://0b9c8e1d-4f1a-4c5e-9a7b-3c2d1e0f9a8b')).toBe(true);
    expect(allowed('moz-extension://')).toBe(false);
  });

  it('allows the relay’s own origin over http and https, from the Host header', () => {
    expect(allowed('https://relay.example')).toBe(true);
    expect(allowed('http://relay.example')).toBe(true);
    expect(allowed('http://127.0.0.1:8787', '127.0.0.1:8787')).toBe(true);
    expect(allowed('HTTPS://Relay.Example', 'relay.EXAMPLE')).toBe(true);
  });

  it('refuses another site, a look-alike of the relay, another port and the opaque "null" origin', () => {
    for (const origin of ['https://evil.example', 'https://relay.example.evil.example', 'https://relay.example:8443', 'null']) {
      expect(allowed(origin), origin).toBe(false);
    }
  });

  it('refuses every web origin when the request has no Host header', () => {
    expect(checkOrigin('https://relay.example', undefined, POLICY).ok).toBe(false);
    expect(checkOrigin('https://relay.example', '', POLICY).ok).toBe(false);
  });

  it('says which origin it refused', () => {
    expect(checkOrigin('https://evil.example', HOST, POLICY)).toEqual({
      ok: false,
      reason: 'origin "https://evil.example" is not allowed',
    });
  });

  it('allows a request without an Origin header (scripts, tests, the benchmark) unless Origin is required', () => {
    expect(allowed(undefined)).toBe(true);
    expect(allowed('')).toBe(true);
    expect(checkOrigin(undefined, HOST, { ...POLICY, requireOrigin: true })).toEqual({ ok: false, reason: 'an Origin header is required' });
    expect(allowed('chrome-extension://oadbebmmljbobedlicbbcfajhplencgk', HOST, { ...POLICY, requireOrigin: true })).toBe(true);
  });
});

describe('checkOrigin with a public URL', () => {
  const policy = { ...POLICY, publicOrigin: 'https://relay.example' };

  it('allows exactly that origin, whatever Host a proxy passed on', () => {
    expect(allowed('https://relay.example', '127.0.0.1:8787', policy)).toBe(true);
  });

  it('refuses the other scheme and an origin that only matches the Host header', () => {
    expect(allowed('http://relay.example', 'relay.example', policy)).toBe(false);
    expect(allowed('http://rebound.example', 'rebound.example', policy)).toBe(false);
  });
});

describe('checkOrigin with a custom allow-list', () => {
  it('allows an exact origin and a scheme wildcard, and "*" allows everything', () => {
    const policy = { ...POLICY, allowed: ['https://call.example', 'chrome-extension://*'] };
    expect(allowed('https://call.example', HOST, policy)).toBe(true);
    expect(allowed('chrome-extension://anything', HOST, policy)).toBe(true);
    expect(allowed('moz-extension://0b9c8e1d', HOST, policy)).toBe(false);
    expect(allowed('https://anything.example', HOST, { ...POLICY, allowed: ['*'] })).toBe(true);
  });
});

describe('isOriginPattern', () => {
  it.each([
    '*',
    'https://call.example',
    'http://127.0.0.1:8787',
    'http://[::1]:8787',
    'moz-extension://*',
    'chrome-extension://oadbebmmljbobedlicbbcfajhplencgk',
  ])('accepts %s', (entry) => expect(isOriginPattern(entry)).toBe(true));

  it.each([
    '',
    'call.example',
    'https://call.example/',
    'https://call.example/path',
    'https://*.example',
    'https://',
    '*://x',
    'https://a b',
  ])('refuses "%s"', (entry) => expect(isOriginPattern(entry)).toBe(false));
});
