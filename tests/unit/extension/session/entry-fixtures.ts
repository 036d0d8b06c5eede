// What the entry tests share: a share link and the shapes of the call page's address.
import type { PageLocation } from '../../../../extension/session/entry.ts';
import { buildShareLink, callPageFragment } from '../../../../extension/session/share-link.ts';

export const ROOM = 'AbCdEfGhIjKlMnOpQrSt_-';
export const SECRET = `${'k'.repeat(40)}_-9`;
export const RELAY = 'https://relay.example';
export const LINK = buildShareLink(RELAY, ROOM, SECRET);
export const CALL_PAGE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/extension/call/index.html';

export function at(href: string): PageLocation {
  const u = new URL(href);
  return { href, protocol: u.protocol, pathname: u.pathname, search: u.search, hash: u.hash };
}

/** The call page as the popup opens it (#<encoded link>), optionally with a token. */
export const popupShape = (token?: string, link = LINK) => at(`${CALL_PAGE}${token ? `?t=${token}` : ''}${callPageFragment(link)}`);
