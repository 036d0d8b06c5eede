import { describe, expect, it } from 'vitest';
import {
  ANY_RELAY_HOSTS,
  relayAccess,
  relayAccessButton,
  relayAccessWarning,
  relayHostPattern,
} from '../../../../extension/session/relay-access.ts';

/**
 * Whether a match pattern of the shapes used here (`<scheme>://<host>/*`, `<scheme>://*\/*`)
 * covers `url`, as both browsers read one without a port: any port of that host.
 */
function parts(pattern: string): { scheme: string; host: string } {
  const m = /^(https?):\/\/(\*|[^/*:]+)\/\*$/.exec(pattern);
  if (!m?.[1] || !m[2]) throw new Error(`not a pattern of the expected shape: ${pattern}`);
  return { scheme: m[1], host: m[2] };
}
function covers(pattern: string, url: string): boolean {
  const { scheme, host } = parts(pattern);
  const u = new URL(url);
  return u.protocol === `${scheme}:` && (host === '*' || u.hostname === host);
}
/** Every URL `pattern` covers, `declared` covers too. */
function within(pattern: string, declared: string): boolean {
  const [p, d] = [parts(pattern), parts(declared)];
  return p.scheme === d.scheme && (d.host === '*' || d.host === p.host);
}

const ROOM_LINK = '/r/Zq3xYt8kL0mN_p-RsT4uVw#key';

describe('relayHostPattern', () => {
  it('is the relay’s scheme and host, any port, whatever path the URL has', () => {
    expect(relayHostPattern('https://relay.example/')).toBe('https://relay.example/*');
    expect(relayHostPattern('https://relay.example')).toBe('https://relay.example/*');
    expect(relayHostPattern('http://localhost:8787/')).toBe('http://localhost/*');
    expect(relayHostPattern('https://zing.example.com:8443/')).toBe('https://zing.example.com/*');
    expect(relayHostPattern('http://127.0.0.1:8787')).toBe('http://127.0.0.1/*');
  });

  it('has no port in it: Firefox refuses a match pattern with one', () => {
    for (const url of ['http://localhost:1/', 'https://relay.example:65535/', 'http://[::1]:8787/']) {
      expect(relayHostPattern(url)).not.toMatch(/:\d+\//);
    }
  });

  it('covers the relay’s share links and nothing on other hosts or schemes', () => {
    for (const relay of ['https://relay.example', 'http://localhost:8787', 'https://zing.example.com:8443']) {
      const pattern = relayHostPattern(`${relay}/`);
      expect(covers(pattern, `${relay}${ROOM_LINK}`)).toBe(true);
      const u = new URL(relay);
      for (const other of [
        `${u.protocol === 'https:' ? 'http:' : 'https:'}//${u.host}`,
        `${u.protocol}//evil.example`,
        `${u.protocol}//${u.hostname}.evil.example`,
        `${u.protocol}//evil-${u.hostname}`,
      ]) {
        expect(covers(pattern, `${other}${ROOM_LINK}`)).toBe(false);
      }
    }
  });
});

describe('relayAccess', () => {
  it('asks for the relay’s host alone, no API permission', () => {
    expect(relayAccess('https://relay.example/')).toEqual({ origins: ['https://relay.example/*'] });
  });

  it('is always within what the manifest declares optional, for any http(s) relay', () => {
    for (const relay of ['https://relay.example/', 'http://localhost:4000/', 'http://10.0.0.2:8787/', 'https://a.b.c.example:1/']) {
      for (const pattern of relayAccess(relay).origins) expect(ANY_RELAY_HOSTS.some((declared) => within(pattern, declared))).toBe(true);
    }
    // and nothing wider than http(s): no file:, no <all_urls>
    expect(ANY_RELAY_HOSTS.map((d) => parts(d).scheme).sort()).toEqual(['http', 'https']);
  });
});

describe('the options page’s words for a relay without access', () => {
  it('names the relay and says its links open as its web page, not in Zing, until access is allowed', () => {
    const text = relayAccessWarning('https://relay.example/');
    expect(text).toContain('Links to relay.example will open as that site’s web page, not in Zing');
    expect(text).toContain('until you allow Zing to access relay.example');
    expect(text).toContain('can read the call’s key');
  });

  it('keeps the port, so a person tells two relays on one host apart', () => {
    expect(relayAccessWarning('http://localhost:4000/')).toContain('Links to localhost:4000');
    expect(relayAccessButton('http://localhost:4000/')).toBe('Allow access to localhost:4000');
  });
});
