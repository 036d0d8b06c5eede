// What is done to one's own sound and picture, measured where it arrives:
// noise suppression takes noise out of a known microphone recording, background
// blur takes the detail out of the room behind, and switching either swaps
// tracks without renegotiating. Alice's microphone plays a generated
// speech-plus-noise WAV and her camera films a checkerboard; Bob listens with an
// AnalyserNode and looks with a canvas at what he receives from her.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleMessage, Page } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, joinCall, launchPerson, startCall, videoFrames, type Person } from '../support/browser.ts';
import { roomDetail as detail } from '../support/picture.ts';
import { NOISE_RMS, PAUSE_MS, SPEECH_MS, writeCheckerboardY4m, writeSpeechAndNoiseWav } from '../support/media-files.ts';

/** Counts every description either side sets: a renegotiation would raise them. */
const COUNT_NEGOTIATIONS = `(() => {
  if (typeof RTCPeerConnection === 'undefined') return;
  const counts = { local: 0, remote: 0 };
  const proto = RTCPeerConnection.prototype;
  const setLocal = proto.setLocalDescription;
  const setRemote = proto.setRemoteDescription;
  proto.setLocalDescription = function (...args) { counts.local++; return setLocal.apply(this, args); };
  proto.setRemoteDescription = function (...args) { counts.remote++; return setRemote.apply(this, args); };
  globalThis.__zingNegotiations = counts;
})();`;

const negotiations = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __zingNegotiations: { local: number; remote: number } }).__zingNegotiations);

/** How long each listening stretch lasts: several speech-and-pause cycles of the WAV. */
const LISTEN_MS = 3 * (SPEECH_MS + PAUSE_MS);

/**
 * The RMS of what `page` receives from `from`, in 40 ms windows over `ms`: an
 * AnalyserNode on the stream their tile plays.
 */
async function listen(page: Page, from: string, ms: number): Promise<number[]> {
  const tile = page.getByRole('group', { name: from, exact: true });
  return tile.locator('audio').evaluate(
    (el, ms) =>
      new Promise<number[]>((resolve, reject) => {
        const stream = (el as HTMLAudioElement).srcObject;
        if (!(stream instanceof MediaStream) || stream.getAudioTracks().length === 0) return reject(new Error('no audio in the tile'));
        const ctx = new AudioContext();
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        ctx.createMediaStreamSource(stream).connect(analyser);
        const buf = new Float32Array(analyser.fftSize);
        const out: number[] = [];
        const timer = setInterval(() => {
          analyser.getFloatTimeDomainData(buf);
          let sum = 0;
          for (const v of buf) sum += v * v;
          out.push(Math.sqrt(sum / buf.length));
        }, 40);
        setTimeout(() => {
          clearInterval(timer);
          void ctx.close();
          resolve(out);
        }, ms);
      }),
    ms,
  );
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
};
const db = (ratio: number) => 20 * Math.log10(ratio);

async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings', exact: true });
  await dialog.waitFor({ timeout: 2_000 });
  return dialog;
}

/**
 * Samples the picture of `name` that `page` has, every 30 ms for `ms`: the
 * most detail any sample showed in the room's strip (picture.ts's measure),
 * and how many samples there were.
 */
/** Raw, the checkerboard room's detail is over 10; blurred, under 1. */
const SHARP = 4;

function sharpestOf(page: Page, name: string, ms: number): Promise<{ sharpest: number; samples: number }> {
  return page.evaluate(
    ({ name, ms }) =>
      new Promise<{ sharpest: number; samples: number }>((resolve) => {
        const canvas = document.createElement('canvas');
        let sharpest = 0;
        let samples = 0;
        const timer = setInterval(() => {
          const v = document.querySelector<HTMLVideoElement>(`[role="group"][aria-label="${name}"] video`);
          if (!v || v.readyState < 2 || v.videoWidth === 0) return;
          canvas.width = v.videoWidth;
          canvas.height = v.videoHeight;
          const ctx = canvas.getContext('2d', { willReadFrequently: true });
          if (!ctx) return;
          ctx.drawImage(v, 0, 0);
          const strip = Math.floor(canvas.width / 5);
          const { data } = ctx.getImageData(0, 0, strip, canvas.height);
          let sum = 0;
          for (let i = 0; i + 4 < data.length; i += 4) sum += Math.abs((data[i] ?? 0) - (data[i + 4] ?? 0));
          sharpest = Math.max(sharpest, sum / (data.length / 4));
          samples += 1;
        }, 30);
        setTimeout(() => {
          clearInterval(timer);
          resolve({ sharpest, samples });
        }, ms);
      }),
    { name, ms },
  );
}

