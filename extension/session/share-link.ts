// Share links: `<relay origin>/r/<room>#<secret>`. Pure functions, no browser APIs beyond URL.
// The room id is derived from the secret (room-key.ts); callOf checks that they
// match before a page shows the call or tells other tabs of it.
import { ROOM_PATH_PREFIX, isRoomId } from '../../protocol/ids.ts';
import type { RoomId } from '../../protocol/relay.ts';
import { SECRET_PATTERN, deriveRoomKey } from './room-key.ts';

export interface ShareLink {
  /** `http(s)://host[:port]` of the relay that introduces the peers. */
  readonly relayOrigin: string;
  readonly room: RoomId;
  /** The key material in the #fragment: never sent to any server. */
  readonly secret: string;
  /** The link as people share it. */
  readonly href: string;
}

/** What a page or the popup says of a link it cannot use, with `reason` (a LinkResult's or CallOf's) after it. */
export const invalidLinkText = (reason: string): string => `This call link is not valid. ${reason}`;

/** A link's call among Zing's own pages (callOf), or why the link names none, in words. */
export type CallOf = { ok: true; call: string } | { ok: false; reason: string };

/**
 * The call a link names between Zing's own pages (the toolbar, other tabs):
 * its relay and the room its key derives, never its secret. `derived` is
 * room-key.ts deriveRoomKey of the link's secret. A link whose key derives
 * another room (part of it was changed: a damaged copy, or a site that knows
 * the room id) names no call: taken by its room alone it would pass for the
 * call the person is in, and joining it would end that call for a link that
 * cannot work. So two links with different keys never name the same call.
 * `derived` defaults to deriving it here; a page that made the keys already passes its own.
 */
export async function callOf(link: ShareLink, derived: Promise<{ room: string }> = deriveRoomKey(link.secret)): Promise<CallOf> {
  let room: string;
  try {
    ({ room } = await derived);
  } catch {
    return { ok: false, reason: 'The key in this link could not be used.' };
  }
  if (room !== link.room) {
    return { ok: false, reason: 'Its key does not belong to its room: part of the link was changed. Ask for it again.' };
  }
  return { ok: true, call: `${link.relayOrigin}${ROOM_PATH_PREFIX}${room}` };
}

export type LinkResult = { ok: true; link: ShareLink } | { ok: false; reason: string };

export function buildShareLink(relayOrigin: string, room: RoomId, secret: string): ShareLink {
  const origin = new URL(relayOrigin).origin;
  return { relayOrigin: origin, room, secret, href: `${origin}${ROOM_PATH_PREFIX}${room}#${secret}` };
}

/** Parses what a person pasted. Surrounding white space is forgiven; anything else wrong is named. */
export function parseShareLink(text: string): LinkResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'Paste a Zing call link first.' };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, reason: 'That is not a link. A Zing call link looks like https://relay.example/r/…' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'A Zing call link starts with https:// or http://.' };
  }
  if (!url.pathname.startsWith(ROOM_PATH_PREFIX)) {
    return { ok: false, reason: 'That link is not a Zing call link (its path should start with /r/).' };
  }
  const room = url.pathname.slice(ROOM_PATH_PREFIX.length).replace(/\/$/, '');
  if (!isRoomId(room)) {
    return { ok: false, reason: 'The call link is incomplete or damaged. Ask for it again.' };
  }
  const secret = url.hash.replace(/^#/, '');
  if (secret === '') {
    return {
      ok: false,
      reason: 'This link has no key after its # (it may be from an older Zing, or cut short). Ask for a new link.',
    };
  }
  if (!SECRET_PATTERN.test(secret)) {
    return { ok: false, reason: 'The key part of this link (after #) is damaged. Ask for the link again.' };
  }
  return { ok: true, link: buildShareLink(url.origin, room, secret) };
}

/** The relay's WebSocket endpoint for a link (ws:// for http, wss:// for https). */
export function socketUrl(link: ShareLink, path: string): string {
  const url = new URL(path, link.relayOrigin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

// The call page receives its share link in its own #fragment, so the link
// never appears in a request or a server log.
export const callPageFragment = (link: ShareLink): string => `#${encodeURIComponent(link.href)}`;

export function linkFromCallPageHash(hash: string): LinkResult {
  let decoded: string;
  try {
    decoded = decodeURIComponent(hash.replace(/^#/, ''));
  } catch {
    return { ok: false, reason: 'The call link is damaged. Ask for it again.' };
  }
  return parseShareLink(decoded);
}

/**
 * The link a call page was opened for, from wherever it came:
 * the relay's own /r/ page (a guest without Zing), a redirected share link
 * (`?o=<relay origin>&r=<room>` plus the carried-over #key), or the popup (#<encoded link>).
 */
export function linkFromPageLocation(loc: Pick<Location, 'protocol' | 'pathname' | 'search' | 'hash' | 'href'>): LinkResult {
  if ((loc.protocol === 'http:' || loc.protocol === 'https:') && loc.pathname.startsWith(ROOM_PATH_PREFIX)) {
    return parseShareLink(loc.href);
  }
  const query = new URLSearchParams(loc.search);
  const origin = query.get('o');
  const room = query.get('r');
  if (origin && room) return parseShareLink(`${origin}${ROOM_PATH_PREFIX}${room}${loc.hash}`);
  return linkFromCallPageHash(loc.hash);
}
