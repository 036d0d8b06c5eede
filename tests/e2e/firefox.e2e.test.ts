// A call across browsers: a Chromium user starts a call, a Firefox user opens
// its link, each decodes the other's video, and chat, files and a shared screen
// go both ways. A mute in Firefox shows in Chromium, from the page, from
// Firefox's own keyboard shortcut and from the popup, which also brings the
// call's tab back and leaves the call. A link clicked in Firefox on a page of
// another origin lands on the pre-join gate and joins on `Join call`; in a
// Firefox without Zing it lands on the relay's guest page, which joins the same
// call. Clicked again while in that call, it says so in the new tab, which can
// show the call's tab or take the call over, never showing the person twice. Background blur runs in the Firefox build. A Firefox sender follows what
// its Chromium viewer shows (a small tile, a hidden tab), and a Chromium sender
// what its Firefox viewer shows (its tile, a hidden tab).
// Firefox (Debian's firefox-esr) is driven over raw WebDriver BiDi.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import {
  callLinkOf,
  growthOf,
  linkCells,
  mediaTotals,
  mostTilesWhile,
  shrinkTile,
  startCall,
  videoFrames,
  watchPeerConnections,
  type Person,
} from '../support/browser.ts';
import {
  addPreloadScript,
  attribute,
  callOnNode,
  click,
  clickWhenEnabled,
  DENY_MEDIA_PREFS,
  evaluate,
  FIREFOX_DIST,
  firefoxVideoFrames,
  launchFirefox,
  locate,
  navigate,
  openFirefoxCallPage,
  pressInBrowserWindow,
  setFiles,
  typeText,
  waitForFirefoxShareLinkRedirect,
  waitForOne,
  waitForTab,
  type FirefoxPerson,
} from '../support/firefox.ts';
import { patternBytes } from '../support/bytes.ts';
import { CHECKERBOARD_CAMERA } from '../support/firefox-fake-media.ts';
import { roomDetail } from '../support/picture.ts';
import { NEW_TAB_LINK, SAME_TAB_LINK, startLinkSite, type LinkSite } from '../support/links.ts';
import { TWO_BROWSERS_TIMEOUT_MS, launchChromiumAndFirefox } from '../support/two-browsers.ts';

/** How long a gated page is watched for a join that must not happen (as in links.e2e.test.ts). */
const UNSEEN_MS = 1_000;
/** The brief's bounds for a shrunk tile to reach its sender, a hidden tab's video to stop, and frames to resume (as in quality.e2e.test.ts). */
const SHRINK_WITHIN_MS = 3_000;
const HIDE_WITHIN_MS = 2_000;
const RESUME_WITHIN_MS = 2_000;

