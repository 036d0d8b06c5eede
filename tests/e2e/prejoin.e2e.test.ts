import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import {
  callLinkOf,
  joinCall,
  launchPerson,
  openPopup,
  sentCameras,
  startCall,
  videoFrames,
  waitForShareLinkRedirect,
  watchPeerConnections,
  type Person,
} from '../support/browser.ts';
import { seriousViolations } from '../support/axe.ts';
import { askedFor, watchReach } from '../support/reach-watch.ts';

/** How long a pre-join page is watched for something that must not happen (as in links.e2e.test.ts). */
const UNSEEN_MS = 1_000;

/** A device a test plugs in: listed by enumerateDevices, never opened. */
interface Plugged {
  deviceId: string;
  groupId: string;
  kind: MediaDeviceKind;
  label: string;
}

/**
 * Lets a test plug devices in and out as a person would: enumerateDevices
 * lists what `__zingPlugged` holds beside the fake devices, and `plug` fires
 * the `devicechange` the browser fires then (an init script, before the page opens).
 */
async function allowPlugging(person: Person): Promise<void> {
  await person.context.addInitScript(() => {
    const media = navigator.mediaDevices;
    if (!media) return;
    const g = globalThis as { __zingPlugged?: Plugged[] };
    const real = media.enumerateDevices.bind(media);
    media.enumerateDevices = async () => [
      ...(await real()),
      // Plain objects with MediaDeviceInfo's fields: all the page reads.
      ...(g.__zingPlugged ?? []).map((d) => ({ ...d, toJSON: () => d }) as MediaDeviceInfo),
    ];
  });
}
const plug = (page: Page, devices: Plugged[]) =>
  page.evaluate((list) => {
    (globalThis as { __zingPlugged?: Plugged[] }).__zingPlugged = list;
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
  }, devices);
const USB_CAMERA: Plugged = { deviceId: 'usb-camera-1', groupId: 'usb-1', kind: 'videoinput', label: 'USB Camera' };

/**
 * Every open link's local and remote description: the same text before and
 * after means nothing was renegotiated (each new offer or answer bumps its o= version).
 */
