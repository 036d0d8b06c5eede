import { describe, expect, it } from 'vitest';
import { deriveRoomKey, newSecret } from '../../../../extension/session/room-key.ts';
import {
  buildShareLink,
  callOf,
  callPageFragment,
  linkFromCallPageHash,
  parseShareLink,
  socketUrl,
  type LinkResult,
} from '../../../../extension/session/share-link.ts';

const ROOM = 'AbCdEfGhIjKlMnOpQrSt_-'; // 22 base64url characters, the length room-key.ts derives
const SECRET = `${'k'.repeat(40)}_-9`; // 43 base64url characters: 32 bytes unpadded
const HREF = `https://relay.example/r/${ROOM}#${SECRET}`;

/** The reason of a refused link; fails the test if the link was accepted. */
function reasonOf(result: LinkResult): string {
  if (result.ok) throw new Error(`expected a refusal, got ${result.link.href}`);
  return result.reason;
}

describe('buildShareLink', () => {
  it('puts the room under /r/ on the relay origin and the secret in the fragment', () => {
    expect(buildShareLink('https://relay.example', ROOM, SECRET)).toEqual({
      relayOrigin: 'https://relay.example',
      room: ROOM,
      secret: SECRET,
      href: HREF,
    });
  });

  it('keeps a non-default port and drops a trailing slash, path, query and fragment of the relay address', () => {
    const link = buildShareLink('http://127.0.0.1:8787/some/path?x=1#y', ROOM, SECRET);
    expect(link.relayOrigin).toBe('http://127.0.0.1:8787');
    expect(link.href).toBe(`http://127.0.0.1:8787/r/${ROOM}#${SECRET}`);
  });

  it('normalises the host to lower case and drops a default port', () => {
    expect(buildShareLink('HTTPS://Relay.Example:443/', ROOM, SECRET).href).toBe(HREF);
  });

  it('throws on a relay address that is not a URL', () => {
    expect(() => buildShareLink('relay.example', ROOM, SECRET)).toThrow(TypeError);
  });
});

