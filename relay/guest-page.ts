// Loads the web build (the call page for guests without Zing) once at start-up.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestPage } from './app.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // WebAssembly (noise suppression, background blur): compiled while it streams in, which needs this type.
  '.wasm': 'application/wasm',
  // MediaPipe's segmentation model and graph (background blur): bytes, read by its own code.
  '.tflite': 'application/octet-stream',
  '.binarypb': 'application/octet-stream',
};

/** The guest page from `dir` (dist/web), or undefined where it was not built. */
export function loadGuestPage(dir: string): GuestPage | undefined {
  const htmlPath = join(dir, 'extension/web/index.html');
  if (!existsSync(htmlPath)) return undefined;
  const assets = new Map<string, { body: Uint8Array<ArrayBuffer>; type: string }>();
  const assetDir = join(dir, 'assets');
  for (const name of existsSync(assetDir) ? readdirSync(assetDir) : []) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type) assets.set(name, { body: new Uint8Array(readFileSync(join(assetDir, name))), type });
  }
  return { html: readFileSync(htmlPath, 'utf8'), asset: (name) => assets.get(name) };
}
