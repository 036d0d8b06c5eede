// The relay's HTTP side: health check, share-link pages, and which paths may upgrade.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../../relay/server.ts';
import { TestClient, newRoomId, socketUrl, startTestRelay, withTimeout } from './helpers.ts';

let relay: Relay;

beforeAll(async () => {
  relay = await startTestRelay();
});

afterAll(async () => {
  await relay.close();
});

/** Attempts a WebSocket upgrade on `path` and returns the HTTP status the relay answered with. */
async function refusedUpgradeStatus(path: string): Promise<number> {
  const ws = new WebSocket(socketUrl(relay, path));
  ws.on('error', () => undefined); // aborting the handshake below reports an error we expect
  const status = await withTimeout(
    new Promise<number>((resolve, reject) => {
      // With this listener ws leaves the refused request to us: read the status, then drop it.
      ws.once('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.once('open', () => reject(new Error(`upgrade on ${path} was accepted`)));
    }),
    `upgrade on ${path}`,
  );
  return status;
}

describe('HTTP routes', () => {
  it('answers /healthz with 200 ok', async () => {
    const res = await fetch(`${relay.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('serves a scriptless HTML page naming Zing for a valid share link when there is no web build', async () => {
    const res = await fetch(`${relay.url}/r/${newRoomId()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('Zing');
    expect(html).toContain('This is a Zing call');
    expect(html).not.toMatch(/<script/i);
  });

  it('answers a share link with a malformed room with a 400 page, not a 404', async () => {
    for (const path of ['/r/bad', '/r', '/r/', `/r/${'x'.repeat(65)}`, '/r/has%20space0000000000']) {
      const res = await fetch(`${relay.url}${path}`);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(await res.text(), path).toContain('This Zing link looks broken');
    }
  });

  it('answers an unknown path with 404', async () => {
    expect((await fetch(`${relay.url}/nope`)).status).toBe(404);
  });
});

describe('WebSocket upgrades', () => {
  it('accepts an upgrade on /ws, with or without a query string', async () => {
    for (const path of ['/ws', '/ws?v=1']) {
      const c = await TestClient.connect(socketUrl(relay, path), path);
      expect((await c.join(newRoomId())).peers).toEqual([]);
      await c.close();
    }
  });

  it.each(['/', '/other', '/ws/', '/wsx', '/healthz', `/r/${newRoomId()}`])('refuses an upgrade on %s with 404', async (path) => {
    expect(await refusedUpgradeStatus(path)).toBe(404);
  });
});

describe('with a web build (guests without Zing)', () => {
  let withWeb: Relay;
  let webDir: string;
  const WASM_MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const GUEST_HTML = '<!doctype html><title>Zing guest</title><script type="module" src="/_zing/assets/app-1a2b.js"></script>';

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'zing-web-'));
    mkdirSync(join(webDir, 'extension/web'), { recursive: true });
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'extension/web/index.html'), GUEST_HTML);
    writeFileSync(join(webDir, 'assets/app-1a2b.js'), 'console.log("zing")');
    writeFileSync(join(webDir, 'assets/rnnoise-3c4d.wasm'), WASM_MAGIC);
    writeFileSync(join(webDir, 'assets/selfie_segmentation_landscape-5e6f.tflite'), 'TFL3');
    writeFileSync(join(webDir, 'assets/notes.txt'), 'not a served type');
    withWeb = await startTestRelay({ webDir });
  });

  afterAll(async () => {
    await withWeb?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves the web build for a valid share link, limited to its own origin', async () => {
    const res = await fetch(`${withWeb.url}/r/${newRoomId()}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(GUEST_HTML);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("connect-src 'self'");
    // Its own scripts and WebAssembly compiled from its own files; never eval.
    expect(csp.split(';').map((d) => d.trim())).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('still answers a malformed share link with the 400 page', async () => {
    const res = await fetch(`${withWeb.url}/r/bad`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This Zing link looks broken');
  });

  it('serves the built assets with their type and a long cache, and nothing else', async () => {
    const js = await fetch(`${withWeb.url}/_zing/assets/app-1a2b.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log("zing")');
    const wasm = await fetch(`${withWeb.url}/_zing/assets/rnnoise-3c4d.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(WASM_MAGIC);
    // The blur's segmentation model: served from the relay itself, as the guest page's CSP (connect-src 'self') requires.
    const model = await fetch(`${withWeb.url}/_zing/assets/selfie_segmentation_landscape-5e6f.tflite`);
    expect(model.headers.get('content-type')).toBe('application/octet-stream');
    expect(await model.text()).toBe('TFL3');
    for (const path of ['/_zing/assets/notes.txt', '/_zing/assets/missing.js', '/_zing/assets/..%2Fextension%2Fweb%2Findex.html']) {
      expect((await fetch(`${withWeb.url}${path}`)).status, path).toBe(404);
    }
  });
});