describe('sound and picture effects', () => {
  let relay: Relay;
  let alice: Person;
  let bob: Person;
  let alicePage: Page;
  let bobPage: Page;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zing-media-'));
    const wav = join(dir, 'speech-and-noise.wav');
    writeSpeechAndNoiseWav(wav);
    const y4m = join(dir, 'checkerboard.y4m');
    writeCheckerboardY4m(y4m);
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [alice, bob] = await Promise.all([
      launchPerson({
        name: 'Alice',
        relayUrl: relay.url,
        extraArgs: [`--use-file-for-fake-audio-capture=${wav}`, `--use-file-for-fake-video-capture=${y4m}`],
      }),
      // Bob's page measures with an AudioContext of its own, started by the test rather than a click.
      launchPerson({ name: 'Bob', relayUrl: relay.url, extraArgs: ['--autoplay-policy=no-user-gesture-required'] }),
    ]);
    await Promise.all([alice.context.addInitScript(COUNT_NEGOTIATIONS), bob.context.addInitScript(COUNT_NEGOTIATIONS)]);
    alicePage = await startCall(alice);
    bobPage = await joinCall(bob, await callLinkOf(alicePage));
    await Promise.all([videoFrames(alicePage, 'Bob'), videoFrames(bobPage, 'Alice')]);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('suppresses noise by default, and switching it off lets the noise through without renegotiating', async () => {
    const dialog = await openSettings(alicePage);
    const box = dialog.getByRole('checkbox', { name: 'Noise suppression', exact: true });
    expect(await box.isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();

    const on = await listen(bobPage, 'Alice', LISTEN_MS);
    const before = { alice: await negotiations(alicePage), bob: await negotiations(bobPage) };

    await (await openSettings(alicePage)).getByRole('checkbox', { name: 'Noise suppression', exact: true }).uncheck();
    const off = await listen(bobPage, 'Alice', LISTEN_MS);

    // The speech-free stretches are the quietest windows; the speech the loudest.
    const floor = { on: percentile(on, 0.1), off: percentile(off, 0.1) };
    const speech = { on: percentile(on, 0.9), off: percentile(off, 0.9) };
    console.log(
      `noise floor at Bob: ${floor.on.toFixed(4)} suppressed, ${floor.off.toFixed(4)} raw (${db(floor.on / floor.off).toFixed(1)} dB); ` +
        `speech ${speech.on.toFixed(4)} / ${speech.off.toFixed(4)}; the WAV's noise is ${NOISE_RMS} RMS`,
    );
    // Raw, the noise arrives at about the level it was recorded at.
    expect(floor.off).toBeGreaterThan(NOISE_RMS / 3);
    // Suppressed, at least 10 dB less of it in the pauses…
    expect(db(floor.on / floor.off)).toBeLessThan(-10);
    // …while the voice still comes through.
    expect(speech.on).toBeGreaterThan(speech.off / 4);

    // A replaceTrack on the sender: no new offer or answer on either side, and the picture goes on.
    expect(await negotiations(alicePage)).toEqual(before.alice);
    expect(await negotiations(bobPage)).toEqual(before.bob);
    expect((await videoFrames(bobPage, 'Alice')).framesAdvanced).toBeGreaterThanOrEqual(5);
  });

  it('remembers the choice for the next call', async () => {
    await alicePage.reload();
    const box = (await openSettings(alicePage)).getByRole('checkbox', { name: 'Noise suppression', exact: true });
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await alicePage.keyboard.press('Escape');
    await videoFrames(bobPage, 'Alice');
  });

  it('blurs the room behind: Bob sees far less detail there, frames keep coming, nothing renegotiates, and off restores the camera', async () => {
    const raw = await detail(bobPage, 'Alice');
    const before = { alice: await negotiations(alicePage), bob: await negotiations(bobPage) };
    const dialog = await openSettings(alicePage);
    const box = dialog.getByRole('checkbox', { name: 'Blur background', exact: true });
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await alicePage.keyboard.press('Escape');

    // The checkerboard's sharp squares come out as an even grey.
    await expect.poll(() => detail(bobPage, 'Alice'), { timeout: 20_000, interval: 500 }).toBeLessThan(raw / 4);
    const blurred = await detail(bobPage, 'Alice');
    console.log(`detail in the room at Bob: ${raw.toFixed(2)} raw, ${blurred.toFixed(2)} blurred`);
    expect((await videoFrames(bobPage, 'Alice')).framesAdvanced).toBeGreaterThanOrEqual(5);
    // Alice sees herself as the others do.
    expect(await detail(alicePage, 'Alice (you)')).toBeLessThan(raw / 4);
    expect(await negotiations(alicePage)).toEqual(before.alice);
    expect(await negotiations(bobPage)).toEqual(before.bob);
    // Still on and nothing to report: it kept up.
    const again = await openSettings(alicePage);
    expect(await again.getByRole('checkbox', { name: 'Blur background', exact: true }).isChecked()).toBe(true);
    await alicePage.keyboard.press('Escape');

    await (await openSettings(alicePage)).getByRole('checkbox', { name: 'Blur background', exact: true }).uncheck();
    await alicePage.keyboard.press('Escape');
    // The encoder takes a few seconds to spend its bits on the sharp squares again: the detail
    // comes back to well above the blur's (under 1), not necessarily to the first reading.
    await expect.poll(() => detail(bobPage, 'Alice'), { timeout: 15_000, interval: 500 }).toBeGreaterThan(Math.max(2, raw / 4));
  });

  it('remembers the blur for the next call, and sends no unblurred frame while it starts', async () => {
    await (await openSettings(alicePage)).getByRole('checkbox', { name: 'Blur background', exact: true }).check();
    await alicePage.keyboard.press('Escape');
    await expect.poll(() => detail(bobPage, 'Alice'), { timeout: 20_000, interval: 500 }).toBeLessThan(2);
    // Bob samples whatever picture of Alice he has, every 30 ms, while she reloads and rejoins:
    // none may show the sharp room.
    const watching = sharpestOf(bobPage, 'Alice', 15_000);
    // What Alice's page says about its blur, for a failure to explain itself (a blur that gives up on a
    // loaded machine now turns her camera off, so it shows as no picture below, never as the sharp room).
    const said: string[] = [];
    const listen = (m: ConsoleMessage) => {
      if (m.text().includes('blur')) said.push(m.text());
    };
    alicePage.on('console', listen);
    await alicePage.reload();
    const { sharpest, samples } = await watching;
    console.log(`while Alice rejoined with blur on, Bob's ${samples} samples of her picture had at most ${sharpest.toFixed(2)} detail`);
    expect(samples).toBeGreaterThan(50);
    expect(sharpest, `Alice's page said: ${said.join(' | ')}`).toBeLessThan(SHARP);
    await expect
      .poll(() => detail(bobPage, 'Alice'), { timeout: 20_000, interval: 500 })
      .toBeLessThan(2)
      .catch((err: unknown) => {
        throw new Error(`${String(err)}; Alice's page said: ${said.join(' | ') || 'nothing about the blur'}`);
      });
    alicePage.off('console', listen);
    const box = (await openSettings(alicePage)).getByRole('checkbox', { name: 'Blur background', exact: true });
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await alicePage.keyboard.press('Escape');
  });
  it('turns the camera off rather than show the room when the blur cannot run here, and sends it as she chooses after', async () => {
    await (await openSettings(alicePage)).getByRole('checkbox', { name: 'Blur background', exact: true }).check();
    await alicePage.keyboard.press('Escape');
    await expect.poll(() => detail(bobPage, 'Alice'), { timeout: 20_000, interval: 500 }).toBeLessThan(2);
    // Her browser stops giving pages WebGL (a blocklisted GPU, a policy): the blur she kept on cannot start
    // when she comes back. Test-only, an init script on her profile from here on.
    await alice.context.addInitScript(() => {
      const getContext = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, options?: unknown) {
        return type === 'webgl' || type === 'webgl2' ? null : getContext.call(this, type, options);
      } as typeof getContext; // the same function, with WebGL gone
    });
    const watching = sharpestOf(bobPage, 'Alice', 10_000);
    await alicePage.reload();
    await alicePage.getByText('Your camera is off, so your room stays hidden', { exact: false }).waitFor({ timeout: 15_000 });
    const aliceAtBob = bobPage.getByRole('group', { name: 'Alice', exact: true });
    await aliceAtBob.getByText('Camera off', { exact: true }).waitFor({ timeout: 5_000 });
    const camera = alicePage.getByRole('button', { name: 'Turn off camera', exact: true });
    expect(await camera.getAttribute('aria-pressed')).toBe('true');
    const { sharpest, samples } = await watching;
    console.log(
      `while Alice rejoined with a blur that could not start, Bob's ${samples} samples of her picture had at most ${sharpest.toFixed(2)} detail`,
    );
    expect(sharpest).toBeLessThan(SHARP);

    // Turning the camera on is her choice to go out unblurred: Bob sees the room.
    await camera.click();
    await aliceAtBob.getByText('Camera off', { exact: true }).waitFor({ state: 'detached', timeout: 5_000 });
    await expect.poll(() => detail(bobPage, 'Alice'), { timeout: 10_000, interval: 500 }).toBeGreaterThan(SHARP * 2);
    const box = (await openSettings(alicePage)).getByRole('checkbox', { name: 'Blur background', exact: true });
    await box.uncheck();
    await alicePage.keyboard.press('Escape');
  });
});
