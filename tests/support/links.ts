// Share links for tests, made as the popup makes them, and a website of another
// origin that holds them as ordinary links, the way a web chat or web mail does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deriveRoomKey, newSecret } from '../../extension/session/room-key.ts';
import { buildShareLink } from '../../extension/session/share-link.ts';

export async function newCallLink(relayUrl: string): Promise<string> {
  const secret = newSecret();
  const { room } = await deriveRoomKey(secret);
  return buildShareLink(relayUrl, room, secret).href;
}

/** The names of the links on a LinkSite page. */
export const SAME_TAB_LINK = 'Join my call';
export const NEW_TAB_LINK = 'Join my call in a new tab';

export interface LinkSite {
  /** `http://localhost:<port>`: another origin than a relay on 127.0.0.1, though the same machine. */
  readonly origin: string;
  /** A page holding `link` twice: as a plain link (`Join my call`) and with target=_blank (`Join my call in a new tab`). */
  pageWithLink(link: string): string;
  close(): Promise<void>;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A small website on a free port, listening on 127.0.0.1 and addressed as localhost. */
export async function startLinkSite(): Promise<LinkSite> {
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const html = pages.get(req.url ?? '');
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`; // listening on TCP, so an AddressInfo
  return {
    origin,
    pageWithLink(link) {
      const path = `/chat/${pages.size}`;
      pages.set(
        path,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A web chat</title></head><body>
<p>Ann: call me here <a href="${attr(link)}">${SAME_TAB_LINK}</a></p>
<p>Ann: or here <a href="${attr(link)}" target="_blank">${NEW_TAB_LINK}</a></p>
</body></html>`,
      );
      return origin + path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
