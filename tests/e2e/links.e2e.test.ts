// Links that open the call. Any page can send a browser to a share link, so a
// call opened by navigation stops at the pre-join gate: until `Join call` is
// pressed there is no relay socket, no camera or microphone, and nobody in the
// call sees the person. Only Zing's own UI (Start a call, the popup's Join)
// goes straight in. The key stays in the fragment and never reaches the relay.
import type { IncomingMessage } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, launchPerson, openCallPage, startCall, videoFrames, type Person } from '../support/browser.ts';
import { newCallLink } from '../support/links.ts';

/**
 * How long a test watches a gated page for a join that must not happen. The
 * call page used to join within about 300 ms of opening; three times that,
 * silent, shows the gate holding.
 */
const UNSEEN_MS = 1_000;

/** Counts getUserMedia calls in every page of a browser, extension pages included. */
async function watchGetUserMedia(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const media = navigator.mediaDevices;
    const g = globalThis as { __zingGetUserMedia?: number };
    g.__zingGetUserMedia = 0;
    if (!media) return;
    const real = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => {
      g.__zingGetUserMedia = (g.__zingGetUserMedia ?? 0) + 1;
      return real(constraints);
    };
  });
}
const getUserMediaCalls = (page: Page) => page.evaluate(() => (globalThis as { __zingGetUserMedia?: number }).__zingGetUserMedia ?? 0);

const callPageUrl = (person: Person, link: string, query = '') =>
  `${person.url('extension/call/index.html')}${query}#${encodeURIComponent(link)}`;

