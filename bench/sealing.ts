// What signing costs per signaling message: the product's SealedSignaling
// (Ed25519 sign, pad, AES-GCM seal; open, unpad, parse, verify) in real
// Chromium, beside a baseline of the v1 envelope (AES-GCM seal and open, no
// signature, no padding) that a message cost before issue 13, measured in the
// same page in the same run.
//
//   npm run bench:sealing       (no build needed: the probe is bundled here)
//
// esbuild bundles bench/lib/sealing-probe.ts with the extension's own session
// modules into one script; a headless Chromium runs it on a page served from
// 127.0.0.1 (a secure context, as WebCrypto needs).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { SealingResult } from './lib/sealing-probe.ts';

/** Messages per figure: enough that WebCrypto's thread hops average out. */
const COUNT = Number(process.env.ZING_BENCH_MESSAGES ?? 500);
const CHROMIUM = process.env.ZING_CHROMIUM ?? '/usr/bin/chromium';

const bundle = await build({
  entryPoints: ['bench/lib/sealing-probe.ts'],
  bundle: true,
  write: false,
  format: 'iife',
  target: 'es2022',
});
const script = bundle.outputFiles[0]?.text ?? '';

const server = createServer((_req, res) =>
  res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sealing</title>'),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo; // a TCP listener
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.addScriptTag({ content: script });
  const version = browser.version();
  // Set by the bundled probe.
  const r = await page.evaluate(
    (n) => (globalThis as unknown as { runSealingBench(n: number): Promise<SealingResult> }).runSealingBench(n),
    COUNT,
  );
  const ms = (x: number) => x.toFixed(3).padStart(8);
  console.log(
    `bench:sealing — Chromium ${version}, ${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)}, ${COUNT} messages per figure`,
  );
  console.log('');
  console.log('ms per message, send to delivery   v2 (signed, padded)   v1 baseline (sealed only)   added');
  for (const [what, f] of [
    ['presence, one at a time', [r.presence.signed.oneAtATime, r.presence.baseline.oneAtATime]],
    ['presence, pipelined', [r.presence.signed.pipelined, r.presence.baseline.pipelined]],
    ['5 KB description, one at a time', [r.description.signed.oneAtATime, r.description.baseline.oneAtATime]],
    ['5 KB description, pipelined', [r.description.signed.pipelined, r.description.baseline.pipelined]],
  ] as const) {
    console.log(`${what.padEnd(34)} ${ms(f[0])}              ${ms(f[1])}                  ${ms(f[0] - f[1])}`);
  }
  console.log('');
  console.log(`Ed25519 sign ${r.sign.toFixed(3)} ms, verify ${r.verify.toFixed(3)} ms (one at a time, WebCrypto round trip included)`);
  console.log(
    `bytes on the wire: presence ${r.bytes.presence[0]} (unpadded, unsigned: ${r.bytes.presence[1]}); description ${r.bytes.description[0]} (${r.bytes.description[1]})`,
  );
} finally {
  await browser.close();
  server.close();
}
