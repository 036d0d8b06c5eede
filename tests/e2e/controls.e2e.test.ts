import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import {
  callLinkOf,
  clickClosing,
  launchPerson,
  openCallPage,
  openPopup,
  startCall,
  videoFrames,
  waitForShareLinkRedirect,
  type Person,
} from '../support/browser.ts';
import { seriousViolations } from '../support/axe.ts';
import { newCallLink } from '../support/links.ts';

/** The few extension APIs these tests call inside Zing's service worker (Node's types do not know `chrome`). */
interface Chrome {
  action: { getBadgeText(details: object): Promise<string> };
  runtime: { onUpdateAvailable: { dispatch(details: { version: string }): void } };
  commands: {
    getAll(): Promise<{ name?: string; shortcut?: string }[]>;
    onCommand: { dispatch(name: string): void };
  };
  tabs: {
    query(q: object): Promise<{ id?: number }[]>;
    getCurrent(): Promise<{ id?: number } | undefined>;
  };
}

/** Zing's background, as it runs now (a restarted service worker is a new Worker). */
const serviceWorker = async (person: Person): Promise<Worker> =>
  person.context.serviceWorkers()[0] ?? person.context.waitForEvent('serviceworker');

/**
 * Dispatches an update, as the browser does once one is downloaded (Firefox would reload
 * Zing at once if nothing listened), and returns a check that Zing reloaded into it within
 * 10 s of `after`: run it, then do `after`. Every page of Zing holds the update, so the
 * reload is told by its service worker going and its pages with it: an extension loaded
 * from the command line does not come back from runtime.reload (browser-pool.ts), which a
 * service worker the browser merely stopped for being idle would.
 */
async function updateArrives(person: Person): Promise<(after: string) => Promise<void>> {
  const worker = await serviceWorker(person);
  await worker.evaluate(() =>
    (globalThis as unknown as { chrome: Chrome }).chrome.runtime.onUpdateAvailable.dispatch({ version: '99.0.0' }),
  );
  let gone = false;
  worker.once('close', () => {
    gone = true;
  });
  return async (after) => {
    await expect.poll(() => gone, { timeout: 10_000, message: `Zing did not reload within 10 s of ${after}` }).toBe(true);
    const page = await person.context.newPage();
    const opened = await page.goto(person.url(OPTIONS_PATH)).then(
      () => 'opened',
      (err: unknown) => String(err),
    );
    await page.close();
    expect(opened, 'Zing was unloaded by its reload, not only its service worker stopped').toContain('ERR_BLOCKED_BY_CLIENT');
  };
}

/** Whether Zing has not reloaded: every page given is still open. */
const stillOpen = (...pages: Page[]): boolean[] => pages.map((page) => !page.isClosed());

/** The tab the person is looking at, by id. */
const activeTab = async (person: Person): Promise<number | undefined> =>
  (await serviceWorker(person)).evaluate(async () => {
    const [tab] = await (globalThis as unknown as { chrome: Chrome }).chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab?.id;
  });

/** The id of the tab an extension page is in. */
const tabOf = (page: Page): Promise<number | undefined> =>
  page.evaluate(async () => (await (globalThis as unknown as { chrome: Chrome }).chrome.tabs.getCurrent())?.id);

const OPTIONS_PATH = 'extension/options/index.html';

const badgeText = async (person: Person): Promise<string> =>
  (await serviceWorker(person)).evaluate(() => (globalThis as unknown as { chrome: Chrome }).chrome.action.getBadgeText({}));

/**
 * Fires a browser command the way Chromium does once it has matched the keys:
 * by dispatching `commands.onCommand` in the service worker. Covered from there
 * on: the background's handler, its port to the call page, the page's session,
 * and the peers. Not covered: the browser turning a key press into the command
 * (Chromium ignores synthetic key events for extension shortcuts); the keys it
 * assigned are read back with `commands.getAll` instead.
 */
const fireCommand = async (person: Person, name: string): Promise<void> =>
  (await serviceWorker(person)).evaluate((n) => (globalThis as unknown as { chrome: Chrome }).chrome.commands.onCommand.dispatch(n), name);

/**
 * Ends Zing's background the way Chromium does when it stops an idle or
 * misbehaving service worker: closing its DevTools target stops the worker,
 * and the next event for it (a page reconnecting its port) starts a new one.
 * Every port to it drops. Returns a check that a new background runs: a mark
 * left in the old one's globals is gone.
 */
