// HTTP routes. No socket state lives here.
import { Hono } from 'hono';
import { isRoomId } from '../protocol/ids.ts';

// The page a share link shows in a browser without Zing. It carries no script,
// so nothing here can read the link's #fragment.
const roomPage = (valid: boolean) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Zing call</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}h1{font-size:1.5rem}code{background:#eef;padding:.1rem .3rem;border-radius:.2rem}</style>
</head><body><main>
<h1>${valid ? 'This is a Zing call' : 'This Zing link looks broken'}</h1>
${
  valid
    ? '<p>To join, copy this page’s address from the address bar, click the Zing icon in your browser’s toolbar, paste it into <strong>Call link</strong> and press <strong>Join</strong>.</p>'
    : '<p>The room part of this address is not valid. Ask the person who invited you to copy the link again.</p>'
}
<p>Zing is a browser extension for peer-to-peer video calls. This server only introduces the people in a call to each other; audio and video go directly between them.</p>
</main></body></html>`;

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

// The guest call page runs Zing's own code from this relay; it may talk only to this origin.
const GUEST_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export interface AppOptions {
  /** The web build (dist/web): served as the call itself to guests without Zing. Absent: an explanation page. */
  guest?: GuestPage;
  /** Renders GET /metrics (metrics.ts); absent: 404. */
  metrics?: () => Promise<{ body: string; contentType: string }>;
}

export interface GuestPage {
  html: string;
  /** Reads a built asset by its name under assets/, or undefined. */
  asset(name: string): { body: Uint8Array<ArrayBuffer>; type: string } | undefined;
}

export function createApp(opts: AppOptions = {}): Hono {
  const app = new Hono();
  const guest = opts.guest;
  app.get('/healthz', (c) => c.text('ok'));
  const metrics = opts.metrics;
  if (metrics) {
    app.get('/metrics', async (c) => {
      const { body, contentType } = await metrics();
      return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
    });
  }
  app.get('/r/:room', (c) => {
    const valid = isRoomId(c.req.param('room'));
    if (valid && guest) return c.body(guest.html, 200, GUEST_HEADERS);
    return c.body(roomPage(valid), valid ? 200 : 400, PAGE_HEADERS);
  });
  app.get('/_zing/assets/:name', (c) => {
    const file = guest?.asset(c.req.param('name'));
    if (!file) return c.notFound();
    return c.body(file.body, 200, {
      'content-type': file.type,
      // Asset names carry a content hash: safe to cache for good.
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
  // A link cut short before the room part gets the same page (Hono tells '/r' and '/r/' apart).
  app.on('GET', ['/r', '/r/'], (c) => c.body(roomPage(false), 400, PAGE_HEADERS));
  return app;
}
