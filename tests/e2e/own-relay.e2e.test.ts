// A relay of one's own, set in the options page, as README's self-hosting part
// says. The build is granted its own relay's host only (127.0.0.1 in tests);
// the share-link redirect works only for a host the browser lets Zing access,
// and ignores the rule for any other without a word: the link would open the
// relay's own page, whose code can read the key. So the options page asks for
// the relay's host when the person saves it, says so on the page while Zing
// lacks it, and the background keeps the rule to what is granted.
//
// The browser's prompt itself cannot be answered from a test (Playwright has no
// hold of the browser's own dialogs, and Chromium has no switch to accept them).
// The person's "Allow" is given where Chromium takes it outside the prompt: its
// own site-access settings (chrome://extensions, the developerPrivate API its
// page uses). A host allowed there counts as already granted, so the options
// page's permissions.request, from the person's click, is answered `true`
// without a dialog, and only for a host the manifest declares optional.
import type { IncomingMessage } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { launchPerson, updateSettings, waitForShareLinkRedirect, type Person } from '../support/browser.ts';
import {
  type FirefoxPerson,
  click,
  evaluate,
  launchFirefox,
  navigate,
  typeText,
  waitForFirefoxShareLinkRedirect,
  waitForOne,
} from '../support/firefox.ts';
import { seriousViolations } from '../support/axe.ts';
import { SAME_TAB_LINK, newCallLink, startLinkSite, type LinkSite } from '../support/links.ts';

/** The `chrome` of the extension's pages and of chrome://extensions, as far as used here; Node's types do not know it. */
type Chrome = {
  permissions: { contains(p: { origins: string[] }): Promise<boolean>; remove(p: { origins: string[] }): Promise<boolean> };
  declarativeNetRequest: { getSessionRules(): Promise<unknown[]> };
  developerPrivate: {
    addHostPermission(id: string, host: string): Promise<void>;
    removeHostPermission(id: string, host: string): Promise<void>;
  };
};