async function restartBackground(person: Person, page: Page): Promise<() => Promise<boolean>> {
  const worker = await serviceWorker(person);
  await worker.evaluate(() => {
    (globalThis as { zingTestMark?: boolean }).zingTestMark = true;
  });
  const cdp = await person.context.newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const backgrounds = targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(person.url('')));
  expect(backgrounds).toHaveLength(1);
  for (const { targetId } of backgrounds) expect(await cdp.send('Target.closeTarget', { targetId })).toEqual({ success: true });
  await cdp.detach();
  return async () => (await serviceWorker(person)).evaluate(() => (globalThis as { zingTestMark?: boolean }).zingTestMark === undefined);
}

/** Turning the camera back on opens it again (getUserMedia): seconds on a loaded machine, unlike a mute. */
const CAMERA_BACK_MS = 6_000;

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
    await cameraOffAtBob().waitFor({ state: 'detached', timeout: CAMERA_BACK_MS });
    await message.fill('');
  });

  it('turns the camera off and on with V', async () => {
    await focusNothing(alicePage);
    await alicePage.keyboard.press('v');
    await cameraOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await alicePage.keyboard.press('v');
    await cameraOffAtBob().waitFor({ state: 'detached', timeout: CAMERA_BACK_MS });
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
    // The camera is back (and so saved as on) before the reload.
    await cameraOffAtBob().waitFor({ state: 'detached', timeout: CAMERA_BACK_MS });
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

  it('mutes the call in a background tab with the browser’s microphone command, and the badge follows', async () => {
    const assigned = await (await serviceWorker(alice)).evaluate(() =>
      (globalThis as unknown as { chrome: Chrome }).chrome.commands.getAll(),
    );
    expect(assigned).toEqual(
      expect.arrayContaining([
        { name: 'toggle-microphone', shortcut: 'Alt+Shift+M', description: expect.any(String) },
        { name: 'toggle-camera', shortcut: 'Alt+Shift+V', description: expect.any(String) },
      ]),
    );
    await expect.poll(() => badgeText(alice), { timeout: 3_000 }).toBe('live');
    const elsewhere = await alice.context.newPage();
    await elsewhere.goto(`${relay.url}/healthz`);
    await elsewhere.bringToFront();
    const callTab = await tabOf(alicePage);
    expect(callTab).toBeDefined();
    await expect.poll(() => activeTab(alice), { timeout: 3_000 }).not.toBe(callTab);

    await fireCommand(alice, 'toggle-microphone');
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    expect(await mute().getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => badgeText(alice), { timeout: 2_000 }).toBe('mute');
    await fireCommand(alice, 'toggle-microphone');
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
    await expect.poll(() => badgeText(alice), { timeout: 2_000 }).toBe('live');

    expect(await camera().getAttribute('aria-pressed')).toBe('false');
    await fireCommand(alice, 'toggle-camera');
    await cameraOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await fireCommand(alice, 'toggle-camera');
    await cameraOffAtBob().waitFor({ state: 'detached', timeout: CAMERA_BACK_MS });
    await elsewhere.close();
  });

  it('lists the browser’s shortcuts with the keys it assigned in the Keyboard shortcuts dialog', async () => {
    await alicePage.bringToFront();
    await alicePage.getByRole('button', { name: 'Keyboard shortcuts', exact: true }).click();
    const dialog = alicePage.getByRole('dialog', { name: 'Keyboard shortcuts', exact: true });
    for (const name of [
      'Alt+Shift+M Turn the microphone of the call on or off, from any tab',
      'Alt+Shift+V Turn the camera of the call on or off, from any tab',
    ]) {
      await dialog.getByRole('row', { name, exact: true }).waitFor({ timeout: 2_000 });
    }
    await dialog.getByRole('button', { name: 'Change browser shortcuts', exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  });

  it('has no serious or critical axe finding in the call’s controls, a raised hand and a reaction on a tile, the lower-hand offer, the Keyboard shortcuts dialog or the popup during a call', async () => {
    await alicePage.bringToFront();
    const raise = alicePage.getByRole('button', { name: 'Raise hand', exact: true });
    await raise.click();
    await alicePage.getByRole('group', { name: 'Reactions', exact: true }).getByRole('button', { name: 'Clap', exact: true }).click();
    await aliceAtBob().getByRole('note', { name: 'Hand raised', exact: true }).waitFor({ timeout: 2_000 });
    await aliceAtBob().getByRole('img', { name: 'Clap', exact: true }).waitFor({ timeout: 2_000 });
    expect(await seriousViolations(bobPage, '.stage')).toEqual([]);
    expect(await seriousViolations(alicePage, 'footer.controls')).toEqual([]);
    // Chromium's fake microphone keeps sounding: with her hand up, Alice is offered to lower it after a few seconds.
    await alicePage.getByRole('button', { name: 'Lower hand', exact: true }).waitFor({ timeout: 10_000 });
    expect(await seriousViolations(alicePage, '.offer')).toEqual([]);
    await alicePage.getByRole('button', { name: 'Lower hand', exact: true }).click();
    expect(await raise.getAttribute('aria-pressed')).toBe('false');

    await alicePage.getByRole('button', { name: 'Keyboard shortcuts', exact: true }).click();
    const dialog = alicePage.getByRole('dialog', { name: 'Keyboard shortcuts', exact: true });
    await dialog
      .getByRole('row', { name: 'Alt+Shift+M Turn the microphone of the call on or off, from any tab', exact: true })
      .waitFor({ timeout: 2_000 });
    expect(await seriousViolations(alicePage, 'dialog[open]')).toEqual([]);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();

    const popup = await openPopup(alice);
    await popup.getByRole('button', { name: 'Return to call', exact: true }).waitFor({ timeout: 3_000 });
    expect(await seriousViolations(popup, 'main')).toEqual([]);
    await popup.close();
  });

  it('keeps the badge, the shortcuts and an open popup working when the browser restarts Zing’s background mid-call', async () => {
    const restarted = await restartBackground(alice, alicePage);
    // Back, the background learns the call from its page, and a shortcut reaches it.
    await expect.poll(() => badgeText(alice), { timeout: 5_000 }).toBe('live');
    expect(await restarted()).toBe(true);
    await fireCommand(alice, 'toggle-microphone');
    await micOffAtBob().waitFor({ state: 'visible', timeout: 3_000 });
    await expect.poll(() => badgeText(alice), { timeout: 3_000 }).toBe('mute');

    const popup = await openPopup(alice);
    const popupMute = popup.getByRole('button', { name: 'Mute microphone', exact: true });
    await popupMute.waitFor({ timeout: 3_000 });
    expect(await popupMute.getAttribute('aria-pressed')).toBe('true');
    // Restarted again soon after, the call page waits longer before reconnecting (it backs off) than
    // the popup: the popup's request reaches a background that does not know the call yet.
    const again = await restartBackground(alice, alicePage);
    // The person clicks at once, while the background is still coming back.
    await popupMute.click();
    await micOffAtBob().waitFor({ state: 'detached', timeout: 5_000 });
    await expect.poll(() => popupMute.getAttribute('aria-pressed'), { timeout: 3_000 }).toBe('false');
    await expect.poll(() => badgeText(alice), { timeout: 3_000 }).toBe('live');
    expect(await again()).toBe(true);
    expect(await mute().getAttribute('aria-pressed')).toBe('false');
    await popup.close();
  });

  it('offers Return to call, Mute microphone and Leave call in the popup during the call, and they work', async () => {
    const popup = await openPopup(alice);
    const popupMute = popup.getByRole('button', { name: 'Mute microphone', exact: true });
    await popupMute.waitFor({ timeout: 3_000 });
    expect(await popupMute.getAttribute('aria-pressed')).toBe('false');

    await popupMute.click();
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await expect.poll(() => popupMute.getAttribute('aria-pressed'), { timeout: 2_000 }).toBe('true');
    await expect.poll(() => badgeText(alice), { timeout: 2_000 }).toBe('mute');
    await popupMute.click();
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });
    await expect.poll(() => popupMute.getAttribute('aria-pressed'), { timeout: 2_000 }).toBe('false');

    // The popup stands in for the toolbar here, as a tab in front of the call's.
    // Only the tab: with a second window focused, the browser's last-focused window
    // did not follow windows.update in headless Chromium here, so the window half is unchecked.
    const callTab = await tabOf(alicePage);
    expect(await activeTab(alice)).not.toBe(callTab);
    // It closes the popup once the tab is in front, which may be before the click returns.
    await clickClosing(popup, 'Return to call');
    await expect.poll(() => activeTab(alice), { timeout: 3_000 }).toBe(callTab);
    if (!popup.isClosed()) await popup.close();

    const again = await openPopup(alice);
    await again.getByRole('button', { name: 'Leave call', exact: true }).click();
    await aliceAtBob().waitFor({ state: 'detached', timeout: 3_000 });
    await expect.poll(() => badgeText(alice), { timeout: 2_000 }).toBe('');
    // With no call left, the usual popup.
    await again.getByRole('button', { name: 'Return to call', exact: true }).waitFor({ state: 'detached', timeout: 2_000 });
    expect(await again.getByRole('button', { name: 'Mute microphone', exact: true }).count()).toBe(0);
    expect(await again.getByRole('button', { name: 'Start a call', exact: true }).count()).toBe(1);
    await again.close();
  });

  it('acts on the latest of two calls, falls back to the other when its tab closes, and clears the badge with the last', async () => {
    await alicePage.reload(); // back into the call with Bob
    await aliceAtBob().waitFor({ timeout: 10_000 });
    const second = await startCall(alice); // a call of her own, started later
    await second.getByRole('status').filter({ hasText: 'Waiting for others' }).waitFor({ timeout: 5_000 });
    const secondMute = second.getByRole('button', { name: 'Mute microphone', exact: true });

    await fireCommand(alice, 'toggle-microphone');
    await expect.poll(() => secondMute.getAttribute('aria-pressed'), { timeout: 2_000 }).toBe('true');
    await expect.poll(() => badgeText(alice), { timeout: 2_000 }).toBe('mute');
    expect(await mute().getAttribute('aria-pressed')).toBe('false');
    expect(await micOffAtBob().count()).toBe(0);

    await second.close();
    await expect.poll(() => badgeText(alice), { timeout: 2_000 }).toBe('live');
    await fireCommand(alice, 'toggle-microphone');
    await micOffAtBob().waitFor({ state: 'visible', timeout: 2_000 });
    await fireCommand(alice, 'toggle-microphone');
    await micOffAtBob().waitFor({ state: 'detached', timeout: 2_000 });

    await alicePage.close();
    await expect.poll(() => badgeText(alice), { timeout: 2_000 }).toBe('');
  });

  it('does nothing on a browser shortcut with no call, and says so on the badge for a moment', async () => {
    await fireCommand(alice, 'toggle-microphone');
    await expect.poll(() => badgeText(alice), { timeout: 1_000 }).toBe('none');
    await expect.poll(() => badgeText(alice), { timeout: 5_000 }).toBe('');
  });

  // Last: it reloads Zing in Alice's browser.
  it('holds an update of Zing while a call page, the popup or the options are open, the call going on, and applies it once the last closes', async () => {
    const page = await openCallPage(alice, await callLinkOf(bobPage));
    await Promise.all([videoFrames(page, 'Bob'), videoFrames(bobPage, 'Alice')]);
    // A reload would close these under the person, with whatever they were typing.
    const popup = await openPopup(alice);
    const options = await alice.context.newPage();
    await options.goto(alice.url(OPTIONS_PATH));
    const reloaded = await updateArrives(alice);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stillOpen(page, popup, options)).toEqual([true, true, true]);
    await videoFrames(page, 'Bob');

    await page.close();
    await aliceAtBob().waitFor({ state: 'detached', timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // past the look a closing page triggers
    expect(stillOpen(popup, options)).toEqual([true, true]);
    await popup.close();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(stillOpen(options)).toEqual([true]);
    await options.close();
    await reloaded('the options page, the last page of Zing, closing');
  });
});

describe('an update while a call page waits at its gate', () => {
  let relay: Relay;
  let carol: Person;

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    carol = await launchPerson({ name: 'Carol', relayUrl: relay.url });
  });

  afterAll(async () => {
    await carol?.close();
    await relay?.close();
  });

  // A gate never joined, so no port of its ends when it closes: only the tab closing can say so.
  it('applies it once that tab is closed, not at the next time Zing wakes', async () => {
    await waitForShareLinkRedirect(carol, relay.url);
    const gate = await carol.context.newPage();
    await gate.goto(await newCallLink(relay.url));
    await gate.getByRole('button', { name: 'Join call', exact: true }).waitFor({ timeout: 10_000 });
    const reloaded = await updateArrives(carol);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(stillOpen(gate)).toEqual([true]); // an open call page holds the update, even one at its gate

    await gate.close();
    await reloaded('the gate closing');
  });
});
