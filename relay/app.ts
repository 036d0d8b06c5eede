// HTTP routes. No socket state lives here.
import { Hono } from 'hono';
import { isRoomId } from './protocol.ts';

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

export function createApp(): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/r/:room', (c) => {
    const valid = isRoomId(c.req.param('room'));
    return c.body(roomPage(valid), valid ? 200 : 400, PAGE_HEADERS);
  });
  app.get('/r', (c) => c.body(roomPage(false), 400, PAGE_HEADERS));
  return app;
}
