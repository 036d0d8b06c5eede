// Links that open the call. People get share links in web chat and web mail
// and click them: from a page of another origin, in the same tab, in a new tab
// (target=_blank) or with a middle click. Each lands in Zing's flow, never on
// an error page, with the key intact and the relay never asked for the page.
// Any page can send a browser to a share link, so a call opened by navigation
// stops at the pre-join gate: until `Join call` is pressed there is no relay
// socket, no camera or microphone, and nobody in the call sees the person.
// Only Zing's own UI (Start a call, the popup's Join) goes straight in.
import type { IncomingMessage } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import {
  callLinkOf,
  clickClosing,
  dynamicCallPageUrl,
  launchPerson,
  mostTilesWhile,
  openCallPage,
  openPopup,
  startCall,
  videoFrames,
  waitForShareLinkRedirect,
  type Person,
} from '../support/browser.ts';
import { newSecret } from '../../extension/session/room-key.ts';
import { seriousViolations } from '../support/axe.ts';
import { askedFor, reached, watchedFromStart, watchReach } from '../support/reach-watch.ts';
import { NEW_TAB_LINK, SAME_TAB_LINK, newCallLink, startLinkSite, type LinkSite } from '../support/links.ts';

/**
 * How long a test watches a gated page for a join that must not happen. The
 * call page used to join within about 300 ms of opening; three times that,
 * silent, shows the gate holding.
 */
const UNSEEN_MS = 1_000;

/** The call page's address in the popup's shape (#<encoded link>), at `base`, with an optional query. */
const callPageAt = (base: string, link: string, query = '') => `${base}${query}#${encodeURIComponent(link)}`;

/** How the relay's request log marks a WebSocket upgrade. */
const UPGRADE = 'UPGRADE ';

interface Call {
  hostPage: Page;
  link: string;
  room: string;
  key: string;
  /** The relay's request log up to the host's join. */
  requestsBefore: number;
}

