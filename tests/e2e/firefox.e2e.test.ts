// A call across browsers: a Chromium user starts a call, a Firefox user opens
// its link, each decodes the other's video, and a mute in Firefox shows in
// Chromium. Firefox (Debian's firefox-esr) is driven over raw WebDriver BiDi.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, launchPerson, startCall, videoFrames, type Person } from '../support/browser.ts';
import {
  attribute,
  click,
  firefoxVideoFrames,
  launchFirefox,
  openFirefoxCallPage,
  waitForOne,
  type FirefoxPerson,
} from '../support/firefox.ts';

describe('a call between Chromium and Firefox', () => {
  let relay: Relay;
  let chromium: Person;
  let firefox: FirefoxPerson;
  let chromiumPage: Page;

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    // Both browsers start at once; either failing still leaves the other to afterAll.
    const [c, f] = await Promise.allSettled([
      launchPerson({ name: 'Chrome Carol', relayUrl: relay.url }),
      launchFirefox({ name: 'Firefox Fiona', relayUrl: relay.url }),
    ]);
    if (c.status === 'fulfilled') chromium = c.value;
    if (f.status === 'fulfilled') firefox = f.value;
    if (c.status === 'rejected') throw c.reason;
    if (f.status === 'rejected') throw f.reason;
  });

  afterAll(async () => {
    await Promise.all([chromium?.close(), firefox?.close()]);
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

  it('shows a mute in Firefox on the Chromium side within a second', async () => {
    const fionaAtCarol = chromiumPage.getByRole('group', { name: 'Firefox Fiona', exact: true });
    expect(await fionaAtCarol.getByText('Microphone off', { exact: true }).count()).toBe(0);
    const mute = await waitForOne(firefox.bidi, firefox.context, 'button', 'Mute microphone', 5_000);
    await click(firefox.bidi, firefox.context, mute);
    expect(await attribute(firefox, mute, 'aria-pressed')).toBe('true');
    await fionaAtCarol.getByText('Microphone off', { exact: true }).waitFor({ state: 'visible', timeout: 1_000 });
  });
});
