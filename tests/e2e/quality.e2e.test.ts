// Quality that follows the viewer (#16), in real Chromium: a receiver that
// shrinks a tile gets a smaller stream on that link only, and a receiver whose
// tab is hidden gets no video at all until it shows the tab again.
//
// Bo's browser is attached with real tab visibility (tests/support/browser.ts,
// realVisibility): Playwright's own launch keeps every page `visible`.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, launchPerson, openCallPage, startCall, videoFrames, type Person } from '../support/browser.ts';

// Bo and Cy capture small so three browsers fit on 2 cores; Ada, the sender watched here, keeps the default 720p.
const SMALL = { maxVideoHeight: 240 };
/** What the brief allows for a shrunk tile to reach its sender's encoder, and for frames to resume. */
const SHRINK_WITHIN_MS = 3_000;
const HIDE_WITHIN_MS = 2_000;
const RESUME_WITHIN_MS = 2_000;

/** Test-only: keeps the page's peer connections, so a hidden page's decoded frames can be counted. */
function keepPeerConnections(): void {
  const pcs: RTCPeerConnection[] = [];
  (globalThis as unknown as { __zingTestPcs: RTCPeerConnection[] }).__zingTestPcs = pcs;
  const Native = RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
    }
  };
}

/** Video frames the page has decoded so far, over all its links. */
function decodedFrames(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (globalThis as unknown as { __zingTestPcs?: RTCPeerConnection[] }).__zingTestPcs ?? [];
    let frames = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type?: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
      });
    }
    return frames;
  });
}

/** The Stats panel's cells for the link to `name`: what is sent (`<kbps> kbps · <W>×<H>` or `no video`) and what they asked for. */
async function linkCells(page: Page, name: string): Promise<{ sending: string; asked: string }> {
  const row = page.getByRole('region', { name: 'Connection stats', exact: true }).getByRole('row', { name: new RegExp(`^${name} `) });
  const sending = (await row.getByRole('cell').first().textContent()) ?? '';
  const asked = (await row.locator('[data-stat="asked"]').textContent()) ?? '';
  return { sending, asked };
}

const sentHeight = (sending: string): number => Number(/×(\d+)$/.exec(sending)?.[1] ?? Number.NaN);

describe('quality follows the viewer', () => {
  let relay: Relay;
  let ada: Person;
  let bo: Person;
  let cy: Person;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [ada, bo, cy] = await Promise.all([
      launchPerson({ name: 'Ada', relayUrl: relay.url }),
      launchPerson({ name: 'Bo', relayUrl: relay.url, settings: SMALL, realVisibility: true }),
      launchPerson({ name: 'Cy', relayUrl: relay.url, settings: SMALL }),
    ]);
    await bo.context.addInitScript(keepPeerConnections);
  });

  afterAll(async () => {
    await Promise.all([ada?.close(), bo?.close(), cy?.close()]);
    await relay?.close();
  });

  it('sends a tile shrunk to 160×90 at most 180 lines within 3 s, while the other link stays larger', async () => {
    a = await startCall(ada);
    const link = await callLinkOf(a);
    [b] = await Promise.all([openCallPage(bo, link), openCallPage(cy, link)]);
    await Promise.all([videoFrames(b, 'Ada', 20_000), videoFrames(a, 'Bo', 20_000), videoFrames(a, 'Cy', 20_000)]);
    expect(await b.evaluate(() => document.visibilityState)).toBe('visible');

    await a.getByRole('button', { name: 'Stats', exact: true }).click();
    // Both links carry more than 180 lines while Bo's tile of Ada is of grid size.
    await expect.poll(async () => sentHeight((await linkCells(a, 'Bo')).sending), { timeout: 10_000 }).toBeGreaterThan(180);

    // Bo shrinks Ada's tile with the keyboard, as a person can: Shift+arrows resize the focused tile.
    const tile = b.getByRole('group', { name: 'Ada', exact: true });
    await tile.focus();
    for (let i = 0; i < 60; i++) {
      const box = (await tile.boundingBox())!;
      if (box.width <= 160 && box.height <= 90) break;
      await b.keyboard.press(box.width > 160 ? 'Shift+ArrowLeft' : 'Shift+ArrowUp');
    }
    const box = (await tile.boundingBox())!;
    const ratio = await b.evaluate(() => devicePixelRatio);
    expect(box.width * ratio).toBeLessThanOrEqual(160);
    expect(box.height * ratio).toBeLessThanOrEqual(90);
    const shrunk = Date.now();

    await expect
      .poll(async () => sentHeight((await linkCells(a, 'Bo')).sending), { timeout: SHRINK_WITHIN_MS, interval: 100 })
      .toBeLessThanOrEqual(180);
    const took = Date.now() - shrunk;
    console.log(
      `quality e2e: Ada's stream to Bo at ≤180 lines ${took} ms after Bo's tile reached ${Math.round(box.width)}×${Math.round(box.height)}`,
    );
    const cells = await linkCells(a, 'Bo');
    expect(cells.asked).toMatch(/^\d+×\d+/);
    // The link to Cy, whose tile of Ada did not change, stays larger.
    expect(sentHeight((await linkCells(a, 'Cy')).sending)).toBeGreaterThan(sentHeight(cells.sending));
  });

  it('stops the video to a hidden tab within 2 s, and frames resume within 2 s of showing it again', async () => {
    // Another tab in front of Bo's call: his call page is hidden, as in a person's browser.
    const other = await bo.context.newPage();
    await other.goto('about:blank');
    const hidden = Date.now();
    expect(await b.evaluate(() => document.visibilityState)).toBe('hidden');

    await expect.poll(async () => (await linkCells(a, 'Bo')).sending, { timeout: HIDE_WITHIN_MS, interval: 100 }).toMatch(/no video$/);
    console.log(`quality e2e: Ada stopped her video to Bo ${Date.now() - hidden} ms after his tab was hidden`);
    expect((await linkCells(a, 'Bo')).asked).toBe('not shown');
    // Nothing more reaches Bo's decoder, from Ada or from Cy (a frame in flight may still land).
    await new Promise((r) => setTimeout(r, 500));
    const before = await decodedFrames(b);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await decodedFrames(b)) - before).toBeLessThanOrEqual(2);

    await b.bringToFront();
    const shown = Date.now();
    expect(await b.evaluate(() => document.visibilityState)).toBe('visible');
    const stopped = await decodedFrames(b);
    await expect.poll(() => decodedFrames(b), { timeout: RESUME_WITHIN_MS, interval: 50 }).toBeGreaterThan(stopped + 2);
    console.log(`quality e2e: Bo decoding again ${Date.now() - shown} ms after showing his tab`);
    expect((await videoFrames(b, 'Ada', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect((await videoFrames(b, 'Cy', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
    await other.close();
  });
});