describe('share links opened in a browser', () => {
  let relay: Relay;
  const requests: string[] = [];
  const people: Person[] = [];
  let host: Person;
  let visitor: Person;
  const opened: Page[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    const record = (req: IncomingMessage) => requests.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    relay.server.on('request', record);
    relay.server.on('upgrade', record);
    [host, visitor] = await Promise.all([
      launchPerson({ name: 'Host', relayUrl: relay.url }),
      launchPerson({ name: 'Visitor', relayUrl: relay.url }),
    ]);
    people.push(host, visitor);
    await watchGetUserMedia(visitor.context);
  });

  // Each test opens its own call; closing its pages hangs them up.
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await relay?.close();
  });

  /** A call the host started from the popup, and its link. */
  async function hostCall(): Promise<{ hostPage: Page; link: string; room: string }> {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const link = await callLinkOf(hostPage);
    return { hostPage, link, room: new URL(link).pathname.slice('/r/'.length) };
  }

  /** The page shows the gate, and after a while nobody in the call has seen `name`, nor has the page opened a device. */
  async function expectUnseen(page: Page, call: { hostPage: Page; room: string }, name: string): Promise<void> {
    await page.getByRole('button', { name: 'Join call', exact: true }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(UNSEEN_MS); // absence cannot be waited for: watch for a while
    expect(relay.rooms.peersIn(call.room)).toHaveLength(1); // the host alone
    expect(await call.hostPage.getByRole('group', { name, exact: true }).count()).toBe(0);
    expect(await getUserMediaCalls(page)).toBe(0);
  }

  /** `Join call` pressed: both sides decode the other's video. */
  async function joinAndSee(page: Page, call: { hostPage: Page; room: string }, name: string): Promise<void> {
    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await Promise.all([videoFrames(page, 'Host'), videoFrames(call.hostPage, name)]);
    expect(relay.rooms.peersIn(call.room)).toHaveLength(2);
  }

  it('stops a link typed into the address bar at the gate, unseen, and joins on Join call', async () => {
    const call = await hostCall();
    const page = await visitor.context.newPage();
    opened.push(page);
    // page.goto is what typing into the address bar does: a navigation without an initiator.
    // The background installs its redirect rule when it starts; a fresh profile may need a moment.
    await expect
      .poll(
        async () => {
          await page.goto(call.link);
          return page.url();
        },
        { timeout: 10_000 },
      )
      .toMatch(/^chrome-extension:\/\//);
    expect(page.url()).toContain(`#${new URL(call.link).hash.slice(1)}`);
    expect(await page.getByText('This call runs through your relay', { exact: false }).count()).toBe(1);
    await expectUnseen(page, call, 'Visitor');
    await joinAndSee(page, call, 'Visitor');
    expect(await getUserMediaCalls(page)).toBeGreaterThan(0);
    expect(requests.filter((r) => r.includes(call.room))).toEqual([]); // the redirect happened before any request
  });

  it('gives a browser without Zing the gate, then the call, and the relay never sees the key', async () => {
    const guest = await launchPerson({ name: 'Guest', relayUrl: relay.url, extension: false });
    people.push(guest);
    await watchGetUserMedia(guest.context);
    const call = await hostCall();
    const key = new URL(call.link).hash.slice(1);
    const page = await guest.context.newPage();
    opened.push(page);
    // No STUN for the guest either: tests send nothing off this machine.
    await page.addInitScript(() => localStorage.setItem('zing:settings', JSON.stringify({ iceServers: [] })));
    await page.goto(call.link);
    const relayName = new URL(relay.url).origin;
    await page.getByText(`This call runs through ${relayName}.`, { exact: true }).waitFor({ timeout: 10_000 });
    await expectUnseen(page, call, 'Guest');
    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await page.getByRole('textbox', { name: 'Call link', exact: true }).waitFor();
    expect(await callLinkOf(page)).toBe(call.link);
    const guestName = await page.getByRole('group', { name: /\(you\)$/ }).getAttribute('aria-label');
    expect(guestName).toMatch(/^Guest \d{4} \(you\)$/);
    await Promise.all([videoFrames(page, 'Host'), videoFrames(call.hostPage, guestName!.replace(' (you)', ''))]);
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await call.hostPage.getByText('Microphone off', { exact: true }).waitFor({ timeout: 1_000 });
    expect(requests.some((r) => r.includes(`GET /r/${call.room}`))).toBe(true); // the guest page came from the relay
    expect(requests.filter((r) => r.includes(key))).toEqual([]);
  });

  it('keeps a call page opened without Zing’s own token at the gate: no token, a forged one, a used one', async () => {
    const call = await hostCall();
    const forged = 'AAAAAAAAAAAAAAAAAAAAAA'; // the right shape, never granted
    for (const query of ['', `?t=${forged}`, '?t=not-a-token']) {
      const page = await visitor.context.newPage();
      opened.push(page);
      await page.goto(callPageUrl(visitor, call.link, query));
      await expectUnseen(page, call, 'Visitor');
    }
    // A real token works once: the popup's Join goes straight in, and its URL opened again stops at the gate.
    const joined = await openCallPage(visitor, call.link);
    opened.push(joined);
    await videoFrames(call.hostPage, 'Visitor');
    const again = await visitor.context.newPage();
    opened.push(again);
    await joined.close();
    await call.hostPage.getByRole('group', { name: 'Visitor', exact: true }).waitFor({ state: 'detached', timeout: 3_000 });
    await again.goto(joined.url());
    expect(new URL(again.url()).searchParams.get('t')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await expectUnseen(again, call, 'Visitor');
  });

  it('names a relay other than one’s own and joins it only on the click', async () => {
    const other = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    try {
      const link = await newCallLink(other.url);
      const room = new URL(link).pathname.slice('/r/'.length);
      const hostPage = await openCallPage(host, link); // the host chose that relay's call in the popup
      opened.push(hostPage);
      const page = await visitor.context.newPage();
      opened.push(page);
      await page.goto(callPageUrl(visitor, link));
      await page.getByText(`This call runs through ${other.url}, not your usual relay.`, { exact: true }).waitFor({ timeout: 10_000 });
      await page.waitForTimeout(UNSEEN_MS);
      expect(other.rooms.peersIn(room)).toHaveLength(1);
      expect(await hostPage.getByRole('group', { name: 'Visitor', exact: true }).count()).toBe(0);
      expect(await getUserMediaCalls(page)).toBe(0);
      await page.getByRole('button', { name: 'Join call', exact: true }).click();
      await Promise.all([videoFrames(page, 'Host'), videoFrames(hostPage, 'Visitor')]);
      expect(other.rooms.peersIn(room)).toHaveLength(2);
    } finally {
      await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
      await other.close();
    }
  });
});