describe('share links opened in a browser', () => {
  let relay: Relay;
  let site: LinkSite;
  const requests: string[] = [];
  const people: Person[] = [];
  let host: Person;
  let visitor: Person;
  const opened: Page[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    const record = (kind: string) => (req: IncomingMessage) =>
      requests.push(`${kind}${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    relay.server.on('request', record(''));
    relay.server.on('upgrade', record(UPGRADE));
    site = await startLinkSite();
    [host, visitor] = await Promise.all([
      launchPerson({ name: 'Host', relayUrl: relay.url }),
      launchPerson({ name: 'Visitor', relayUrl: relay.url }),
    ]);
    people.push(host, visitor);
    await watchReach(visitor.context);
    await waitForShareLinkRedirect(visitor, relay.url);
  });

  // Each test opens its own call; closing its pages hangs them up.
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await site?.close();
    await relay?.close();
  });

  /** A call the host started from the popup, and its link; the host is in the room. */
  async function hostCall(): Promise<Call> {
    const hostPage = await startCall(host);
    opened.push(hostPage);
    const link = await callLinkOf(hostPage);
    const url = new URL(link);
    const room = url.pathname.slice('/r/'.length);
    await expect.poll(() => relay.rooms.peersIn(room).length).toBe(1);
    return { hostPage, link, room, key: url.hash.slice(1), requestsBefore: requests.length };
  }

  /** A tab of `person` on the other-origin site, showing a chat message with the call's link. */
  async function chatWithLink(person: Person, link: string): Promise<Page> {
    const page = await person.context.newPage();
    opened.push(page);
    await page.goto(site.pageWithLink(link));
    return page;
  }

  /** Runs `click` and returns the tab it opens, brought to the front as a person would switch to it. */
  async function newTabFrom(person: Person, click: () => Promise<void>): Promise<Page> {
    const [page] = await Promise.all([person.context.waitForEvent('page', { timeout: 10_000 }), click()]);
    opened.push(page);
    await page.waitForLoadState('domcontentloaded');
    await page.bringToFront();
    return page;
  }

  /**
   * After a while, nobody in the call has seen `name` and the page has opened no
   * device and no socket. With `quietSinceHost`, the relay also had no socket
   * opened since the host joined: the only word there is for a tab whose start
   * the page-side watch missed (a middle-clicked link's background tab, which
   * the browser opens before the driver has it), where devices go unchecked.
   */
  async function expectUnseen(
    page: Pick<Page, 'evaluate' | 'waitForTimeout'>,
    call: Call,
    name: string,
    quietSinceHost = false,
  ): Promise<void> {
    await page.waitForTimeout(UNSEEN_MS); // absence cannot be waited for: watch for a while
    expect(relay.rooms.peersIn(call.room)).toHaveLength(1); // the host alone
    expect(await call.hostPage.getByRole('group', { name, exact: true }).count()).toBe(0);
    if (quietSinceHost) expect(requests.slice(call.requestsBefore).filter((r) => r.startsWith(UPGRADE))).toEqual([]);
    if (quietSinceHost && !(await watchedFromStart(page))) {
      console.log(`links e2e: the reach watch missed this tab's start (${name}): only the relay vouches it stayed quiet`);
      return;
    }
    expect(await askedFor(page)).toEqual([]);
    expect(await reached(page)).toBe(0); // not even a socket to the relay: nothing leaves the page
  }

  /**
   * The page is Zing's call page at the gate, with the link's key, and stays
   * unseen; `Join call` then joins and both sides decode each other's video.
   */
  async function gateThenJoin(page: Page, call: Call, name = 'Visitor'): Promise<void> {
    const join = page.getByRole('button', { name: 'Join call', exact: true });
    await join.waitFor({ timeout: 10_000 });
    expect(page.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/extension\/call\/index\.html\?/);
    expect(page.url()).toContain(`#${call.key}`);
    expect(await page.getByText('This call runs through your relay', { exact: false }).count()).toBe(1);
    // The full pre-join page, with the camera preview waiting for the person's own click.
    expect(await page.getByRole('textbox', { name: 'Your name', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Show preview', exact: true }).count()).toBe(1);
    await expectUnseen(page, call, name, true);
    await join.click();
    await Promise.all([videoFrames(page, 'Host'), videoFrames(call.hostPage, name)]);
    expect(relay.rooms.peersIn(call.room)).toHaveLength(2);
    expect(requests.slice(call.requestsBefore).filter((r) => r.startsWith(UPGRADE))).toHaveLength(1); // the log sees a join's socket
    expect((await askedFor(page, true)).length).toBeGreaterThan(0);
    // Redirected inside the browser: the relay was never asked for the room's page.
    expect(requests.filter((r) => r.includes(call.room))).toEqual([]);
  }

  it('lands a link clicked on another site, in the same tab, on the gate, unseen, and joins on Join call', async () => {
    const call = await hostCall();
    const chat = await chatWithLink(visitor, call.link);
    await chat.getByRole('link', { name: SAME_TAB_LINK, exact: true }).click();
    await gateThenJoin(chat, call);
  });

  it('lands a target=_blank link from another site in a new tab on the gate, and joins on Join call', async () => {
    const call = await hostCall();
    const chat = await chatWithLink(visitor, call.link);
    const tab = await newTabFrom(visitor, () => chat.getByRole('link', { name: NEW_TAB_LINK, exact: true }).click());
    await gateThenJoin(tab, call);
    expect(chat.url()).toMatch(/^http:\/\/localhost:/); // the chat stays where it was
  });

  it('lands a middle-clicked link from another site in a background tab on the gate, and joins on Join call', async () => {
    const call = await hostCall();
    const chat = await chatWithLink(visitor, call.link);
    const tab = await newTabFrom(visitor, () => chat.getByRole('link', { name: SAME_TAB_LINK, exact: true }).click({ button: 'middle' }));
    await gateThenJoin(tab, call);
  });

  it('tells a person already in the call who clicks its link again, takes them to it, and moves it on Join call: never two of them', async () => {
    const call = await hostCall();
    const first = await openCallPage(visitor, call.link);
    opened.push(first);
    await videoFrames(call.hostPage, 'Visitor');
    // Back in the chat where the link was shared, they click it again: a new tab, on the gate.
    const chat = await chatWithLink(visitor, call.link);
    const tab = await newTabFrom(visitor, () => chat.getByRole('link', { name: NEW_TAB_LINK, exact: true }).click());
    await tab
      .getByText('You are already in this call in another tab. Joining here ends it there.', { exact: true })
      .waitFor({ timeout: 5_000 });
    expect(await seriousViolations(tab, 'main')).toEqual([]);

    // Go to the call: the browser's front tab is the call's again (asked of the browser, not of Playwright).
    await tab.getByRole('button', { name: 'Go to the call', exact: true }).click();
    const frontTab = () =>
      tab.evaluate(async () => {
        const tabs = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ url?: string }[]> } } }).chrome.tabs;
        return (await tabs.query({ active: true, lastFocusedWindow: true }))[0]?.url;
      });
    await expect.poll(frontTab, { timeout: 3_000 }).toBe(first.url());

    // They come back to this tab and join here after all: the call moves; the host never sees them twice.
    await tab.bringToFront();
    const visitorTile = await hostTile(call, 'Visitor');
    await expectOneWhile(call, 'Visitor', async () => {
      // Impatient, they double-click: the second click, while the call moves, is not a second join.
      await tab.getByRole('button', { name: 'Join call', exact: true }).dblclick();
      await first.getByText('This call moved to another tab.', { exact: true }).waitFor({ timeout: 3_000 });
      await Promise.all([videoFrames(tab, 'Host'), newTileDecodes(call, 'Visitor', visitorTile)]);
    });
    expect(await tab.getByRole('group', { name: 'Visitor', exact: true }).count()).toBe(0); // no echo of themselves

    // The old tab says where the call went (not that they left it), and its Go to the call takes them there.
    await first.bringToFront();
    expect(await first.getByRole('status').textContent()).toBe('The call moved to another tab');
    expect(await seriousViolations(first, 'main')).toEqual([]);
    await first.getByRole('button', { name: 'Go to the call', exact: true }).click();
    await expect.poll(frontTab, { timeout: 3_000 }).toBe(tab.url());

    // Later they paste the same link into the popup and press Join: it takes them back to that tab, which
    // stays in the call; no second call page opens.
    await first.bringToFront();
    const callPages = () => visitor.context.pages().filter((p) => p.url().includes('/extension/call/')).length;
    const pagesBefore = callPages();
    await expectOneWhile(call, 'Visitor', async () => {
      const popup = await openPopup(visitor);
      await popup.getByRole('button', { name: 'Return to call', exact: true }).waitFor({ timeout: 5_000 });
      await popup.getByRole('textbox', { name: 'Call link', exact: true }).fill(call.link);
      await clickClosing(popup, 'Join');
      await expect.poll(frontTab, { timeout: 3_000 }).toBe(tab.url());
      await new Promise((r) => setTimeout(r, UNSEEN_MS)); // a second page, had one opened, would have joined by now
    });
    expect(callPages()).toBe(pagesBefore);
    expect((await videoFrames(tab, 'Host')).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(relay.rooms.peersIn(call.room)).toHaveLength(2);

    // They close that tab, and press Go to the call in the old one: no tab has the call, so it is taken up there.
    const lastTile = await hostTile(call, 'Visitor');
    await tab.close();
    await first.bringToFront();
    await first.getByRole('button', { name: 'Go to the call', exact: true }).click();
    await Promise.all([videoFrames(first, 'Host'), newTileDecodes(call, 'Visitor', lastTile)]);
  });

  it('refuses a link to the call’s room with another key on the gate, and the call it names goes on', async () => {
    const call = await hostCall();
    const first = await openCallPage(visitor, call.link);
    opened.push(first);
    await videoFrames(call.hostPage, 'Visitor');
    /** The call in the first tab goes on: both sides still decode each other, nobody left or moved. */
    const callGoesOn = async () => {
      expect(await first.getByText('This call moved to another tab.', { exact: true }).count()).toBe(0);
      expect(await first.getByRole('status').textContent()).toBe('Connected');
      await Promise.all([videoFrames(first, 'Host'), videoFrames(call.hostPage, 'Visitor')]);
      expect(relay.rooms.peersIn(call.room)).toHaveLength(2);
      expect(await call.hostPage.getByRole('group', { name: 'Visitor', exact: true }).count()).toBe(1);
    };
    // A damaged copy of the link, or a site that knows the room id: the call's room, another well-formed key.
    const changed = `${relay.url}/r/${call.room}#${newSecret()}`;
    const chat = await chatWithLink(visitor, changed);
    const tab = await newTabFrom(visitor, () => chat.getByRole('link', { name: NEW_TAB_LINK, exact: true }).click());
    const join = tab.getByRole('button', { name: 'Join call', exact: true });
    const alert = tab.getByRole('alert');
    await join.or(alert).first().waitFor({ timeout: 10_000 });
    // A person presses Join call wherever the page offers it: once, that ended the call in the first tab.
    if ((await join.count()) > 0) await join.click();
    await tab.waitForTimeout(UNSEEN_MS); // a call moving here would have ended there by now
    await callGoesOn();
    expect(await alert.textContent()).toBe(
      'This call link is not valid. Its key does not belong to its room: part of the link was changed. Ask for it again.',
    );
    expect(await join.count()).toBe(0);
    expect(await tab.getByText('You are already in this call', { exact: false }).count()).toBe(0);

    // The same link pasted into the popup: refused there too, in words; no call page opens.
    const callPages = () => visitor.context.pages().filter((p) => p.url().includes('/extension/call/')).length;
    const pagesBefore = callPages();
    const popup = await openPopup(visitor);
    opened.push(popup);
    await popup.getByRole('textbox', { name: 'Call link', exact: true }).fill(changed);
    await popup.getByRole('button', { name: 'Join', exact: true }).click();
    await popup.getByRole('alert').getByText('Its key does not belong to its room', { exact: false }).waitFor({ timeout: 5_000 });
    expect(callPages()).toBe(pagesBefore);
    await callGoesOn();
  });

  /**
   * The host's tile for `name` now. After a move, the one that proves the
   * move is a new tile (same name, another participant): `newTileDecodes`
   * waits for this one to go and the host to decode its successor.
   */
  const hostTile = (call: Call, name: string) => call.hostPage.getByRole('group', { name, exact: true }).elementHandle({ timeout: 5_000 });

  async function newTileDecodes(call: Call, name: string, old: Awaited<ReturnType<typeof hostTile>>): Promise<void> {
    await expect.poll(() => old.evaluate((el) => el.isConnected), { timeout: 5_000 }).toBe(false);
    await videoFrames(call.hostPage, name);
  }

  /** Runs `moves` while counting the host's tiles named `name` every 25 ms: never two, and one at the end. */
  async function expectOneWhile(call: Call, name: string, moves: () => Promise<void>): Promise<void> {
    expect(await mostTilesWhile(call.hostPage, name, moves)).toBe(1);
    expect(await call.hostPage.getByRole('group', { name, exact: true }).count()).toBe(1);
  }

  it('lands a link typed into the address bar on the gate, and joins on Join call', async () => {
    const call = await hostCall();
    const page = await visitor.context.newPage();
    opened.push(page);
    // page.goto is what typing into the address bar does: a navigation without an initiator.
    await page.goto(call.link);
    await gateThenJoin(page, call);
  });

  it('gives a browser without Zing that clicks the link the gate, then the call, and the relay never sees the key', async () => {
    const guest = await launchPerson({ name: 'Guest', relayUrl: relay.url, extension: false });
    people.push(guest);
    await watchReach(guest.context);
    // No STUN for the guest either: tests send nothing off this machine.
    await guest.context.addInitScript(() => localStorage.setItem('zing:settings', JSON.stringify({ iceServers: [] })));
    const call = await hostCall();
    const page = await chatWithLink(guest, call.link);
    await page.getByRole('link', { name: SAME_TAB_LINK, exact: true }).click();
    await page.getByText(`This call runs through ${relay.url}.`, { exact: true }).waitFor({ timeout: 10_000 });
    expect(page.url()).toBe(call.link);
    await expectUnseen(page, call, 'Guest');
    await page.getByRole('button', { name: 'Join call', exact: true }).click();
    await page.getByRole('textbox', { name: 'Call link', exact: true }).waitFor();
    expect(await callLinkOf(page)).toBe(call.link);
    const guestName = await page.getByRole('group', { name: /\(you\)$/ }).getAttribute('aria-label');
    expect(guestName).toMatch(/^Guest \d{4} \(you\)$/);
    await Promise.all([videoFrames(page, 'Host'), videoFrames(call.hostPage, guestName!.replace(' (you)', ''))]);
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await call.hostPage.getByText('Microphone off', { exact: true }).waitFor({ timeout: 1_000 });
    // Background blur runs on the guest page too, under its CSP: MediaPipe's script, model and
    // WebAssembly all come from the relay's own /_zing/assets/, and nothing is refused.
    await page.evaluate(() => {
      const g = globalThis as { __zingCspViolations?: string[] };
      g.__zingCspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => g.__zingCspViolations?.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Settings', exact: true })
      .getByRole('checkbox', { name: 'Blur background', exact: true })
      .check();
    await page.keyboard.press('Escape');
    const ownVideo = page.getByRole('group', { name: guestName!, exact: true }).locator('video'); // guestName matched above
    // While the blur runs, the own tile shows what is sent: the composited canvas's track.
    await expect
      .poll(
        () => ownVideo.evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.constructor.name),
        {
          timeout: 20_000,
        },
      )
      .toBe('CanvasCaptureMediaStreamTrack');
    expect(await page.evaluate(() => (globalThis as { __zingCspViolations?: string[] }).__zingCspViolations)).toEqual([]);
    expect(requests.some((r) => /GET \/_zing\/assets\/selfie_segmentation_landscape-[^ ]+\.tflite/.test(r))).toBe(true);
    expect((await videoFrames(call.hostPage, guestName!.replace(' (you)', ''))).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(requests.some((r) => r.includes(`GET /r/${call.room}`))).toBe(true); // the guest page came from the relay
    expect(requests.filter((r) => r.includes(call.key))).toEqual([]);

    // The guest clicks the link again (a new tab): told so there (no Go to the call: a web page cannot
    // switch tabs), and Join call moves the call; the host never sees them twice.
    const chat = await chatWithLink(guest, call.link);
    const again = await newTabFrom(guest, () => chat.getByRole('link', { name: NEW_TAB_LINK, exact: true }).click());
    await again
      .getByText('You are already in this call in another tab. Joining here ends it there.', { exact: true })
      .waitFor({ timeout: 10_000 });
    expect(await again.getByRole('button', { name: 'Go to the call', exact: true }).count()).toBe(0);
    const guestTile = await hostTile(call, guestName!.replace(' (you)', ''));
    await expectOneWhile(call, guestName!.replace(' (you)', ''), async () => {
      await again.getByRole('button', { name: 'Join call', exact: true }).click();
      await page.getByText('This call moved to another tab.', { exact: true }).waitFor({ timeout: 3_000 });
      await Promise.all([videoFrames(again, 'Host'), newTileDecodes(call, guestName!.replace(' (you)', ''), guestTile)]);
    });
    // The old tab can only say so: a web page cannot bring another tab forward.
    await page.getByRole('button', { name: 'Rejoin', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Go to the call', exact: true }).count()).toBe(0);
  });

  it('lets no page of another origin join anyone, whatever it navigates to', async () => {
    const call = await hostCall();
    const staticUrl = visitor.url('extension/call/index.html');
    const dynamicUrl = await dynamicCallPageUrl(visitor);
    expect(dynamicUrl).not.toBe(staticUrl);
    const forged = '?t=AAAAAAAAAAAAAAAAAAAAAA'; // the right shape, never granted
    const navigateFromSite = async (target: string) => {
      const page = await chatWithLink(visitor, call.link);
      await page.evaluate((url) => {
        location.href = url;
      }, target);
      await page.waitForURL((u) => !u.href.startsWith(site.origin), { timeout: 10_000 });
      await page.waitForLoadState('domcontentloaded');
      return page;
    };

    // The fixed-id address of the call page is refused outright, in the popup's shape, with or without a token.
    for (const target of [callPageAt(staticUrl, call.link), callPageAt(staticUrl, call.link, forged)]) {
      const page = await navigateFromSite(target);
      expect(page.url()).toMatch(/^chrome-error:/);
    }
    // The session's dynamic address (were a site ever to learn it) with a forged token, and the share
    // link itself opened by script without any click: both stop at the gate.
    for (const target of [callPageAt(dynamicUrl, call.link, forged), call.link]) {
      const page = await navigateFromSite(target);
      await page.getByRole('button', { name: 'Join call', exact: true }).waitFor({ timeout: 10_000 });
      await expectUnseen(page, call, 'Visitor');
    }
  });

  it('refuses to run the call page inside another site’s frame', async () => {
    const call = await hostCall();
    const page = await chatWithLink(visitor, call.link);
    const src = callPageAt(await dynamicCallPageUrl(visitor), call.link);
    await page.evaluate((url) => {
      const frame = document.createElement('iframe');
      frame.src = url;
      document.body.append(frame);
    }, src);
    const frame = page.frameLocator('iframe');
    await frame.getByRole('alert').getByText('Zing calls open in a tab of their own', { exact: false }).waitFor({ timeout: 10_000 });
    expect(await frame.getByRole('button', { name: 'Join call', exact: true }).count()).toBe(0);
    const inner = page.frames().find((f) => f.url().startsWith('chrome-extension://'));
    expect(inner).toBeDefined();
    await expectUnseen(inner!, call, 'Visitor');
  });

  it('keeps a call page opened without Zing’s own token at the gate: no token, a forged one, a used one', async () => {
    const call = await hostCall();
    const base = visitor.url('extension/call/index.html');
    for (const query of ['', '?t=AAAAAAAAAAAAAAAAAAAAAA', '?t=not-a-token']) {
      const page = await visitor.context.newPage();
      opened.push(page);
      await page.goto(callPageAt(base, call.link, query)); // typed into the address bar
      await page.getByRole('button', { name: 'Join call', exact: true }).waitFor({ timeout: 10_000 });
      await expectUnseen(page, call, 'Visitor');
    }
    // A real token works once: the popup's Join goes straight in, and its URL opened again stops at the gate.
    const joined = await openCallPage(visitor, call.link);
    await videoFrames(call.hostPage, 'Visitor');
    await joined.close();
    await call.hostPage.getByRole('group', { name: 'Visitor', exact: true }).waitFor({ state: 'detached', timeout: 3_000 });
    const again = await visitor.context.newPage();
    opened.push(again);
    await again.goto(joined.url());
    expect(new URL(again.url()).searchParams.get('t')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await again.getByRole('button', { name: 'Join call', exact: true }).waitFor({ timeout: 10_000 });
    await expectUnseen(again, call, 'Visitor');
  });

  it('names a relay other than one’s own and joins it only on the click', async () => {
    const other = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    try {
      // Whoever sent the link chose this relay: before the click it must not even learn that someone opened it.
      const upgrades: string[] = [];
      other.server.on('upgrade', (req: IncomingMessage) => upgrades.push(String(req.headers.origin)));
      const link = await newCallLink(other.url);
      const room = new URL(link).pathname.slice('/r/'.length);
      const hostPage = await openCallPage(host, link); // the host chose that relay's call in the popup
      opened.push(hostPage);
      const page = await visitor.context.newPage();
      opened.push(page);
      await page.goto(callPageAt(visitor.url('extension/call/index.html'), link));
      await page.getByText(`This call runs through ${other.url}, not your usual relay.`, { exact: true }).waitFor({ timeout: 10_000 });
      await page.waitForTimeout(UNSEEN_MS);
      expect(other.rooms.peersIn(room)).toHaveLength(1);
      expect(upgrades).toHaveLength(1); // the host's socket only
      expect(await hostPage.getByRole('group', { name: 'Visitor', exact: true }).count()).toBe(0);
      expect(await askedFor(page)).toEqual([]);
      expect(await reached(page)).toBe(0);
      await page.getByRole('button', { name: 'Join call', exact: true }).click();
      await Promise.all([videoFrames(page, 'Host'), videoFrames(hostPage, 'Visitor')]);
      expect(other.rooms.peersIn(room)).toHaveLength(2);
      expect(upgrades).toHaveLength(2);
    } finally {
      await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
      await other.close();
    }
  });
});
