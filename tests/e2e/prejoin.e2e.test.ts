// The way into a call as a person sees it: the name they type is their whole
// name (a picked guest name is only the placeholder).
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, joinCall, launchPerson, openPopup, startCall, type Person } from '../support/browser.ts';

describe('the way into a call', () => {
  let relay: Relay;
  let host: Person;
  let nameless: Person;
  const opened: Page[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [host, nameless] = await Promise.all([
      launchPerson({ name: 'Host', relayUrl: relay.url }),
      launchPerson({ name: '', relayUrl: relay.url }),
    ]);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await Promise.all([host?.close(), nameless?.close()]);
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
});
