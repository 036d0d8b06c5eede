// Controlling a call from the keyboard: the call page's own M, V and hold-Space
// shortcuts, which never fire while typing, and the Keyboard shortcuts dialog.
// Two people; whatever Alice does is proven by what Bob sees in her tile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, launchPerson, openCallPage, startCall, videoFrames, type Person } from '../support/browser.ts';

/** Takes focus out of whatever has it, as a click on an empty part of the page would. */
const focusNothing = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (el instanceof HTMLElement) el.blur();
  });

describe('keyboard shortcuts in the call page', () => {
  let relay: Relay;
  let alice: Person;
  let bob: Person;
  let alicePage: Page;
  let bobPage: Page;

  const mute = () => alicePage.getByRole('button', { name: 'Mute microphone', exact: true });
  const camera = () => alicePage.getByRole('button', { name: 'Turn off camera', exact: true });
  const aliceAtBob = () => bobPage.getByRole('group', { name: 'Alice', exact: true });
  const micOffAtBob = () => aliceAtBob().getByText('Microphone off', { exact: true });
  const cameraOffAtBob = () => aliceAtBob().getByText('Camera off', { exact: true });

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [alice, bob] = await Promise.all([
      launchPerson({ name: 'Alice', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
      launchPerson({ name: 'Bob', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
    ]);
    alicePage = await startCall(alice);
    bobPage = await openCallPage(bob, await callLinkOf(alicePage));
    await Promise.all([videoFrames(alicePage, 'Bob'), videoFrames(bobPage, 'Alice')]);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.close();
  });

  it('mutes and unmutes on M, and the other side sees it', async () => {
    await focusNothing(alicePage);
    await alicePage.keyboard.press('m');
    expect(await mute().getAttribute('aria-pressed')).toBe('true');
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await alicePage.keyboard.press('m');
    expect(await mute().getAttribute('aria-pressed')).toBe('false');
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
  });

  it('types m and a space into Message as text, without muting or talking', async () => {
    const message = alicePage.getByRole('textbox', { name: 'Message', exact: true });
    await message.click();
    await alicePage.keyboard.type('m v m');
    expect(await message.inputValue()).toBe('m v m');
    expect(await mute().getAttribute('aria-pressed')).toBe('false');
    // Presence changes reach Bob in order: once the camera change he sees came
    // after the typing, a mute from the typing would already be there.
    await camera().click();
    await cameraOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    expect(await micOffAtBob().count()).toBe(0);
    await camera().click();
    await cameraOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
    await message.fill('');
  });

  it('turns the camera off and on with V', async () => {
    await focusNothing(alicePage);
    await alicePage.keyboard.press('v');
    await cameraOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await alicePage.keyboard.press('v');
    await cameraOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
  });

  it('unmutes only while Space is held, even with the just-clicked Mute button focused', async () => {
    await mute().click(); // focus now sits on the button, reached by a pointer
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await alicePage.keyboard.down(' ');
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
    expect(await mute().getAttribute('aria-pressed')).toBe('false');
    await alicePage.keyboard.up(' ');
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    // Had Space also pressed the focused button, its click would have unmuted her again.
    expect(await mute().getAttribute('aria-pressed')).toBe('true');
  });

  it('mutes again when the window loses focus while Space is held', async () => {
    await focusNothing(alicePage);
    await alicePage.keyboard.down(' ');
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
    // Headless Chromium never blurs a window by itself: the event the browser would send, sent by hand.
    await alicePage.evaluate(() => window.dispatchEvent(new FocusEvent('blur')));
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await alicePage.keyboard.up(' ');
    expect(await mute().getAttribute('aria-pressed')).toBe('true');
    await mute().click();
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
  });

  it('lists every shortcut in a modal Keyboard shortcuts dialog that gives focus back when closed', async () => {
    const open = alicePage.getByRole('button', { name: 'Keyboard shortcuts', exact: true });
    await open.focus();
    await alicePage.keyboard.press('Enter');
    const dialog = alicePage.getByRole('dialog', { name: 'Keyboard shortcuts', exact: true });
    await dialog.waitFor({ state: 'visible', timeout: 2_000 });
    expect(await dialog.evaluate((d) => d.matches(':modal') && d.contains(document.activeElement))).toBe(true);
    for (const [keys, action] of [
      ['M', 'Turn the microphone on or off'],
      ['V', 'Turn the camera on or off'],
      ['Hold Space', 'Talk while muted (push to talk)'],
    ]) {
      await expect.poll(() => dialog.getByRole('row', { name: `${keys} ${action}`, exact: true }).count()).toBe(1);
    }
    // The call behind a modal dialog is inert, its keys included.
    await alicePage.keyboard.press('m');
    expect(await mute().getAttribute('aria-pressed')).toBe('false');
    await alicePage.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 2_000 });
    expect(await open.evaluate((b) => b === document.activeElement)).toBe(true);
  });

  it('lets single-key shortcuts be switched off, and on again', async () => {
    await alicePage.getByRole('button', { name: 'Keyboard shortcuts', exact: true }).click();
    const dialog = alicePage.getByRole('dialog', { name: 'Keyboard shortcuts', exact: true });
    const singleKey = dialog.getByRole('checkbox', { name: 'Single-key shortcuts', exact: true });
    expect(await singleKey.isChecked()).toBe(true);
    await singleKey.uncheck();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await focusNothing(alicePage);
    await alicePage.keyboard.press('m');
    await camera().click();
    await cameraOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    expect(await micOffAtBob().count()).toBe(0);
    await camera().click();
    // The choice is kept with the profile, so it holds after a reload too.
    await alicePage.reload();
    await videoFrames(alicePage, 'Bob');
    await alicePage.getByRole('button', { name: 'Keyboard shortcuts', exact: true }).click();
    expect(await dialog.getByRole('checkbox', { name: 'Single-key shortcuts', exact: true }).isChecked()).toBe(false);
    await dialog.getByRole('checkbox', { name: 'Single-key shortcuts', exact: true }).check();
    await alicePage.keyboard.press('Escape');
    await focusNothing(alicePage);
    await alicePage.keyboard.press('m');
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await alicePage.keyboard.press('m');
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
  });
});
