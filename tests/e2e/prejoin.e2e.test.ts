// The way into a call as a person sees it: the name they type is their whole
// name (a picked guest name is only the placeholder); the camera, microphone
// and speaker they pick are the ones used, switched mid-call without dropping
// it, and remembered. Chromium's fake cameras all show the same picture, so the
// proof of which one is used is what the link sends (sentCameras), with frames
// decoding at the other end.
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
  watchPeerConnections,
  type Person,
} from '../support/browser.ts';

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
});