describe('a relay of one’s own, set in the options page', () => {
  let relay: Relay;
  let site: LinkSite;
  let person: Person;
  /** The relay addressed as `http://localhost:<port>`: a host the build does not grant. */
  let own: string;
  /** The same relay under a name no test has asked for (Chromium resolves *.localhost to this machine). */
  let other: string;
  /** The host permissions the options page asks for: the host, any port. */
  const OWN_HOST = 'http://localhost/*';
  const OTHER_HOST = 'http://relay.localhost/*';
  const requests: string[] = [];
  const opened: Page[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    own = `http://localhost:${relay.port}`;
    other = `http://relay.localhost:${relay.port}`;
    relay.server.on('request', (req: IncomingMessage) => requests.push(`${req.method} ${req.url}`));
    // Another origin than the relay (another port), as a web chat is.
    site = await startLinkSite();
    // Starts on the build's relay, as a new install does; the tests move it in the options page.
    person = await launchPerson({ name: 'Visitor', relayUrl: relay.url });
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
  });

  afterAll(async () => {
    // A pooled browser goes on to the next file: it must not keep the access given here.
    if (person) {
      for (const host of [OWN_HOST, OTHER_HOST]) await inBrowserSettings('removeHostPermission', host).catch(() => undefined);
      const page = await openOptions();
      await page
        .evaluate((origins) => (globalThis as unknown as { chrome: Chrome }).chrome.permissions.remove({ origins }), [OWN_HOST, OTHER_HOST])
        .catch(() => undefined); // a build that declares no optional hosts refuses even the removal
      await person.close();
    }
    await site?.close();
    await relay?.close();
  });

  /** The person's "Allow" (or "Remove") for `host`, in Chromium's own site-access settings. */
  async function inBrowserSettings(action: 'addHostPermission' | 'removeHostPermission', host: string): Promise<void> {
    const page = await person.context.newPage();
    try {
      await page.goto('chrome://extensions');
      await page.evaluate(([action, id, host]) => (globalThis as unknown as { chrome: Chrome }).chrome.developerPrivate[action](id, host), [
        action,
        person.extensionId,
        host,
      ] as const);
    } finally {
      await page.close();
    }
  }

  /** The options page, once it shows the stored relay. */
  async function openOptions(relayShown?: string): Promise<Page> {
    const page = await person.context.newPage();
    opened.push(page);
    await page.goto(person.url('extension/options/index.html'));
    if (relayShown) await expect.poll(() => page.getByLabel('Relay URL', { exact: true }).inputValue()).toBe(relayShown);
    return page;
  }

  const hasAccess = (page: Page, host: string) =>
    page.evaluate((origins) => (globalThis as unknown as { chrome: Chrome }).chrome.permissions.contains({ origins }), [host]);

  async function redirectRules(): Promise<string> {
    const worker = person.context.serviceWorkers()[0] ?? (await person.context.waitForEvent('serviceworker'));
    return worker.evaluate(async () =>
      JSON.stringify(await (globalThis as unknown as { chrome: Chrome }).chrome.declarativeNetRequest.getSessionRules()),
    );
  }

  /** Clicks a share link for `relayUrl` on the chat site, in the same tab; returns that tab and the link's room and key. */
  async function clickLink(relayUrl: string): Promise<{ page: Page; link: string; room: string; key: string }> {
    const link = await newCallLink(relayUrl);
    const page = await person.context.newPage();
    opened.push(page);
    await page.goto(site.pageWithLink(link));
    await page.getByRole('link', { name: SAME_TAB_LINK, exact: true }).click();
    const url = new URL(link);
    return { page, link, room: url.pathname.slice('/r/'.length), key: url.hash.slice(1) };
  }

  /** The link opened Zing's own call page at the gate, with its key, and the relay was never asked for the room's page. */
  async function expectInZing(click: Awaited<ReturnType<typeof clickLink>>, relayUrl: string): Promise<void> {
    const { page, room, key } = click;
    await page.getByRole('button', { name: 'Join call', exact: true }).waitFor({ timeout: 10_000 });
    expect(page.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/extension\/call\/index\.html\?/);
    expect(new URL(page.url()).searchParams.get('o')).toBe(relayUrl);
    expect(page.url()).toContain(`#${key}`);
    expect(await page.getByText('This call runs through your relay', { exact: false }).count()).toBe(1);
    expect(requests.filter((r) => r.includes(room))).toEqual([]);
  }

  it('asks for the relay’s site when it is saved, and once allowed, opens its share links from other sites in Zing', async () => {
    const options = await openOptions(relay.url);
    // The build's own relay needs no asking: no warning on the page.
    expect(await options.getByRole('alert').count()).toBe(0);

    await options.getByLabel('Relay URL', { exact: true }).fill(own);
    await inBrowserSettings('addHostPermission', OWN_HOST); // the person's "Allow" (see the top of the file)
    expect(await hasAccess(options, OWN_HOST)).toBe(false); // not Zing's yet: the page has to ask
    await options.getByRole('button', { name: 'Save', exact: true }).click();
    await options.getByRole('status').getByText('Saved. New calls use these settings.', { exact: true }).waitFor({ timeout: 5_000 });
    await expect.poll(() => hasAccess(options, OWN_HOST), { timeout: 5_000 }).toBe(true);
    expect(await options.getByRole('alert').count()).toBe(0);

    await waitForShareLinkRedirect(person, own);
    await expectInZing(await clickLink(own), own);
  });

  it('warns on the options page while access is taken away, and the links open as the relay’s page, until it is given back', async () => {
    const options = await openOptions(`${own}/`);
    expect(await options.getByRole('alert').count()).toBe(0);

    // The person removes Zing's access to the relay in the browser's settings, with the options page open.
    await inBrowserSettings('removeHostPermission', OWN_HOST);
    const warning = options.getByRole('alert');
    await warning
      .getByText(`Links to localhost:${relay.port} will open as that site’s web page, not in Zing`, { exact: false })
      .waitFor({ timeout: 5_000 });
    expect(await warning.getByRole('button', { name: `Allow access to localhost:${relay.port}`, exact: true }).count()).toBe(1);
    expect(await seriousViolations(options, 'body')).toEqual([]);
    // The background took its rule away (permissions.onRemoved): the browser ignores one for a host Zing cannot access.
    await expect.poll(redirectRules, { timeout: 5_000 }).not.toContain(`o=${encodeURIComponent(own)}&`);
    // What the warning says is what happens: the link opens the relay's own page.
    const unguarded = await clickLink(own);
    await unguarded.page.waitForURL((url) => url.href === unguarded.link, { timeout: 10_000 });
    expect(requests.some((r) => r.includes(unguarded.room))).toBe(true);

    // Allowed again in the browser's settings: the page and the background hear it (permissions.onAdded).
    await inBrowserSettings('addHostPermission', OWN_HOST);
    await expect.poll(() => options.getByRole('alert').count(), { timeout: 5_000 }).toBe(0);
    await waitForShareLinkRedirect(person, own);
    await expectInZing(await clickLink(own), own);
  });

  it('warns about a stored relay Zing was never allowed to access, and its button asks for it', async () => {
    // Stored without the options page (as the e2e helpers and older versions did): nobody asked.
    await updateSettings(person, { relayUrl: `${other}/` });
    const options = await openOptions(`${other}/`);
    const warning = options.getByRole('alert');
    await warning
      .getByText(`Links to relay.localhost:${relay.port} will open as that site’s web page`, { exact: false })
      .waitFor({ timeout: 5_000 });
    expect(await redirectRules()).not.toContain(`o=${encodeURIComponent(other)}&`);

    await inBrowserSettings('addHostPermission', OTHER_HOST); // the person's "Allow" (see the top of the file)
    expect(await hasAccess(options, OTHER_HOST)).toBe(false);
    await warning.getByRole('button', { name: `Allow access to relay.localhost:${relay.port}`, exact: true }).click();
    await expect.poll(() => options.getByRole('alert').count(), { timeout: 5_000 }).toBe(0);
    expect(await hasAccess(options, OTHER_HOST)).toBe(true);
    // Only the permission changed, not the settings: the background heard it (permissions.onAdded).
    await waitForShareLinkRedirect(person, other);
    await expectInZing(await clickLink(other), other);
  });
});

