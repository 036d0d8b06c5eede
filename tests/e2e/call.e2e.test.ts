// What two people do: start a call, join it from a pasted link, see and hear
// each other (proven by decoded frames), mute, leave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import {
  callLinkOf,
  joinCall,
  launchPerson,
  linkCells,
  openPopup,
  sentAudioPacketRate,
  startCall,
  videoFrames,
  watchPeerConnections,
  type Person,
} from '../support/browser.ts';
import { talkingMic } from '../support/media-files.ts';

describe('a two-person call', () => {
  let relay: Relay;
  let alice: Person;
  let bob: Person;
  let alicePage: Page;
  let bobPage: Page;

  const heardByAlice = () => alicePage.evaluate(() => (globalThis as { __heard?: string[] }).__heard ?? []);

  // Alice talks without a pause, so her audio goes at the full rate whenever she is not muted (DTX aside).
  const mic = talkingMic();

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [alice, bob] = await Promise.all([
      launchPerson({ name: 'Alice', relayUrl: relay.url, extraArgs: mic.args }),
      launchPerson({ name: 'Bob', relayUrl: relay.url }),
    ]);
    await watchPeerConnections(alice);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.close();
    mic.remove();
  });

  it('starts from the popup with a share link on the relay', async () => {
    alicePage = await startCall(alice);
    const link = await callLinkOf(alicePage);
    // The room the relay sees, and the key only after the #, which no server ever receives.
    expect(link).toMatch(new RegExp(`^${relay.url}/r/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`));
    await expect.poll(() => alicePage.getByRole('status').textContent()).toBe('Waiting for others');
    await expect.poll(() => alicePage.getByRole('group', { name: 'Alice (you)', exact: true }).count()).toBe(1);
  });

  it('says on the stage that nobody else is here yet, and offers Copy link there', async () => {
    const stage = alicePage.getByRole('region', { name: 'Participants', exact: true });
    await stage.getByText('Nobody else is here yet', { exact: false }).waitFor({ timeout: 2_000 });
    await stage.getByRole('button', { name: 'Copy link', exact: true }).click();
    await stage.getByText('Copied', { exact: true }).waitFor({ timeout: 2_000 });
    // Pasted as a person would, into the popup's box.
    const popup = await openPopup(alice);
    const box = popup.getByRole('textbox', { name: 'Call link', exact: true });
    await box.focus();
    await popup.keyboard.press('ControlOrMeta+V');
    expect(await box.inputValue()).toBe(await callLinkOf(alicePage));
    await popup.close();
  });

  it('lets the second person join by pasting the link, and both decode each other’s video', async () => {
    // What a screen reader is told on Alice's page, from here on (the page's polite live region).
    await alicePage.evaluate(() => {
      const heard: string[] = [];
      (globalThis as { __heard?: string[] }).__heard = heard;
      const observer = new MutationObserver((changes) => {
        for (const c of changes) for (const n of c.addedNodes) heard.push(n.textContent ?? '');
      });
      for (const region of document.querySelectorAll('[aria-live="polite"]')) observer.observe(region, { childList: true, subtree: true });
    });
    bobPage = await joinCall(bob, await callLinkOf(alicePage));
    const [bobSeenByAlice, aliceSeenByBob] = await Promise.all([videoFrames(alicePage, 'Bob'), videoFrames(bobPage, 'Alice')]);
    expect(bobSeenByAlice.width).toBeGreaterThan(0);
    expect(aliceSeenByBob.width).toBeGreaterThan(0);
    expect(bobSeenByAlice.framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(aliceSeenByBob.framesAdvanced).toBeGreaterThanOrEqual(5);
    await expect.poll(() => alicePage.getByRole('status').textContent()).toBe('Connected');
    await expect.poll(() => bobPage.getByRole('status').textContent()).toBe('Connected');
    expect(await alicePage.getByText('Nobody else is here yet', { exact: false }).count()).toBe(0);
    await expect.poll(() => heardByAlice()).toContain('Bob joined');
  });

  it('shows a mute on the other side within a second', async () => {
    const aliceAtBob = bobPage.getByRole('group', { name: 'Alice', exact: true });
    expect(await aliceAtBob.getByText('Microphone off', { exact: true }).count()).toBe(0);
    const mute = alicePage.getByRole('button', { name: 'Mute microphone', exact: true });
    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('true');
    await aliceAtBob.getByText('Microphone off', { exact: true }).waitFor({ state: 'visible', timeout: 1_000 });
    await mute.click();
    await aliceAtBob.getByText('Microphone off', { exact: true }).waitFor({ state: 'detached', timeout: 1_000 });
  });

  // Opus DTX (opus-dtx.ts): a muted microphone is silence, and silence goes out
  // as a tiny frame every 400 ms instead of fifty packets a second on each link.
  it('sends almost no audio packets while muted, and the full rate again after', async () => {
    const mute = alicePage.getByRole('button', { name: 'Mute microphone', exact: true });
    const talking = await sentAudioPacketRate(alicePage);
    expect(talking).toBeGreaterThan(40);
    await mute.click();
    await new Promise((r) => setTimeout(r, 1_000));
    const muted = await sentAudioPacketRate(alicePage);
    await mute.click();
    await new Promise((r) => setTimeout(r, 1_000));
    const again = await sentAudioPacketRate(alicePage);
    const said = `audio packets/s sent: ${talking.toFixed(0)} talking, ${muted.toFixed(1)} muted, ${again.toFixed(0)} again`;
    expect(muted, said).toBeLessThanOrEqual(10);
    expect(again, said).toBeGreaterThan(40);
  });

  it('shows the camera turned off, and video again when it comes back', async () => {
    const camera = bobPage.getByRole('button', { name: 'Turn off camera', exact: true });
    await camera.click();
    const bobAtAlice = alicePage.getByRole('group', { name: 'Bob', exact: true });
    await bobAtAlice.getByText('Camera off', { exact: true }).waitFor({ state: 'visible', timeout: 1_000 });
    // Both Stats panels say so too, not the camera's last frame size, which stays in the stats.
    for (const page of [alicePage, bobPage]) await page.getByRole('button', { name: 'Stats', exact: true }).click();
    await expect.poll(async () => (await linkCells(bobPage, 'Alice')).sending, { timeout: 3_000 }).toMatch(/ · no video$/);
    await expect.poll(async () => (await linkCells(alicePage, 'Bob')).receiving, { timeout: 3_000 }).toMatch(/ · no video$/);
    await camera.click();
    await bobAtAlice.getByText('Camera off', { exact: true }).waitFor({ state: 'detached', timeout: 2_000 });
    expect((await videoFrames(alicePage, 'Bob')).framesAdvanced).toBeGreaterThanOrEqual(5);
    await expect.poll(async () => (await linkCells(alicePage, 'Bob')).receiving, { timeout: 3_000 }).toMatch(/ · \d+×\d+$/);
    for (const page of [alicePage, bobPage]) await page.getByRole('button', { name: 'Stats', exact: true }).click();
  });

  it('carries a rename from the popup into the call', async () => {
    const popup = await openPopup(bob);
    await popup.getByRole('textbox', { name: 'Your name', exact: true }).fill('Robert');
    await alicePage.getByRole('group', { name: 'Robert', exact: true }).waitFor({ timeout: 2_000 });
    await bobPage.getByRole('group', { name: 'Robert (you)', exact: true }).waitFor({ timeout: 2_000 });
    await popup.close();
  });

  it('removes the person who leaves from the other side', async () => {
    await bobPage.getByRole('button', { name: 'Leave call', exact: true }).click();
    await alicePage.getByRole('group', { name: 'Robert', exact: true }).waitFor({ state: 'detached', timeout: 3_000 });
    await expect.poll(() => alicePage.getByRole('status').textContent()).toBe('Waiting for others');
    expect(await bobPage.getByRole('status').textContent()).toBe('You left the call');
    await expect.poll(() => heardByAlice()).toContain('Robert left');
  });

  it('restores the saved name and mute preference next time', async () => {
    const popup = await openPopup(alice);
    expect(await popup.getByRole('textbox', { name: 'Your name', exact: true }).inputValue()).toBe('Alice');
    await popup.close();
    const mute = alicePage.getByRole('button', { name: 'Mute microphone', exact: true });
    await mute.click();
    await alicePage.reload();
    await expect
      .poll(() => alicePage.getByRole('button', { name: 'Mute microphone', exact: true }).getAttribute('aria-pressed'))
      .toBe('true');
  });

  it('refuses an invalid pasted link with an alert in words', async () => {
    const popup = await openPopup(bob);
    await popup.getByRole('textbox', { name: 'Call link', exact: true }).fill('https://example.com/not-a-call');
    await popup.getByRole('button', { name: 'Join', exact: true }).click();
    const alert = popup.getByRole('alert');
    await alert.waitFor({ timeout: 2_000 });
    expect(await alert.textContent()).toContain('not a Zing call link');
    expect(bob.context.pages().filter((p) => p.url().includes('/call/')).length).toBe(1); // only the call Bob left
    await popup.close();
  });
});
