// Local recording in a three-person call: `Record` shows `Recording` in the
// recorder's tile at everyone (a late joiner too), the recording goes on while
// someone leaves, `Save recording` gives a WebM that decodes with a picture
// and sound of the recorded length, the size limit stops it in words, bogus
// notices from a hostile peer mark no one, and axe finds nothing serious.
import { readFileSync, statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webmDurationMs, webmTracks } from '../../extension/session/webm-duration.ts';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, joinCall, launchPerson, startCall, videoFrames, type Person } from '../support/browser.ts';
import { seriousViolations } from '../support/axe.ts';

// Three or four Chromium profiles on 2 cores: capture small.
const SMALL = { maxVideoHeight: 240 };
/** Cy's recordings stop near this: a few seconds of the call. */
const CY_LIMIT_BYTES = 300_000;

const recordButton = (page: Page) => page.getByRole('button', { name: 'Record', exact: true });
const recordingIn = (page: Page, tile: string) =>
  page.getByRole('group', { name: tile, exact: true }).getByText('Recording', { exact: true });

/** Saves the last recording through `Save recording`, as a person would; its bytes. */
async function saveRecording(page: Page): Promise<{ bytes: Buffer; name: string }> {
  const link = page.getByRole('link', { name: 'Save recording', exact: true });
  await link.waitFor({ timeout: 10_000 });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), link.click()]);
  const path = await download.path();
  expect(statSync(path).size).toBeGreaterThan(0);
  return { bytes: readFileSync(path), name: download.suggestedFilename() };
}

interface Decoded {
  duration: number;
  width: number;
  height: number;
  framesAdvanced: number;
  audioSeconds: number;
  audioRms: number;
}

/**
 * Decodes the saved recording in the page, from the very Blob the link saves:
 * a <video> gives its duration and presents frames; Web Audio decodes its sound.
 */
function decodeInPage(page: Page, expectBytes: number): Promise<Decoded> {
  return page.getByRole('link', { name: 'Save recording', exact: true }).evaluate(async (el, size) => {
    const blob = await (await fetch((el as HTMLAnchorElement).href)).blob();
    if (blob.size !== size) throw new Error(`the link holds ${blob.size} bytes, the download ${size}`);
    const v = document.createElement('video');
    v.muted = true;
    v.src = URL.createObjectURL(blob);
    await new Promise((resolve, reject) => {
      v.onloadedmetadata = resolve;
      v.onerror = () => reject(new Error(`the recording does not load: ${v.error?.message}`));
    });
    const frames = await new Promise<number>((resolve) => {
      let first: number | undefined;
      let last = 0;
      const onFrame = (_: number, meta: VideoFrameCallbackMetadata) => {
        first ??= meta.presentedFrames;
        last = meta.presentedFrames - first;
        if (last >= 10) resolve(last);
        else v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
      setTimeout(() => resolve(last), 5_000);
      void v.play();
    });
    v.pause();
    const audio = await new OfflineAudioContext(1, 48_000, 48_000).decodeAudioData(await blob.arrayBuffer());
    const samples = audio.getChannelData(0);
    let sum = 0;
    for (const s of samples) sum += s * s;
    return {
      duration: v.duration,
      width: v.videoWidth,
      height: v.videoHeight,
      framesAdvanced: frames,
      audioSeconds: audio.duration,
      audioRms: Math.sqrt(sum / Math.max(1, samples.length)),
    };
  }, expectBytes);
}

/** Keeps every data channel the pages of `person` open or receive, so a test can write raw frames on one. */
async function exposeDataChannels(person: Person): Promise<void> {
  await person.context.addInitScript(() => {
    const g = globalThis as { __zingChannels?: RTCDataChannel[] };
    const list: RTCDataChannel[] = [];
    g.__zingChannels = list;
    const Native = globalThis.RTCPeerConnection;
    if (!Native) return;
    globalThis.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        this.addEventListener('datachannel', (e) => list.push(e.channel));
      }
      override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
        const channel = super.createDataChannel(label, init);
        list.push(channel);
        return channel;
      }
    };
  });
}

/** Writes raw frames on every open chat channel of `page`, as a hostile peer's own code would. */
function sendRaw(page: Page, frames: (string | number[])[]): Promise<number> {
  return page.evaluate((all) => {
    const channels = ((globalThis as { __zingChannels?: RTCDataChannel[] }).__zingChannels ?? []).filter(
      (c) => c.label === 'chat' && c.readyState === 'open',
    );
    for (const c of channels) {
      for (const f of all) {
        if (typeof f === 'string') c.send(f);
        else c.send(new Uint8Array(f));
      }
    }
    return channels.length;
  }, frames);
}