describe('parseShareLink', () => {
  it('accepts an https link', () => {
    expect(parseShareLink(HREF)).toEqual({
      ok: true,
      link: { relayOrigin: 'https://relay.example', room: ROOM, secret: SECRET, href: HREF },
    });
  });

  it('accepts an http link with a port (a relay on the local machine)', () => {
    const result = parseShareLink(`http://127.0.0.1:8787/r/${ROOM}#${SECRET}`);
    expect(result.ok && result.link.relayOrigin).toBe('http://127.0.0.1:8787');
  });

  it('forgives white space and line breaks around a pasted link', () => {
    const result = parseShareLink(`  \n\t${HREF} \r\n`);
    expect(result.ok && result.link.href).toBe(HREF);
  });

  it('forgives one trailing slash after the room', () => {
    const result = parseShareLink(`https://relay.example/r/${ROOM}/#${SECRET}`);
    expect(result.ok && result.link.room).toBe(ROOM);
  });

  it('round-trips every link buildShareLink makes', async () => {
    for (let i = 0; i < 20; i++) {
      const secret = newSecret();
      const link = buildShareLink('https://relay.example:8443', (await deriveRoomKey(secret)).room, secret);
      expect(parseShareLink(link.href)).toEqual({ ok: true, link });
    }
  });

  it('asks for a link when given nothing or only white space', () => {
    expect(reasonOf(parseShareLink(''))).toMatch(/paste/i);
    expect(reasonOf(parseShareLink('   \n'))).toMatch(/paste/i);
  });

  it('says that text which is not a URL is not a link', () => {
    expect(reasonOf(parseShareLink('hello there'))).toMatch(/not a link/);
    expect(reasonOf(parseShareLink(`relay.example/r/${ROOM}#${SECRET}`))).toMatch(/not a link/);
  });

  it.each(['ftp', 'ws', 'wss', 'file', 'javascript', 'chrome-extension'])('refuses the %s: scheme, naming the one expected', (scheme) => {
    expect(reasonOf(parseShareLink(`${scheme}://relay.example/r/${ROOM}#${SECRET}`))).toMatch(/https:\/\//);
  });

  it.each([
    ['no path', `https://relay.example#${SECRET}`],
    ['another path', `https://relay.example/room/${ROOM}#${SECRET}`],
    ['the room in the query', `https://relay.example/?r=${ROOM}#${SECRET}`],
    ['a path that only contains /r/ later', `https://relay.example/x/r/${ROOM}#${SECRET}`],
  ])('says a link with %s is not a Zing call link', (_what, text) => {
    expect(reasonOf(parseShareLink(text))).toMatch(/not a Zing call link/);
  });

  it.each([
    ['no room', `https://relay.example/r/#${SECRET}`],
    ['a room that is too short', `https://relay.example/r/abc#${SECRET}`],
    ['a room longer than 64 characters', `https://relay.example/r/${'a'.repeat(65)}#${SECRET}`],
    ['a room with characters outside base64url', `https://relay.example/r/${ROOM.slice(0, 20)}+/#${SECRET}`],
    ['a room followed by more path', `https://relay.example/r/${ROOM}/extra#${SECRET}`],
    ['a room with percent-encoded characters', `https://relay.example/r/${ROOM}%20#${SECRET}`],
  ])('says a link with %s is incomplete or damaged', (_what, text) => {
    expect(reasonOf(parseShareLink(text))).toMatch(/incomplete or damaged/);
  });

  it.each([
    ['no fragment', `https://relay.example/r/${ROOM}`],
    ['an empty fragment', `https://relay.example/r/${ROOM}#`],
  ])('says a link with %s has no key', (_what, text) => {
    expect(reasonOf(parseShareLink(text))).toMatch(/no key/);
  });

  it.each([
    ['cut short', SECRET.slice(0, 42)],
    ['one character too long', `${SECRET}x`],
    ['with a character outside base64url', `${SECRET.slice(0, 42)}=`],
    ['percent-encoded', `${SECRET.slice(0, 40)}%20`],
  ])('says a key that is %s is damaged', (_what, secret) => {
    expect(reasonOf(parseShareLink(`https://relay.example/r/${ROOM}#${secret}`))).toMatch(/key part .* damaged/);
  });
});

describe('socketUrl', () => {
  it('uses ws: for an http relay', () => {
    expect(socketUrl(buildShareLink('http://127.0.0.1:8787', ROOM, SECRET), '/ws')).toBe('ws://127.0.0.1:8787/ws');
  });

  it('uses wss: for an https relay, keeping its port', () => {
    expect(socketUrl(buildShareLink('https://relay.example:8443', ROOM, SECRET), '/ws')).toBe('wss://relay.example:8443/ws');
  });

  it('never puts the room or the secret into the socket URL', () => {
    const url = socketUrl(buildShareLink('https://relay.example', ROOM, SECRET), '/ws');
    expect(url).not.toContain(ROOM);
    expect(url).not.toContain(SECRET);
  });
});

describe('the call page fragment', () => {
  it('round-trips a link through callPageFragment and linkFromCallPageHash', () => {
    const link = buildShareLink('http://127.0.0.1:8787', ROOM, newSecret());
    const hash = callPageFragment(link);
    expect(hash.startsWith('#')).toBe(true);
    expect(linkFromCallPageHash(hash)).toEqual({ ok: true, link });
  });

  it('encodes the link so the fragment holds no raw :, / or second #', () => {
    const hash = callPageFragment(buildShareLink('https://relay.example', ROOM, SECRET));
    expect(hash.slice(1)).not.toMatch(/[:/#]/);
  });

  it('accepts a hash without its leading #', () => {
    const link = buildShareLink('https://relay.example', ROOM, SECRET);
    expect(linkFromCallPageHash(callPageFragment(link).slice(1))).toEqual({ ok: true, link });
  });

  it('calls a hash with broken percent-encoding damaged', () => {
    expect(reasonOf(linkFromCallPageHash('#https%3A%2F%2Frelay.example%2Fr%2F%E0%A4%A'))).toMatch(/damaged/);
  });

  it('asks for a link when the hash is empty', () => {
    expect(reasonOf(linkFromCallPageHash(''))).toMatch(/paste/i);
    expect(reasonOf(linkFromCallPageHash('#'))).toMatch(/paste/i);
  });

  it('refuses a hash whose link lost its key', () => {
    expect(reasonOf(linkFromCallPageHash(`#${encodeURIComponent(`https://relay.example/r/${ROOM}`)}`))).toMatch(/no key/);
  });

  it('refuses a hash that decodes to something that is not a call link', () => {
    expect(reasonOf(linkFromCallPageHash(`#${encodeURIComponent('javascript:alert(1)')}`))).toMatch(/https:\/\//);
  });
});

describe('callOf: the call a link names among Zing’s own pages', () => {
  /** A link as the popup makes it: its room derived from its key. */
  async function goodLink() {
    const secret = newSecret();
    return buildShareLink('https://relay.example', (await deriveRoomKey(secret)).room, secret);
  }
  const nameOf = (link: ReturnType<typeof buildShareLink>) => callOf(link, deriveRoomKey(link.secret));

  it('names it by relay and the room its key derives, never the secret', async () => {
    const link = await goodLink();
    const named = await nameOf(link);
    expect(named).toEqual({ ok: true, call: `https://relay.example/r/${link.room}` });
    expect(JSON.stringify(named)).not.toContain(link.secret);
  });

  it('refuses the call’s room with another well-formed key, in words: it never passes for the call', async () => {
    const link = await goodLink();
    const changed = parseShareLink(`${link.relayOrigin}/r/${link.room}#${newSecret()}`);
    if (!changed.ok) throw new Error(changed.reason);
    expect(await nameOf(changed.link)).toEqual({
      ok: false,
      reason: 'Its key does not belong to its room: part of the link was changed. Ask for it again.',
    });
  });

  it('refuses a link whose key names another room, whichever part changed', async () => {
    const link = await goodLink();
    const other = await goodLink();
    // The key of one call on the room of another: neither call's name.
    expect((await nameOf(buildShareLink(link.relayOrigin, other.room, link.secret))).ok).toBe(false);
    expect((await nameOf(buildShareLink(link.relayOrigin, ROOM, SECRET))).ok).toBe(false);
  });

  it('refuses a link whose key could not be used', async () => {
    const link = await goodLink();
    expect(await callOf(link, Promise.reject(new Error('no WebCrypto')))).toEqual({
      ok: false,
      reason: 'The key in this link could not be used.',
    });
  });
});