const descriptions = (page: Page) =>
  page.evaluate(() =>
    ((globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? []).map(
      (pc) => `${pc.connectionState} ${pc.localDescription?.sdp ?? ''} ${pc.remoteDescription?.sdp ?? ''}`,
    ),
  );

/** Links of the page that got as far as the other side's description: none means nothing was negotiated. */
const negotiated = (page: Page) =>
  page.evaluate(
    () =>
      ((globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? []).filter(
        (pc) => pc.remoteDescription !== null,
      ).length,
  );

/**
 * Waits until `page` sends `camera` on its link, and `other` decodes fresh
 * frames of `name` after that: the chosen camera is the one the others see.
 */
async function expectSent(page: Page, camera: string, other: Page, name: string, timeoutMs = 10_000): Promise<void> {
  await expect.poll(() => sentCameras(page), { timeout: timeoutMs, interval: 100 }).toEqual([camera]);
  expect((await videoFrames(other, name)).framesAdvanced).toBeGreaterThanOrEqual(5);
}

describe('the way into a call', () => {
  let relay: Relay;
  let host: Person;
  let nameless: Person;
  /** Three cameras (fake_device_0 and 2 are sendable), three microphones, three speakers: Chromium's fake devices. */
  let chooser: Person;
  const opened: Page[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [host, nameless, chooser] = await Promise.all([
      launchPerson({ name: 'Host', relayUrl: relay.url }),
      launchPerson({ name: '', relayUrl: relay.url }),
      launchPerson({ name: 'Chooser', relayUrl: relay.url, cameras: 3 }),
    ]);
    await watchPeerConnections(chooser);
    await watchReach(chooser.context);
    await allowPlugging(chooser);
    await Promise.all([waitForShareLinkRedirect(chooser, relay.url), waitForShareLinkRedirect(nameless, relay.url)]);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await Promise.all([host?.close(), nameless?.close(), chooser?.close()]);
    await relay?.close();
  });

  it('shows a picked guest name as the popup’s placeholder, so typing into the box gives exactly the typed name', async () => {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const popup = await openPopup(nameless);
    opened.push(popup);
    const box = popup.getByRole('textbox', { name: 'Your name', exact: true });
    await expect.poll(() => box.getAttribute('placeholder')).toMatch(/^Guest [1-9]\d{3}$/);
    const guest = (await box.getAttribute('placeholder')) ?? '';
    expect(await box.inputValue()).toBe('');

    const page = await joinCall(nameless, await callLinkOf(hostPage));
    opened.push(page);
    await page.getByRole('group', { name: `${guest} (you)`, exact: true }).waitFor({ timeout: 10_000 });
    await hostPage.getByRole('group', { name: guest, exact: true }).waitFor({ timeout: 10_000 });

    // Clicked and typed into as a person would, the box holds what they typed and nothing else.
    const again = await openPopup(nameless);
    opened.push(again);
    const name = again.getByRole('textbox', { name: 'Your name', exact: true });
    await expect.poll(() => name.getAttribute('placeholder')).toBe(guest);
    await name.click();
    await again.keyboard.type('Zoe');
    expect(await name.inputValue()).toBe('Zoe');
    await page.getByRole('group', { name: 'Zoe (you)', exact: true }).waitFor({ timeout: 2_000 });
    await hostPage.getByRole('group', { name: 'Zoe', exact: true }).waitFor({ timeout: 2_000 });

    // Emptied again, the box shows the same guest name, and everyone sees it again.
    await name.fill('');
    await hostPage.getByRole('group', { name: guest, exact: true }).waitFor({ timeout: 2_000 });
    expect(await name.getAttribute('placeholder')).toBe(guest);
  });

  it('switches the camera in Settings mid-call: the other side keeps decoding, now the other camera, and it is remembered', async () => {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const page = await joinCall(chooser, await callLinkOf(hostPage));
    opened.push(page);
    await expectSent(page, 'fake_device_0', hostPage, 'Chooser');
    const before = await descriptions(page);
    expect(before).toHaveLength(1);

    const open = page.getByRole('button', { name: 'Settings', exact: true });
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Settings', exact: true });
    await dialog.waitFor({ timeout: 2_000 });
    // Modal, with focus inside.
    expect(await dialog.evaluate((d) => d.contains(document.activeElement) && d.matches(':modal'))).toBe(true);
    const camera = dialog.getByRole('combobox', { name: 'Camera', exact: true });
    expect(await camera.locator('option').allTextContents()).toEqual(['Default', 'fake_device_0', 'fake_device_1', 'fake_device_2']);
    await camera.selectOption({ label: 'fake_device_2' });
    await expectSent(page, 'fake_device_2', hostPage, 'Chooser');
    expect(await hostPage.getByRole('status').textContent()).toBe('Connected');
    // Swapped on the link as it is (replaceTrack): the same one link, nothing offered or answered again.
    expect(await descriptions(page)).toEqual(before);
    expect(await camera.locator('option:checked').textContent()).toBe('fake_device_2');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 2_000 });
    expect(await open.evaluate((b) => b === document.activeElement)).toBe(true);

    // The next call opens the camera chosen last.
    await page.reload();
    await expectSent(page, 'fake_device_2', hostPage, 'Chooser', 15_000);
    await open.click();
    await camera.selectOption({ label: 'Default' });
    await expectSent(page, 'fake_device_0', hostPage, 'Chooser');
  });

  it('switches the microphone mid-call and keeps the call', async () => {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const page = await joinCall(chooser, await callLinkOf(hostPage));
    opened.push(page);
    await videoFrames(hostPage, 'Chooser');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const microphone = page
      .getByRole('dialog', { name: 'Settings', exact: true })
      .getByRole('combobox', { name: 'Microphone', exact: true });
    await microphone.selectOption({ label: 'Fake Audio Input 2' });
    const inUse = () =>
      page
        .getByRole('group', { name: 'Chooser (you)', exact: true })
        .locator('video')
        .evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getAudioTracks()[0]?.label); // the own tile holds the local tracks
    await expect.poll(inUse, { timeout: 5_000 }).toBe('Fake Audio Input 2');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await hostPage.getByText('Microphone off', { exact: true }).waitFor({ timeout: 1_000 });
    expect((await videoFrames(hostPage, 'Chooser')).framesAdvanced).toBeGreaterThanOrEqual(5);
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await microphone.selectOption({ label: 'Default' });
  });

  it('plays every remote voice on the speaker chosen in Settings, and keeps it for the next call', async () => {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const page = await joinCall(chooser, await callLinkOf(hostPage));
    opened.push(page);
    await videoFrames(page, 'Host');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const speaker = page.getByRole('dialog', { name: 'Settings', exact: true }).getByRole('combobox', { name: 'Speaker', exact: true });
    await speaker.selectOption({ label: 'Fake Audio Output 2' });
    const chosen = await speaker.inputValue();
    expect(chosen).not.toBe('');
    const sink = () =>
      page
        .getByRole('group', { name: 'Host', exact: true })
        .locator('audio')
        .evaluate((a) => (a as HTMLAudioElement).sinkId); // a remote tile plays through its <audio>
    await expect.poll(sink, { timeout: 2_000 }).toBe(chosen);
    await page.reload();
    await videoFrames(page, 'Host');
    await expect.poll(sink, { timeout: 5_000 }).toBe(chosen);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    expect(await speaker.inputValue()).toBe(chosen);
  });

  it('falls back to the default camera when the one in use stops by itself, and says so', async () => {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const page = await joinCall(chooser, await callLinkOf(hostPage));
    opened.push(page);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Settings', exact: true })
      .getByRole('combobox', { name: 'Camera', exact: true })
      .selectOption({ label: 'fake_device_2' });
    await page.keyboard.press('Escape');
    await expectSent(page, 'fake_device_2', hostPage, 'Chooser');
    // Unplugged: the browser ends the track by itself (a track stopped by the page fires no `ended`).
    await page
      .getByRole('group', { name: 'Chooser (you)', exact: true })
      .locator('video')
      .evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.dispatchEvent(new Event('ended'))); // the own tile holds the local tracks
    await page.getByRole('alert').getByText('Your camera (fake_device_2) stopped', { exact: false }).waitFor({ timeout: 5_000 });
    await expectSent(page, 'fake_device_0', hostPage, 'Chooser');
    // Settings shows what is in use now: the default camera, fake_device_0.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    expect(await page.getByRole('combobox', { name: 'Camera', exact: true }).locator('option:checked').textContent()).toBe('fake_device_0');
  });

  /** A call the host started from the popup, and a tab of `person` with its link typed into the address bar. */
  async function preJoinPage(person: Person): Promise<{ hostPage: Page; page: Page; room: string }> {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const link = await callLinkOf(hostPage);
    const page = await person.context.newPage();
    opened.push(page);
    await page.goto(link);
    await page.getByRole('button', { name: 'Join call', exact: true }).waitFor({ timeout: 10_000 });
    return { hostPage, page, room: new URL(link).pathname.slice('/r/'.length) };
  }

  /** Nobody in the call has seen `name`, and the page has negotiated nothing with anyone. */
  async function expectUnseen(page: Page, hostPage: Page, room: string, name: string): Promise<void> {
    expect(relay.rooms.peersIn(room)).toHaveLength(1); // the host alone
    expect(await hostPage.getByRole('group', { name, exact: true }).count()).toBe(0);
    expect(await negotiated(page)).toBe(0);
  }

  it('shows the pre-join page; the camera opens only for Show preview, and nobody sees the person before Join call', async () => {
    const { hostPage, page, room } = await preJoinPage(chooser);
    expect(await page.getByRole('textbox', { name: 'Your name', exact: true }).inputValue()).toBe('Chooser');
    for (const name of ['Camera', 'Microphone', 'Speaker']) expect(await page.getByRole('combobox', { name, exact: true }).count()).toBe(1);
    for (const name of ['Mute microphone', 'Turn off camera'])
      expect(await page.getByRole('button', { name, exact: true }).getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByText('This call runs through your relay', { exact: false }).count()).toBe(1);
    await page.waitForTimeout(UNSEEN_MS); // absence cannot be waited for: watch for a while
    expect(await askedFor(page)).toEqual([]);
    await expectUnseen(page, hostPage, room, 'Chooser');

    await page.getByRole('button', { name: 'Show preview', exact: true }).click();
    const preview = page.getByRole('region', { name: 'Preview', exact: true }).locator('video');
    await expect
      .poll(() => preview.evaluate((v) => (v as HTMLVideoElement).videoWidth), { timeout: 5_000 }) // the preview's own <video>
      .toBeGreaterThan(0);
    expect(await askedFor(page)).toEqual(['audio+video']);
    await page.waitForTimeout(UNSEEN_MS);
    await expectUnseen(page, hostPage, room, 'Chooser');

    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await Promise.all([videoFrames(page, 'Host'), videoFrames(hostPage, 'Chooser')]);
    // The preview's camera and microphone went into the call: nothing was asked for twice.
    expect(await askedFor(page)).toEqual(['audio+video']);
  });

  it('uses the camera chosen on the pre-join page, and carries a muted microphone into the call', async () => {
    const { hostPage, page } = await preJoinPage(chooser);
    await page.getByRole('combobox', { name: 'Camera', exact: true }).selectOption({ label: 'fake_device_2' });
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await page.getByRole('button', { name: 'Show preview', exact: true }).click();
    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await expectSent(page, 'fake_device_2', hostPage, 'Chooser');
    const tile = hostPage.getByRole('group', { name: 'Chooser', exact: true });
    await tile.getByText('Microphone off', { exact: true }).waitFor({ timeout: 5_000 });
    expect(await page.getByRole('button', { name: 'Mute microphone', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await tile.getByText('Microphone off', { exact: true }).waitFor({ state: 'detached', timeout: 1_000 });
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('combobox', { name: 'Camera', exact: true }).selectOption({ label: 'Default' });
    await expectSent(page, 'fake_device_0', hostPage, 'Chooser');
  });

  it('carries the camera turned off on the pre-join page into the call, without ever opening it', async () => {
    const { hostPage, page } = await preJoinPage(chooser);
    await page.getByRole('combobox', { name: 'Camera', exact: true }).selectOption({ label: 'Default' });
    await page.getByRole('button', { name: 'Turn off camera', exact: true }).click();
    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    const tile = hostPage.getByRole('group', { name: 'Chooser', exact: true });
    await tile.getByText('Camera off', { exact: true }).waitFor({ timeout: 10_000 });
    await expect.poll(() => sentCameras(page), { timeout: 5_000 }).toEqual([null]);
    expect(await askedFor(page)).toEqual(['audio']);
    // On again in the call: the picture follows.
    await page.getByRole('button', { name: 'Turn off camera', exact: true }).click();
    await tile.getByText('Camera off', { exact: true }).waitFor({ state: 'detached', timeout: 2_000 });
    await expectSent(page, 'fake_device_0', hostPage, 'Chooser');
  });

  it('shows a picked guest name as the pre-join page’s placeholder, and joins with exactly the typed name', async () => {
    const { hostPage, page } = await preJoinPage(nameless);
    const box = page.getByRole('textbox', { name: 'Your name', exact: true });
    expect(await box.inputValue()).toBe('');
    expect(await box.getAttribute('placeholder')).toMatch(/^Guest [1-9]\d{3}$/);
    await box.click();
    await page.keyboard.type('Yan');
    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await hostPage.getByRole('group', { name: 'Yan', exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole('group', { name: 'Yan (you)', exact: true }).waitFor({ timeout: 2_000 });
  });

  it('lists a camera plugged in while the page is open, on the pre-join page and in Settings, and drops it once unplugged', async () => {
    const { hostPage, page } = await preJoinPage(chooser);
    const options = (within: Pick<Page, 'getByRole'>) =>
      within.getByRole('combobox', { name: 'Camera', exact: true }).locator('option').allTextContents();
    await expect.poll(() => options(page), { timeout: 5_000 }).toEqual(['Default', 'fake_device_0', 'fake_device_1', 'fake_device_2']);
    await plug(page, [USB_CAMERA]);
    await expect.poll(() => options(page), { timeout: 2_000 }).toContain('USB Camera');
    expect(await askedFor(page)).toEqual([]); // listing opened nothing

    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await videoFrames(hostPage, 'Chooser');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings', exact: true });
    // The dialog loads on first open: read its list once a person could see it.
    await dialog.waitFor({ timeout: 2_000 });
    await expect.poll(() => options(dialog), { timeout: 2_000 }).toContain('USB Camera');
    await plug(page, []);
    await expect.poll(() => options(dialog), { timeout: 2_000 }).not.toContain('USB Camera');
    expect(await options(dialog)).toEqual(['Default', 'fake_device_0', 'fake_device_1', 'fake_device_2']);
  });

  it('has no serious or critical axe finding on the pre-join page or in the Settings dialog', async () => {
    const { page } = await preJoinPage(chooser);
    await page.getByRole('button', { name: 'Show preview', exact: true }).click();
    await expect
      .poll(() =>
        page
          .getByRole('region', { name: 'Preview', exact: true })
          .locator('video')
          .evaluate((v) => (v as HTMLVideoElement).videoWidth),
      ) // the preview's own <video>
      .toBeGreaterThan(0);
    expect(await seriousViolations(page, 'main')).toEqual([]);
    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('dialog', { name: 'Settings', exact: true }).waitFor({ timeout: 2_000 });
    expect(await seriousViolations(page, 'dialog.settings')).toEqual([]);
  });
});