describe('recording a call', () => {
  let relay: Relay;
  let ada: Person;
  let bo: Person;
  let cy: Person;
  let di: Person;
  let adaPage: Page;
  let boPage: Page;
  let cyPage: Page;
  let link: string;

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [ada, bo, cy, di] = await Promise.all([
      launchPerson({ name: 'Ada', relayUrl: relay.url, settings: SMALL }),
      launchPerson({ name: 'Bo', relayUrl: relay.url, settings: SMALL }),
      launchPerson({ name: 'Cy', relayUrl: relay.url, settings: { ...SMALL, maxRecordingBytes: CY_LIMIT_BYTES } }),
      launchPerson({ name: 'Di', relayUrl: relay.url, settings: SMALL }),
    ]);
    await exposeDataChannels(di);
  });

  afterAll(async () => {
    await Promise.all([ada, bo, cy, di].map((p) => p?.close()));
    await relay?.close();
  });

  /**
   * The recorder starts between the click on Record and the own tile saying Recording: the
   * recorded length is bracketed by what the test saw, not pinned to one end (on a saturated
   * machine the two were over a second apart).
   */
  const started = { clicked: 0, shown: 0 };

  it('shows Recording in the recorder’s tile at everyone, and to someone who joins while it runs', async () => {
    adaPage = await startCall(ada);
    link = await callLinkOf(adaPage);
    boPage = await joinCall(bo, link);
    await Promise.all([videoFrames(adaPage, 'Bo'), videoFrames(boPage, 'Ada')]);
    expect(await recordButton(adaPage).getAttribute('aria-pressed')).toBe('false');
    expect(await recordingIn(boPage, 'Ada').count()).toBe(0);

    started.clicked = Date.now();
    await recordButton(adaPage).click();
    await expect.poll(() => recordButton(adaPage).getAttribute('aria-pressed'), { timeout: 2_000 }).toBe('true');
    // The own tile says Recording once the recorder really runs.
    await recordingIn(adaPage, 'Ada (you)').waitFor({ state: 'visible', timeout: 3_000 });
    started.shown = Date.now();
    await recordingIn(boPage, 'Ada').waitFor({ state: 'visible', timeout: 2_000 });
    // Only the recorder's tile says so.
    expect(await boPage.getByText('Recording', { exact: true }).count()).toBe(1);

    cyPage = await joinCall(cy, link);
    await videoFrames(cyPage, 'Ada');
    await recordingIn(cyPage, 'Ada').waitFor({ state: 'visible', timeout: 3_000 });
    expect(await cyPage.getByText('Recording', { exact: true }).count()).toBe(1);
  });

  it('goes on recording when someone leaves mid-way', async () => {
    await boPage.getByRole('button', { name: 'Leave call', exact: true }).click();
    await adaPage.getByRole('group', { name: 'Bo', exact: true }).waitFor({ state: 'detached', timeout: 3_000 });
    await boPage.close();
    // Ada's clock keeps running after the leave.
    const clock = adaPage.locator('.rec-time');
    const seconds = async () => {
      const [m, s] = ((await clock.textContent()) ?? '').split(':').map(Number);
      return (m ?? Number.NaN) * 60 + (s ?? Number.NaN);
    };
    const before = await seconds();
    await expect.poll(seconds, { timeout: 4_000 }).toBeGreaterThanOrEqual(before + 2);
    expect(await recordButton(adaPage).getAttribute('aria-pressed')).toBe('true');
    await recordingIn(cyPage, 'Ada').waitFor({ state: 'visible', timeout: 1_000 });
  });

  it('has no serious or critical accessibility violation in the new controls', async () => {
    expect(await seriousViolations(adaPage, ['button.record', '.rec-time', '.badge.rec'])).toEqual([]);
  });

  it('stops on a second press and saves a WebM with picture and sound of the recorded length', async () => {
    const stopClicked = Date.now();
    await recordButton(adaPage).click();
    await expect.poll(() => recordButton(adaPage).getAttribute('aria-pressed'), { timeout: 3_000 }).toBe('false');
    // At least from the badge to the click on Stop, at most from the click on Record to the button saying stopped.
    const recorded = { least: stopClicked - started.shown, most: Date.now() - started.clicked };
    /** Within what the recording can have lasted, give or take a frame's timestamps (300 ms). */
    const ofRecordedLength = (ms: number) => ms > recorded.least - 300 && ms < recorded.most + 300;
    const recordedMs = (recorded.least + recorded.most) / 2;
    await recordingIn(cyPage, 'Ada').waitFor({ state: 'detached', timeout: 2_000 });

    const { bytes, name } = await saveRecording(adaPage);
    expect(name).toMatch(/^zing-recording-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.webm$/);
    const today = new Date();
    const two = (n: number) => String(n).padStart(2, '0');
    expect(name.startsWith(`zing-recording-${today.getFullYear()}-${two(today.getMonth() + 1)}-${two(today.getDate())}-`)).toBe(true);
    // Several seconds of a 960-wide picture: far more than a header.
    expect(bytes.length).toBeGreaterThan(100_000);
    expect([...bytes.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    expect(webmTracks(bytes)).toEqual({ video: 1, audio: 1 });
    expect(webmDurationMs(bytes), `recorded for ${recorded.least}-${recorded.most} ms`).toSatisfy(ofRecordedLength);

    const decoded = await decodeInPage(adaPage, bytes.length);
    expect(decoded.duration * 1000, `recorded for ${recorded.least}-${recorded.most} ms`).toSatisfy(ofRecordedLength);
    expect(decoded.width).toBe(960);
    expect(decoded.height).toBeGreaterThan(0);
    expect(decoded.framesAdvanced).toBeGreaterThanOrEqual(10);
    // The sound spans the recording. Its decoded length is not held to the second: on a loaded machine
    // the mixed track's timestamps ran up to 2.3 s past the picture's (the picture's duration is checked above).
    expect(decoded.audioSeconds * 1000).toBeGreaterThan(recordedMs / 2);
    // Chromium's fake microphones beep: the voices are in it, not silence.
    expect(decoded.audioRms).toBeGreaterThan(0.001);

    expect(await seriousViolations(adaPage, ['.recording-result', 'button.record'])).toEqual([]);
  });

  it('stops by itself before its size limit, says so, and what it kept still plays', async () => {
    await recordButton(cyPage).click();
    const alert = cyPage.getByRole('alert').filter({ hasText: 'limit for one recording' });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/reached the 293 KiB limit/);
    expect(await recordButton(cyPage).getAttribute('aria-pressed')).toBe('false');
    await recordingIn(adaPage, 'Cy').waitFor({ state: 'detached', timeout: 2_000 });
    const { bytes } = await saveRecording(cyPage);
    expect(bytes.length).toBeLessThanOrEqual(CY_LIMIT_BYTES);
    expect(bytes.length).toBeGreaterThan(CY_LIMIT_BYTES / 2);
    const decoded = await decodeInPage(cyPage, bytes.length);
    expect(decoded.duration).toBeGreaterThan(0.5);
    expect(decoded.framesAdvanced).toBeGreaterThan(0);
  });

  it('refuses bogus recording notices from a hostile peer; a true one marks only the sender', async () => {
    const diPage = await joinCall(di, link);
    await Promise.all([videoFrames(cyPage, 'Di'), videoFrames(adaPage, 'Di')]);
    await cyPage.getByRole('group', { name: 'Di', exact: true }).waitFor();
    // Whoever Di names, a notice speaks only for its sender: naming someone else makes it no notice at all.
    const someoneElse = '22222222-2222-4222-8222-222222222222';
    const bogus: (string | number[])[] = [
      '{"type":"recording","on":"yes"}',
      '{"type":"recording","on":1}',
      '{"type":"recording"}',
      '{"type":"recording","on":null}',
      `{"type":"recording","on":true,"participant":"${someoneElse}"}`,
      '{"type":"recording","on":true,"id":"00000000-0000-4000-8000-000000000000"}',
      '{"type":"recording","on":true,"__proto__":{"on":true}}',
      '[{"type":"recording","on":true}]',
      JSON.stringify('{"type":"recording","on":true}'),
      `{"type":"recording","on":true,"pad":"${'x'.repeat(200_000)}"}`,
      '{"type":"Recording","on":true}',
      '{"type":"recording","on":true',
      [...new TextEncoder().encode('{"type":"recording","on":true}')],
    ];
    // After the bogus frames, a chat message on the same ordered channel: once it shows, they were all read.
    const sentinel = `{"type":"chat","id":"11111111-1111-4111-8111-111111111111","text":"after the bogus ones","sentAt":${Date.now()}}`;
    await expect.poll(() => sendRaw(diPage, [...bogus, sentinel]), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    for (const page of [adaPage, cyPage]) {
      await page.getByRole('log', { name: 'Chat', exact: true }).getByText('after the bogus ones').first().waitFor({ timeout: 3_000 });
      expect(await page.getByText('Recording', { exact: true }).count()).toBe(0);
    }
    // The same channel does carry a true notice, and it marks Di alone: the test above could have failed.
    expect(await sendRaw(diPage, ['{"type":"recording","on":true}'])).toBeGreaterThanOrEqual(2);
    await recordingIn(cyPage, 'Di').waitFor({ state: 'visible', timeout: 2_000 });
    expect(await cyPage.getByText('Recording', { exact: true }).count()).toBe(1);
    await sendRaw(diPage, ['{"type":"recording","on":false}']);
    await recordingIn(cyPage, 'Di').waitFor({ state: 'detached', timeout: 2_000 });
  });
});
