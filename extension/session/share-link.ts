// Share links: `<relay origin>/r/<room>`. Pure functions, no browser APIs beyond URL and crypto.
import { ROOM_PATH_PREFIX, isRoomId, type RoomId } from '../../relay/protocol.ts';

export interface ShareLink {
  /** `http(s)://host[:port]` of the relay that introduces the peers. */
  readonly relayOrigin: string;
  readonly room: RoomId;
  /** The link as people share it. */
  readonly href: string;
}

export type LinkResult = { ok: true; link: ShareLink } | { ok: false; reason: string };

/** 128 random bits, base64url: unguessable, so only people given the link find the room. */
export function newRoomId(): RoomId {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function buildShareLink(relayOrigin: string, room: RoomId): ShareLink {
  const origin = new URL(relayOrigin).origin;
  return { relayOrigin: origin, room, href: `${origin}${ROOM_PATH_PREFIX}${room}` };
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
  return { ok: true, link: buildShareLink(url.origin, room) };
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