// Firefox asks for an optional host in a doorhanger of its own window, which WebDriver BiDi does not
// reach from a page; its chrome scope does (--remote-allow-system-access, as launchFirefox uses). The
// person's "Allow" is a click on that doorhanger's main button. Everything else is the person's way:
// the options page shows the build's relay, they select it, type their own, and press Save; then they
// click a link on a web chat.
describe('a relay of one’s own, set in Firefox’s options page', () => {
  let relay: Relay;
  let site: LinkSite;
  let fiona: FirefoxPerson;
  let own: string;
  const requests: string[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    own = `http://localhost:${relay.port}`;
    relay.server.on('request', (req: IncomingMessage) => requests.push(`${req.method} ${req.url}`));
    site = await startLinkSite();
    fiona = await launchFirefox({ name: 'Fiona', relayUrl: relay.url });
  }, 60_000);

  afterAll(async () => {
    await fiona?.close();
    await site?.close();
    await relay?.close();
  });

  const hasAccess = (host: string) =>
    evaluate(fiona.bidi, fiona.context, `browser.permissions.contains({ origins: [${JSON.stringify(host)}] })`);

  /** Presses the main button (Allow) of the doorhanger open in Firefox's window; gives what the doorhanger said. */
  async function allowInDoorhanger(): Promise<string> {
    const tree = await fiona.bidi.send<{ contexts: { context: string }[] }>('browsingContext.getTree', { 'moz:scope': 'chrome' });
    const window = tree.contexts[0]?.context;
    if (!window) throw new Error('no Firefox window');
    const press = `(() => {
      const n = PopupNotifications.panel.querySelector('popupnotification');
      if (!n || PopupNotifications.panel.state !== 'open') return '';
      const said = n.textContent.replace(/\\s+/g, ' ').trim() + ' ' + (n.getAttribute('label') ?? '');
      (n.querySelector('.popup-notification-primary-button') ?? n.button).click();
      return said || n.id;
    })()`;
    let said = '';
    await expect.poll(async () => (said = String(await evaluate(fiona.bidi, window, press))), { timeout: 5_000 }).not.toBe('');
    return said;
  }

  it('asks for the relay’s site when it is saved, and once allowed, opens its share links from other sites in Zing', async () => {
    const { bidi, context } = fiona;
    await navigate(bidi, context, fiona.url('extension/options/index.html'));
    const field = await waitForOne(bidi, context, 'textbox', 'Relay URL', 10_000);
    const shown = () => evaluate(bidi, context, `document.getElementById('relay-url').value`);
    await expect.poll(shown, { timeout: 5_000 }).toBe(relay.url);
    expect(await hasAccess('http://localhost/*')).toBe(false);

    // As shown, the build's relay: select it all and type over it, then Save.
    await click(bidi, context, field);
    await bidi.send('input.performActions', {
      context,
      actions: [
        {
          type: 'key',
          id: 'keyboard',
          actions: [
            { type: 'keyDown', value: '\uE009' }, // Control
            { type: 'keyDown', value: 'a' },
            { type: 'keyUp', value: 'a' },
            { type: 'keyUp', value: '\uE009' },
          ],
        },
      ],
    });
    await typeText(bidi, context, own);
    await expect.poll(shown, { timeout: 5_000 }).toBe(own);
    await click(bidi, context, await waitForOne(bidi, context, 'button', 'Save', 5_000));
    // Saved at once, while Firefox's question waits for her.
    await expect
      .poll(() => evaluate(bidi, context, 'document.body.innerText'), { timeout: 5_000 })
      .toContain('Saved. New calls use these settings.');
    expect(await hasAccess('http://localhost/*')).toBe(false);
    // Firefox's own words name the host; she allows it.
    expect(await allowInDoorhanger()).toContain('localhost');
    await expect.poll(() => hasAccess('http://localhost/*'), { timeout: 5_000 }).toBe(true);
    expect(await evaluate(bidi, context, `document.querySelectorAll('[role="alert"]').length`)).toBe(0);

    // A link to that relay, clicked on a web chat: Zing's own call page at the gate, and the relay never asked for the room.
    await waitForFirefoxShareLinkRedirect(fiona, own);
    const link = await newCallLink(own);
    const { pathname, hash } = new URL(link);
    await navigate(bidi, context, site.pageWithLink(link));
    await click(bidi, context, await waitForOne(bidi, context, 'link', SAME_TAB_LINK, 5_000));
    await waitForOne(bidi, context, 'button', 'Join call', 10_000);
    const at = String(await evaluate(bidi, context, 'location.href'));
    expect(at.startsWith(fiona.url('extension/call/index.html'))).toBe(true);
    expect(new URL(at).searchParams.get('o')).toBe(own);
    expect(new URL(at).hash).toBe(hash);
    expect(requests.filter((r) => r.includes(pathname.slice('/r/'.length)))).toEqual([]);
  });
});