describe('a call between Chromium and Firefox', () => {
  let relay: Relay;
  let chromium: Person;
  let firefox: FirefoxPerson;
  let chromiumPage: Page;
  let site: LinkSite;
  const requests: string[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    relay.server.on('request', (req: IncomingMessage) => requests.push(`${req.method} ${req.url}`));
    site = await startLinkSite();
    ({ chromium, firefox } = await launchChromiumAndFirefox(
      // With real tab visibility: a test below hides her call behind another tab.
      { name: 'Chrome Carol', relayUrl: relay.url, realVisibility: true },
      // With WebGL (a window on a virtual display): background blur needs it, and headless Firefox has none.
      { name: 'Firefox Fiona', relayUrl: relay.url, webgl: true },
    ));
    await watchPeerConnections(chromium);
  }, TWO_BROWSERS_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([chromium?.close(), firefox?.close()]);
    await site?.close();
    await relay?.close();
  });

  it('connects both ways, each side decoding the other’s video', async () => {
    chromiumPage = await startCall(chromium);
    await openFirefoxCallPage(firefox, await callLinkOf(chromiumPage));
    const [firefoxSeenByChromium, chromiumSeenByFirefox] = await Promise.all([
      videoFrames(chromiumPage, 'Firefox Fiona'),
      firefoxVideoFrames(firefox, 'Chrome Carol'),
    ]);
    expect(firefoxSeenByChromium.width).toBeGreaterThan(0);
    expect(firefoxSeenByChromium.framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(chromiumSeenByFirefox.width).toBeGreaterThan(0);
    expect(chromiumSeenByFirefox.framesAdvanced).toBeGreaterThanOrEqual(5);
  });

  /**
   * Opens Fiona's `Settings`, clicks the checkbox `name` there if `toggle`, and
   * closes the dialog; gives the box's state and the effects notes the dialog showed.
   */
  async function firefoxSettings(name: string, toggle: boolean): Promise<{ checked: boolean; note: string }> {
    const { bidi, context } = firefox;
    await click(bidi, context, await waitForOne(bidi, context, 'button', 'Settings', 5_000));
    const dialog = await waitForOne(bidi, context, 'dialog', 'Settings', 5_000);
    const [box] = await locate(bidi, context, 'checkbox', name, dialog);
    if (!box) throw new Error(`no checkbox ${name} in Settings`);
    if (toggle) await click(bidi, context, box);
    const checked = (await callOnNode(bidi, context, box, '(el) => el.checked')) === true;
    const note = String(
      await callOnNode(bidi, context, dialog, "(d) => [...d.querySelectorAll('.effects-note')].map((n) => n.textContent).join(' ')"),
    );
    const [close] = await locate(bidi, context, 'button', 'Close', dialog);
    if (close) await click(bidi, context, close);
    return { checked, note };
  }

  it('runs background blur in the Firefox build: Chromium sees the room behind Fiona blurred, frames still coming', async () => {
    // Fiona's camera films a checkerboard from the next time it opens: she turns it off and on.
    expect(await evaluate(firefox.bidi, firefox.context, CHECKERBOARD_CAMERA)).toBe(true);
    const camera = await waitForOne(firefox.bidi, firefox.context, 'button', 'Turn off camera', 5_000);
    for (const off of ['true', 'false']) {
      await click(firefox.bidi, firefox.context, camera);
      await expect.poll(() => attribute(firefox, camera, 'aria-pressed'), { timeout: 5_000 }).toBe(off);
    }
    await expect.poll(() => roomDetail(chromiumPage, 'Firefox Fiona'), { timeout: 15_000, interval: 500 }).toBeGreaterThan(8);
    const raw = await roomDetail(chromiumPage, 'Firefox Fiona');

    expect((await firefoxSettings('Blur background', true)).checked).toBe(true);
    // The checkerboard's sharp squares come out as an even grey at Carol's end.
    await expect.poll(() => roomDetail(chromiumPage, 'Firefox Fiona'), { timeout: 30_000, interval: 500 }).toBeLessThan(raw / 4);
    const blurred = await roomDetail(chromiumPage, 'Firefox Fiona');
    console.log(`detail in Fiona's room at Carol: ${raw.toFixed(2)} raw, ${blurred.toFixed(2)} blurred in Firefox`);
    expect((await videoFrames(chromiumPage, 'Firefox Fiona')).framesAdvanced).toBeGreaterThanOrEqual(5);
    // It kept up and had nothing to report: no note, still on a few seconds later.
    await new Promise((r) => setTimeout(r, 3_000)); // a blur that cannot keep up gives up within about 4 s
    expect(await firefoxSettings('Blur background', false)).toEqual({ checked: true, note: '' });
    expect(await roomDetail(chromiumPage, 'Firefox Fiona')).toBeLessThan(raw / 4);

    expect((await firefoxSettings('Blur background', true)).checked).toBe(false);
    await expect.poll(() => roomDetail(chromiumPage, 'Firefox Fiona'), { timeout: 15_000, interval: 500 }).toBeGreaterThan(raw / 4);
  });

  it('runs RNNoise in the Firefox build’s AudioWorklet: noise rendered through it comes out silent', async () => {
    // Offline: this machine has no sound device (no /dev/snd, no sound server), and a live
    // AudioContext in Firefox stayed suspended here even after a real click, so the call itself
    // sends the raw microphone here, by design. (Firefox's fake microphone is a steady tone, which
    // RNNoise lets through once it has settled, about 3 s in: no use to measure with anyway.) The worklet and the WebAssembly are the build's own files.
    const assets = readdirSync(join(FIREFOX_DIST, 'assets'));
    const worklet = assets.find((a) => /^workletProcessor-.*\.js$/.test(a));
    const wasm = assets.find((a) => /^rnnoise_simd-.*\.wasm$/.test(a));
    expect(worklet && wasm).toBeTruthy();
    const rms = JSON.parse(
      String(
        await evaluate(
          firefox.bidi,
          firefox.context,
          `(async () => {
            const wasm = await (await fetch('/assets/${wasm}')).arrayBuffer();
            // The worklet compiles its WebAssembly when created and stays silent until then. An offline
            // render does not wait for that: on CI's busy machine it once engaged so late that the last
            // second was still settling (0.0148). So the render starts 4 s after the node is made, and
            // reports when the output first made a sound.
            const render = async (fill, suppressed) => {
              const n = 20 * 48000;
              const ctx = new OfflineAudioContext(1, n, 48000);
              await ctx.audioWorklet.addModule('/assets/${worklet}');
              const buffer = ctx.createBuffer(1, n, 48000);
              fill(buffer.getChannelData(0));
              const source = ctx.createBufferSource();
              source.buffer = buffer;
              const options = { processorOptions: { maxChannels: 1, wasmBinary: wasm.slice(0) } };
              const node = suppressed ? new AudioWorkletNode(ctx, '@sapphi-red/web-noise-suppressor/rnnoise', options) : ctx.createGain();
              source.connect(node).connect(ctx.destination);
              source.start();
              if (suppressed) await new Promise((r) => setTimeout(r, 4000)); // the worklet compiles while nothing renders yet
              const all = (await ctx.startRendering()).getChannelData(0);
              const out = all.slice(n - 48000); // the last second, RNNoise long settled
              const first = all.findIndex((v) => v !== 0);
              return { rms: Math.sqrt(out.reduce((sum, v) => sum + v * v, 0) / out.length), engagedAt: first / 48000 };
            };
            const noise = (d) => { let x = 15; const u = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32 || 1e-9; for (let i = 0; i < d.length; i++) d[i] = 0.03 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()); }; // seeded Gaussian, as the Chromium test's WAV
            const raw = await render(noise, false);
            const suppressed = await render(noise, true);
            return JSON.stringify({ noise: [raw.rms, suppressed.rms], engagedAt: suppressed.engagedAt });
          })()`,
          30_000,
        ),
      ),
    ) as { noise: [number, number]; engagedAt: number }; // the page returned exactly this shape
    console.log(
      `RNNoise in Firefox, noise RMS raw → suppressed: ${rms.noise.map((v) => v.toFixed(4)).join(' → ')} (engaged at ${rms.engagedAt.toFixed(2)} s of 20)`,
    );
    expect(rms.noise[0]).toBeGreaterThan(0.02);
    // RNNoise made its first sound within the first 5 s of audio, so the last second is ≥ 14 s after it.
    expect(rms.engagedAt).toBeGreaterThanOrEqual(0);
    expect(rms.engagedAt).toBeLessThan(5);
    // At least 10 dB less, as the Chromium test asks of its WAV's noise in a call.
    expect(rms.noise[1]).toBeLessThan(rms.noise[0] / 3.16);
  });

  it('shows the same safety code in both browsers, each made from what its own DTLS verified', async () => {
    const codeAtChromium = () =>
      chromiumPage
        .getByRole('group', { name: 'Firefox Fiona', exact: true })
        .getByRole('note', { name: 'Safety code', exact: true })
        .textContent();
    await expect.poll(codeAtChromium, { timeout: 5_000 }).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    // Firefox lists no certificates in getStats: its code comes from RTCDtlsTransport.getRemoteCertificates().
    const carol = await waitForOne(firefox.bidi, firefox.context, 'group', 'Chrome Carol', 5_000);
    const codeAtFirefox = async () => {
      const [note] = await locate(firefox.bidi, firefox.context, 'note', 'Safety code', carol);
      return note ? String(await callOnNode(firefox.bidi, firefox.context, note, '(el) => el.textContent')) : '';
    };
    await expect.poll(codeAtFirefox, { timeout: 5_000 }).toBe(await codeAtChromium());
  });

  it('carries chat and a file each way between the two browsers, the file whole (SHA-256)', async () => {
    const { bidi, context } = firefox;
    // Chat: each types into Message and presses Enter; each reads the other's line.
    await click(bidi, context, await waitForOne(bidi, context, 'textbox', 'Message', 5_000));
    await typeText(bidi, context, 'hello from Firefox\uE007'); // U+E007: WebDriver's Enter key
    await chromiumPage.getByText('hello from Firefox', { exact: true }).waitFor({ timeout: 5_000 });
    const message = chromiumPage.getByRole('textbox', { name: 'Message', exact: true });
    await message.pressSequentially('hello from Chromium');
    await message.press('Enter');
    await expect.poll(() => evaluate(bidi, context, 'document.body.innerText'), { timeout: 5_000 }).toContain('hello from Chromium');

    // Files: 5 MB in 64 KiB messages each way. Firefox and Chromium differ in the largest
    // data-channel message they take, so a chunk size only one of them accepts fails here.
    const dir = mkdtempSync(join(tmpdir(), 'zing-file-'));
    try {
      const bytes = patternBytes(5 * 1024 * 1024);
      const want = createHash('sha256').update(bytes).digest('hex');
      for (const name of ['to-firefox.bin', 'to-chromium.bin']) writeFileSync(join(dir, name), bytes);

      await chromiumPage.locator('input[type="file"]').setInputFiles(join(dir, 'to-firefox.bin'));
      const save = await waitForOne(bidi, context, 'link', 'Save to-firefox.bin', 60_000);
      // What Save would write: the blob behind the link, hashed in Firefox's page.
      const got = await callOnNode(
        bidi,
        context,
        save,
        `async (a) => {
          const bytes = await (await fetch(a.href)).arrayBuffer();
          const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('') + ' ' + a.download;
        }`,
      );
      expect(got).toBe(`${want} to-firefox.bin`);

      await setFiles(bidi, context, 'input[type="file"]', [join(dir, 'to-chromium.bin')]);
      const saveInChromium = chromiumPage.getByRole('link', { name: 'Save to-chromium.bin', exact: true });
      await saveInChromium.waitFor({ timeout: 60_000 });
      // Carol's browser is attached over CDP (real tab visibility), where Playwright sees no downloads:
      // the blob behind Save is hashed in her page too.
      const gotInChromium = await saveInChromium.evaluate(async (a) => {
        const link = a as HTMLAnchorElement;
        const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await (await fetch(link.href)).arrayBuffer()));
        return `${[...hash].map((b) => b.toString(16).padStart(2, '0')).join('')} ${link.download}`;
      });
      expect(gotInChromium).toBe(`${want} to-chromium.bin`);
      await expect.poll(() => evaluate(bidi, context, 'document.body.innerText'), { timeout: 10_000 }).toContain('Sent to-chromium.bin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows a screen shared either way as its own decoding tile, the camera still decoding, and takes it away when stopped', async () => {
    const { bidi, context } = firefox;
    // A screen is a second video on the link, added and removed mid-call: the two browsers renegotiate.
    const carolShares = chromiumPage.getByRole('button', { name: 'Share screen', exact: true });
    await carolShares.click();
    expect((await firefoxVideoFrames(firefox, "Chrome Carol's screen")).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect((await firefoxVideoFrames(firefox, 'Chrome Carol')).framesAdvanced).toBeGreaterThanOrEqual(5);
    await carolShares.click();
    await expect.poll(() => locate(bidi, context, 'group', "Chrome Carol's screen"), { timeout: 2_000 }).toEqual([]);

    // Fiona's screen: getDisplayMedia works on her virtual display (headless Firefox has no screen to share).
    const fionaShares = await waitForOne(bidi, context, 'button', 'Share screen', 5_000);
    await click(bidi, context, fionaShares);
    expect((await videoFrames(chromiumPage, "Firefox Fiona's screen")).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect((await videoFrames(chromiumPage, 'Firefox Fiona')).framesAdvanced).toBeGreaterThanOrEqual(5);
    await click(bidi, context, fionaShares);
    await chromiumPage.getByRole('group', { name: "Firefox Fiona's screen", exact: true }).waitFor({ state: 'detached', timeout: 2_000 });
  });

  it('shows a mute in Firefox on the Chromium side within a second', async () => {
    const fionaAtCarol = chromiumPage.getByRole('group', { name: 'Firefox Fiona', exact: true });
    expect(await fionaAtCarol.getByText('Microphone off', { exact: true }).count()).toBe(0);
    const mute = await waitForOne(firefox.bidi, firefox.context, 'button', 'Mute microphone', 5_000);
    await click(firefox.bidi, firefox.context, mute);
    expect(await attribute(firefox, mute, 'aria-pressed')).toBe('true');
    await fionaAtCarol.getByText('Microphone off', { exact: true }).waitFor({ state: 'visible', timeout: 1_000 });
  });

  it('toggles the microphone from another tab with the Firefox build’s keyboard shortcut', async () => {
    const fionaAtCarol = chromiumPage.getByRole('group', { name: 'Firefox Fiona', exact: true });
    const micOff = fionaAtCarol.getByText('Microphone off', { exact: true });
    await micOff.waitFor({ state: 'visible', timeout: 1_000 }); // muted by the test before
    const shortcuts = await evaluate(firefox.bidi, firefox.context, 'browser.commands.getAll().then((c) => JSON.stringify(c))');
    const assigned = (JSON.parse(String(shortcuts)) as { name: string; shortcut: string }[]).find((c) => c.name === 'toggle-microphone');
    expect(assigned?.shortcut).toBe('Alt+Shift+M');
    // Another tab in front: the call page is in the background, as when someone is elsewhere.
    const { context: other } = await firefox.bidi.send<{ context: string }>('browsingContext.create', { type: 'tab' });
    try {
      expect(await evaluate(firefox.bidi, firefox.context, 'document.visibilityState')).toBe('hidden');
      // A real key press in the browser window, through Firefox's shortcut handling, to the background's onCommand.
      await pressInBrowserWindow(firefox, assigned?.shortcut ?? 'Alt+Shift+M');
      await micOff.waitFor({ state: 'detached', timeout: 2_000 });
      await pressInBrowserWindow(firefox, 'Alt+Shift+M');
      await micOff.waitFor({ state: 'visible', timeout: 2_000 });
    } finally {
      await firefox.bidi.send('browsingContext.close', { context: other });
    }
  });

  it('sizes Fiona’s video to Carol’s tile of her, and stops it while Carol’s tab is hidden (Firefox sending)', async () => {
    // Firefox honours the link's encoding parameters as the governor sets them: Carol's page says what she
    // shows, Fiona's call follows. Proof is what Carol decodes. Fiona talks again (the test before muted her).
    const mute = await waitForOne(firefox.bidi, firefox.context, 'button', 'Mute microphone', 5_000);
    if ((await attribute(firefox, mute, 'aria-pressed')) === 'true') await click(firefox.bidi, firefox.context, mute);
    await expect.poll(async () => (await mediaTotals(chromiumPage)).frameHeight, { timeout: 10_000 }).toBeGreaterThan(180);

    await shrinkTile(chromiumPage, 'Firefox Fiona', 160, 90);
    const shrunk = Date.now();
    await expect
      .poll(async () => (await mediaTotals(chromiumPage)).frameHeight, { timeout: SHRINK_WITHIN_MS, interval: 100 })
      .toBeLessThanOrEqual(180);
    console.log(`firefox e2e: Carol decodes Fiona at ≤ 180 lines ${Date.now() - shrunk} ms after shrinking her tile`);

    const other = await chromium.context.newPage();
    try {
      await other.goto('about:blank');
      const hidden = Date.now();
      expect(await chromiumPage.evaluate(() => document.visibilityState)).toBe('hidden');
      const videoGrowth = growthOf(async () => (await mediaTotals(chromiumPage)).videoBytes);
      await expect.poll(videoGrowth, { timeout: HIDE_WITHIN_MS, interval: 0 }).toBe(0);
      console.log(`firefox e2e: Fiona's video to Carol stopped ${Date.now() - hidden} ms after Carol's tab was hidden`);
      const before = await mediaTotals(chromiumPage);
      await new Promise((r) => setTimeout(r, 1_500));
      const after = await mediaTotals(chromiumPage);
      expect(after.videoBytes - before.videoBytes).toBe(0);
      // Her audio goes on: Opus at ~32 kbps is ~6 KB in 1.5 s, and Firefox's fake microphone never falls silent.
      expect(after.audioBytes - before.audioBytes).toBeGreaterThan(2_000);
    } finally {
      await other.close();
    }

    await chromiumPage.bringToFront();
    const shown = Date.now();
    const stopped = (await mediaTotals(chromiumPage)).framesDecoded;
    await expect
      .poll(async () => (await mediaTotals(chromiumPage)).framesDecoded, { timeout: RESUME_WITHIN_MS, interval: 50 })
      .toBeGreaterThan(stopped + 2);
    console.log(`firefox e2e: Carol decoding Fiona again ${Date.now() - shown} ms after showing her tab`);
  });

  it('sizes Carol’s video to Fiona’s tile of her, stops it while Fiona’s tab is hidden, and sends it again when she is back (Firefox viewing)', async () => {
    // Fiona's Firefox page says what it shows as Chromium's does; Carol's sender follows. First her tile: Carol's
    // Stats panel shows the size Fiona reported, which is her tile of Carol in device pixels, and Carol's 720p
    // camera goes to her at fewer lines (a link whose viewer never said would get all 720).
    const carolAtFiona = await waitForOne(firefox.bidi, firefox.context, 'group', 'Chrome Carol', 5_000);
    const tile = JSON.parse(
      String(
        await callOnNode(
          firefox.bidi,
          firefox.context,
          carolAtFiona,
          '(el) => { const r = el.getBoundingClientRect(); return JSON.stringify([r.width * devicePixelRatio, r.height * devicePixelRatio]); }',
        ),
      ),
    ) as [number, number];
    await chromiumPage.getByRole('button', { name: 'Stats', exact: true }).click();
    const askedSize = async () => (/^(\d+)×(\d+)/.exec((await linkCells(chromiumPage, 'Firefox Fiona')).asked) ?? []).slice(1).map(Number);
    await expect.poll(askedSize, { timeout: 5_000 }).toHaveLength(2);
    const [w = 0, h = 0] = await askedSize();
    expect(Math.abs(w - tile[0])).toBeLessThanOrEqual(1);
    expect(Math.abs(h - tile[1])).toBeLessThanOrEqual(1);
    const askedOfCarol = () =>
      chromiumPage.evaluate(() => {
        const pcs = (globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [];
        const camera = pcs
          .find((pc) => pc.connectionState === 'connected')
          ?.getSenders()
          .find((x) => x.track?.kind === 'video');
        return Math.round((camera?.track?.getSettings().height ?? 0) / (camera?.getParameters().encodings[0]?.scaleResolutionDownBy ?? 1));
      });
    await expect.poll(askedOfCarol, { timeout: 5_000 }).toBeLessThan(720);
    console.log(`firefox e2e: Fiona reports ${w}×${h} for her tile of Carol, and Carol asks her encoder for ${await askedOfCarol()} lines`);

    // Then her tab: hidden, no video.
    const sent = growthOf(async () => (await mediaTotals(chromiumPage)).videoSentBytes);
    expect(await sent()).toBeGreaterThan(0);
    const { context: other } = await firefox.bidi.send<{ context: string }>('browsingContext.create', { type: 'tab' });
    try {
      const hidden = Date.now();
      expect(await evaluate(firefox.bidi, firefox.context, 'document.visibilityState')).toBe('hidden');
      await expect.poll(sent, { timeout: HIDE_WITHIN_MS, interval: 0 }).toBe(0);
      console.log(`firefox e2e: Carol's video to Fiona stopped ${Date.now() - hidden} ms after Fiona's tab was hidden`);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await sent()).toBe(0);
      expect(await linkCells(chromiumPage, 'Firefox Fiona')).toMatchObject({
        sending: expect.stringMatching(/no video$/),
        asked: 'not shown',
      });
    } finally {
      await firefox.bidi.send('browsingContext.close', { context: other });
    }
    await firefox.bidi.send('browsingContext.activate', { context: firefox.context });
    const shown = Date.now();
    expect(await evaluate(firefox.bidi, firefox.context, 'document.visibilityState')).toBe('visible');
    await expect.poll(sent, { timeout: RESUME_WITHIN_MS, interval: 0 }).toBeGreaterThan(0);
    console.log(`firefox e2e: Carol sending video to Fiona again ${Date.now() - shown} ms after Fiona's tab was shown`);
    expect((await firefoxVideoFrames(firefox, 'Chrome Carol', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
  });

  /** A new call from Chromium's popup: its page, link, room and key. */
  async function chromiumCall() {
    const page = await startCall(chromium);
    const link = await callLinkOf(page);
    const url = new URL(link);
    return { page, link, room: url.pathname.slice('/r/'.length), key: url.hash.slice(1) };
  }

  /** Firefox's tab `context` shows the gate for the call, with its key, and for a while nobody in the call sees Fiona. */
  async function expectGateUnseen(context: string, call: Awaited<ReturnType<typeof chromiumCall>>): Promise<string> {
    const join = await waitForOne(firefox.bidi, context, 'button', 'Join call', 10_000);
    const href = String(await evaluate(firefox.bidi, context, 'location.href'));
    expect(href.startsWith(firefox.url('extension/call/index.html?'))).toBe(true);
    expect(href).toContain(`#${call.key}`);
    await new Promise((r) => setTimeout(r, UNSEEN_MS)); // absence cannot be waited for: watch for a while
    expect(relay.rooms.peersIn(call.room)).toHaveLength(1);
    expect(await call.page.getByRole('group', { name: 'Firefox Fiona', exact: true }).count()).toBe(0);
    // Redirected inside Firefox: the relay was never asked for the room's page.
    expect(requests.filter((r) => r.includes(call.room))).toEqual([]);
    return join;
  }

  /**
   * The Firefox pre-join page offers Camera, Microphone and Speaker. Firefox plays on another
   * speaker only once the person picked it in its own chooser (selectAudioOutput), so the
   * Speaker list offers that chooser.
   */
  async function expectDeviceChoice(context: string): Promise<void> {
    const options = async (name: string): Promise<unknown> =>
      JSON.parse(
        String(
          await callOnNode(
            firefox.bidi,
            context,
            await waitForOne(firefox.bidi, context, 'combobox', name, 5_000),
            '(s) => JSON.stringify([...s.options].map((o) => o.textContent))', // a string: BiDi hands arrays back as remote values
          ),
        ),
      );
    expect(await options('Camera')).toContain('Default');
    expect(await options('Microphone')).toContain('Default');
    expect(await options('Speaker')).toEqual(expect.arrayContaining(['Default', 'Another speaker…']));
    await waitForOne(firefox.bidi, context, 'textbox', 'Your name', 5_000);
  }

  it('offers Return to call, Mute microphone and Leave call in the Firefox popup during the call, and they work', async () => {
    const { bidi } = firefox;
    const callTab = firefox.context;
    const micOff = chromiumPage.getByRole('group', { name: 'Firefox Fiona', exact: true }).getByText('Microphone off', { exact: true });
    // The popup stands in for the toolbar here, as a tab in front of the call's (a test cannot click the toolbar).
    const openPopup = async () => {
      const { context } = await bidi.send<{ context: string }>('browsingContext.create', { type: 'tab' });
      await navigate(bidi, context, firefox.url('extension/popup/index.html'));
      return context;
    };
    const popup = await openPopup();
    const mute = await waitForOne(bidi, popup, 'button', 'Mute microphone', 5_000);
    expect(await callOnNode(bidi, popup, mute, "(b) => b.getAttribute('aria-pressed')")).toBe('false');
    await click(bidi, popup, mute);
    await micOff.waitFor({ state: 'visible', timeout: 2_000 });
    await expect.poll(() => callOnNode(bidi, popup, mute, "(b) => b.getAttribute('aria-pressed')"), { timeout: 2_000 }).toBe('true');
    await click(bidi, popup, mute);
    await micOff.waitFor({ state: 'detached', timeout: 2_000 });

    expect(await evaluate(bidi, callTab, 'document.visibilityState')).toBe('hidden');
    // It closes the popup once the call's tab is in front, which may be before the click is answered.
    await click(bidi, popup, await waitForOne(bidi, popup, 'button', 'Return to call', 5_000)).catch(() => undefined);
    await expect.poll(() => evaluate(bidi, callTab, 'document.visibilityState'), { timeout: 3_000 }).toBe('visible');

    const again = await openPopup();
    await click(bidi, again, await waitForOne(bidi, again, 'button', 'Leave call', 5_000));
    await chromiumPage.getByRole('group', { name: 'Firefox Fiona', exact: true }).waitFor({ state: 'detached', timeout: 3_000 });
    // With no call left, the usual popup.
    await waitForOne(bidi, again, 'button', 'Start a call', 3_000);
    expect(await locate(bidi, again, 'button', 'Return to call')).toEqual([]);
    await bidi.send('browsingContext.close', { context: again });
  });

  it('lands a link clicked on a page of another origin on the gate, and joins on Join call', async () => {
    await waitForFirefoxShareLinkRedirect(firefox, relay.url);
    await chromiumPage.close(); // the first call is over
    const call = await chromiumCall();
    await navigate(firefox.bidi, firefox.context, site.pageWithLink(call.link));
    await click(firefox.bidi, firefox.context, await waitForOne(firefox.bidi, firefox.context, 'link', SAME_TAB_LINK, 5_000));
    const join = await expectGateUnseen(firefox.context, call);
    await click(firefox.bidi, firefox.context, join);
    const [seen, seeing] = await Promise.all([videoFrames(call.page, 'Firefox Fiona'), firefoxVideoFrames(firefox, 'Chrome Carol')]);
    expect(seen.framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(seeing.framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(relay.rooms.peersIn(call.room)).toHaveLength(2);
    await call.page.close();
  });

  it('tells Fiona, who clicks the link of the call she is in again, so; Go to the call shows her call, and Join call moves it: Carol never sees two', async () => {
    const { bidi } = firefox;
    const call = await chromiumCall();
    // In the call from the web chat's link, in this tab (the previous call is left).
    await navigate(bidi, firefox.context, site.pageWithLink(call.link));
    await click(bidi, firefox.context, await waitForOne(bidi, firefox.context, 'link', SAME_TAB_LINK, 5_000));
    await clickWhenEnabled(bidi, firefox.context, await waitForOne(bidi, firefox.context, 'button', 'Join call', 10_000));
    await videoFrames(call.page, 'Firefox Fiona');
    const callTab = firefox.context;
    const callUrl = String(await evaluate(bidi, callTab, 'location.href'));

    // The chat again, in a tab of its own, and the link clicked again: a new tab, on the gate, which says so.
    const { context: chat } = await bidi.send<{ context: string }>('browsingContext.create', { type: 'tab' });
    await navigate(bidi, chat, site.pageWithLink(call.link));
    const known = await contextIds();
    await click(bidi, chat, await waitForOne(bidi, chat, 'link', NEW_TAB_LINK, 5_000));
    const again = await newContext(known);
    const bodyText = () => evaluate(bidi, again, 'document.body.innerText');
    await expect.poll(bodyText, { timeout: 10_000 }).toContain('You are already in this call in another tab. Joining here ends it there.');

    // Go to the call: the tab in front is the call's, as Firefox itself reports it.
    await click(bidi, again, await waitForOne(bidi, again, 'button', 'Go to the call', 5_000));
    const frontTab = () => evaluate(bidi, again, 'browser.tabs.query({ active: true, lastFocusedWindow: true }).then((t) => t[0]?.url)');
    await expect.poll(frontTab, { timeout: 3_000 }).toBe(callUrl);

    // Back in the new tab, Join call after all: the call moves; the old tab says so and offers the way there.
    await bidi.send('browsingContext.activate', { context: again });
    const join = await waitForOne(bidi, again, 'button', 'Join call', 5_000);
    const most = await mostTilesWhile(call.page, 'Firefox Fiona', async () => {
      await clickWhenEnabled(bidi, again, join);
      await expect
        .poll(() => evaluate(bidi, callTab, 'document.body.innerText'), { timeout: 5_000 })
        .toContain('This call moved to another tab.');
      expect((await firefoxVideoFrames({ ...firefox, context: again }, 'Chrome Carol')).framesAdvanced).toBeGreaterThanOrEqual(5);
      await expect.poll(() => relay.rooms.peersIn(call.room).length, { timeout: 5_000 }).toBe(2);
      await videoFrames(call.page, 'Firefox Fiona');
    });
    expect(most).toBe(1);
    await waitForOne(bidi, callTab, 'button', 'Go to the call', 5_000);
    await Promise.all([bidi.send('browsingContext.close', { context: again }), bidi.send('browsingContext.close', { context: chat })]);
    await call.page.close();
  });

  /** Every tab's context id now. */
  async function contextIds(): Promise<Set<string>> {
    const tree = await firefox.bidi.send<{ contexts: { context: string }[] }>('browsingContext.getTree', { maxDepth: 0 });
    return new Set(tree.contexts.map((c) => c.context));
  }

  /** The tab that opened since `known` was read. */
  async function newContext(known: Set<string>, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = [...(await contextIds())].find((c) => !known.has(c));
      if (fresh) return fresh;
      if (Date.now() > deadline) throw new Error(`no new tab within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('gives a Firefox without Zing that clicks the link the relay’s page: the gate, then the call under the name typed, both decoding', async () => {
    const call = await chromiumCall();
    const guest = await launchFirefox({ name: 'Firefox guest', relayUrl: relay.url, extension: false });
    try {
      const { bidi, context } = guest;
      // Before the page's own scripts: no STUN (tests send nothing off this machine), and a record of
      // anything the guest page's CSP refuses (its RNNoise worklet, WebAssembly and styles all come from the relay).
      await addPreloadScript(
        bidi,
        `() => {
          if (location.origin !== ${JSON.stringify(new URL(relay.url).origin)}) return;
          localStorage.setItem('zing:settings', JSON.stringify({ iceServers: [] }));
          window.__zingCspViolations = [];
          document.addEventListener('securitypolicyviolation', (e) => window.__zingCspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
        }`,
      );
      await navigate(bidi, context, site.pageWithLink(call.link));
      await click(bidi, context, await waitForOne(bidi, context, 'link', SAME_TAB_LINK, 5_000));
      const join = await waitForOne(bidi, context, 'button', 'Join call', 10_000);
      expect(await evaluate(bidi, context, 'location.href')).toBe(call.link);
      await new Promise((r) => setTimeout(r, UNSEEN_MS)); // absence cannot be waited for: watch for a while
      expect(relay.rooms.peersIn(call.room)).toHaveLength(1);
      // The name box as it is shown: empty, with the picked guest name as its placeholder; typing gives the typed name.
      const nameBox = await waitForOne(bidi, context, 'textbox', 'Your name', 5_000);
      expect(await callOnNode(bidi, context, nameBox, '(el) => el.value')).toBe('');
      expect(String(await callOnNode(bidi, context, nameBox, '(el) => el.placeholder'))).toMatch(/^Guest \d{4}$/);
      await click(bidi, context, nameBox);
      await typeText(bidi, context, 'Frida');
      await clickWhenEnabled(bidi, context, join);
      const [seen, seeing] = await Promise.all([videoFrames(call.page, 'Frida'), firefoxVideoFrames(guest, 'Chrome Carol')]);
      expect(seen.framesAdvanced).toBeGreaterThanOrEqual(5);
      expect(seeing.framesAdvanced).toBeGreaterThanOrEqual(5);
      await waitForOne(bidi, context, 'group', 'Frida (you)', 5_000);
      expect(relay.rooms.peersIn(call.room)).toHaveLength(2);
      expect(await evaluate(bidi, context, 'JSON.stringify(window.__zingCspViolations)')).toBe('[]');
      expect(requests).toContain(`GET /r/${call.room}`); // the page came from the relay…
      expect(requests.filter((r) => r.includes(call.key))).toEqual([]); // …which never saw the key
    } finally {
      await guest.close();
      await call.page.close();
    }
  });

  it('tells a person whose camera and microphone are blocked what to do in Firefox’s words, and still shows them the call', async () => {
    const call = await chromiumCall();
    const denied = await launchFirefox({ name: 'Firefox Blocked', relayUrl: relay.url, prefs: DENY_MEDIA_PREFS });
    try {
      await openFirefoxCallPage(denied, call.link);
      const alertText = () => evaluate(denied.bidi, denied.context, `document.querySelector('[role="alert"]')?.textContent ?? ''`);
      await expect.poll(alertText, { timeout: 10_000 }).toContain('not allowed to use your camera or microphone');
      // Firefox's own way to undo it, not Chromium's.
      const text = String(await alertText());
      expect(text).toContain('crossed-out camera or microphone icon at the left of the address bar');
      expect(text).not.toContain('Site settings');
      // The call goes on: Carol's video decodes for the person without a camera, and Carol sees them join.
      expect((await firefoxVideoFrames(denied, 'Chrome Carol')).framesAdvanced).toBeGreaterThanOrEqual(5);
      await call.page.getByRole('group', { name: 'Firefox Blocked', exact: true }).waitFor({ timeout: 5_000 });
    } finally {
      await denied.close();
      await call.page.close();
    }
  });

  it('lands a target=_blank link and a middle-clicked one in new tabs on the gate', async () => {
    const call = await chromiumCall();
    await navigate(firefox.bidi, firefox.context, site.pageWithLink(call.link)); // leaves the previous call
    const callPage = firefox.url('extension/call/index.html');
    for (const [name, button] of [
      [NEW_TAB_LINK, 0],
      [SAME_TAB_LINK, 1],
    ] as const) {
      await click(firefox.bidi, firefox.context, await waitForOne(firefox.bidi, firefox.context, 'link', name, 5_000), button);
      const tab = await waitForTab(firefox.bidi, callPage);
      await expectGateUnseen(tab, call);
      await expectDeviceChoice(tab);
      await firefox.bidi.send('browsingContext.close', { context: tab });
    }
  });
});
