// Real Chromium with the built extension, one persistent profile per person.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { giveBack, poolFolder, take, track, type PooledBrowser } from './browser-pool.ts';
import { removeProfile } from './profile.ts';

export const DIST = resolve('dist/chrome');
const CHROMIUM = process.env.ZING_CHROMIUM ?? '/usr/bin/chromium';

/** Chrome's id for an extension with a `key`: SHA-256 of the DER key, 32 hex digits spelled a-p. */
export function extensionIdFromManifest(dir = DIST): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { key?: string };
  if (!manifest.key) throw new Error('manifest has no key: the extension id would depend on the path');
  const hex = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('');
}

export interface Person {
  name: string;
  context: BrowserContext;
  extensionId: string;
  /** `chrome-extension://<id>/<path>` */
  url(path: string): string;
  close(): Promise<void>;
}

export interface LaunchOptions {
  name: string;
  relayUrl: string;
  /** Without the fake-UI flag, headless Chromium refuses camera and microphone: a denied prompt. */
  denyMedia?: boolean;
  extraArgs?: string[];
  /** false: a browser without Zing (a guest). */
  extension?: boolean;
  /** Extra settings, e.g. a small `maxVideoHeight` so many peers fit on 2 cores. */
  settings?: Record<string, unknown>;
  /** Extra profile fields (the person's own toggles), e.g. `noiseSuppression: false`. */
  profile?: Record<string, unknown>;
  /**
   * Fake cameras (Chromium's `device-count`; default 1), named fake_device_0, 1, 2…
   * They all look alike, and fake_device_1 gives 16-bit grey frames no video
   * encoder takes (nothing reaches the other side): use 0 and 2. sentCameras() tells which one is sent.
   */
  cameras?: number;
  /** The unpacked extension to load; dist/chrome unless given (bench:setup and bench:call time an older build beside it). */
  dist?: string;
  /**
   * Pages report their real visibility: a tab behind another tab of its window is
   * `hidden`. Playwright's own launch turns on focus emulation for every page
   * (Emulation.setFocusEmulationEnabled), which keeps every page `visible` in
   * headless Chromium whatever is in front; so this starts Chromium itself and
   * attaches over CDP with `noDefaults`, which leaves that off. Checked with
   * Debian Chromium 156: a tab opened in front of another makes it `hidden`,
   * `bringToFront` makes it `visible` again. No viewport emulation either: the
   * window is VIEWPORT big.
   */
  realVisibility?: boolean;
}

/** An extension page with no call in it, from which a test reads and writes the extension's storage. */
const OPTIONS_PATH = 'extension/options/index.html';

/** The window every person's pages get. */
const VIEWPORT = { width: 1000, height: 700 };

/** Starts Chromium with remote debugging on a free port and attaches to it without Playwright's page defaults. */
async function launchAttached(profile: string, args: string[]): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const proc = spawn(
    CHROMIUM,
    [
      ...args,
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      `--window-size=${VIEWPORT.width},${VIEWPORT.height}`,
      'about:blank',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group, so close() can end the helpers too (as Playwright does for the browsers it launches).
      detached: true,
    },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start within 20 s: ${seen.slice(-500)}`)), 20_000);
    proc.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`Chromium exited with ${code} before it listened: ${seen.slice(-500)}`)));
  });
  proc.stderr.resume(); // keep draining, or Chromium blocks on a full pipe
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, isLocal: true });
  const context = browser.contexts()[0];
  if (!context) throw new Error('an attached Chromium has no default context');
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined); // closes the browser too; one that already died is closed
      await browser.close().catch(() => undefined);
      proc.kill('SIGTERM');
      const killTimer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killTimer);
      // Helpers that outlive the browser would go on writing into the profile that close() removes next.
      try {
        if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // ESRCH: the whole group is gone already
      }
    },
  };
}

/** A Chromium with `args` on a new profile, attached over CDP for `realVisibility`. */
async function startBrowser(args: string[], realVisibility: boolean | undefined): Promise<PooledBrowser> {
  const profile = mkdtempSync(join(poolFolder() ?? tmpdir(), 'zing-e2e-'));
  const attached = realVisibility ? await launchAttached(profile, args) : undefined;
  const context =
    attached?.context ??
    (await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: VIEWPORT, args }));
  return {
    context,
    end: async () => {
      if (attached) await attached.close();
      else await context.close().catch(() => undefined); // a browser that already died is closed
      removeProfile(profile);
    },
  };
}

/**
 * What browser-pool.ts asks of a browser before the next person gets it: one blank tab, and
 * the extension's storage empty, as a new profile has them; no cookies, no permissions.
 */
async function cleanForNext(context: BrowserContext, optionsUrl: string): Promise<void> {
  const blank = await context.newPage();
  await Promise.all(context.pages().map((page) => (page === blank ? undefined : page.close())));
  await blank.goto(optionsUrl);
  await blank.evaluate(async () => {
    // An extension page has `chrome`; Node's types do not know it.
    const storage = (globalThis as unknown as { chrome: { storage: Record<'local' | 'session', { clear(): Promise<void> }> } }).chrome
      .storage;
    await Promise.all([storage.local.clear(), storage.session.clear()]);
  });
  await blank.goto('about:blank');
  await context.clearCookies();
  await context.clearPermissions();
}

export async function launchPerson(opts: LaunchOptions): Promise<Person> {
  const dist = opts.dist ?? DIST;
  if (!existsSync(join(dist, 'manifest.json'))) throw new Error(`${dist} is missing: run \`npm run build\` first`);
  const args = [
    '--headless=new',
    ...(opts.extension === false ? [] : [`--disable-extensions-except=${dist}`, `--load-extension=${dist}`]),
    '--no-sandbox',
    opts.cameras === undefined ? '--use-fake-device-for-media-stream' : `--use-fake-device-for-media-stream=device-count=${opts.cameras}`,
    ...(opts.denyMedia ? [] : ['--use-fake-ui-for-media-stream']),
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-gpu',
    ...(opts.extraArgs ?? []),
  ];
  // Pooled: a browser with Zing, started the usual way (a guest's keeps what the relay's page stored,
  // and one attached over CDP has no Playwright defaults to give back).
  const poolKey = poolFolder() && opts.extension !== false && !opts.realVisibility ? JSON.stringify(args) : undefined;
  let browser = poolKey ? take(poolKey) : undefined;
  if (!browser) {
    browser = await startBrowser(args, opts.realVisibility);
    if (poolKey) track(browser.context);
  }
  const { context } = browser;
  // Scripts run through tsx (the benchmarks) get esbuild's keepNames, which
  // wraps functions passed to page.evaluate in a __name() the page lacks.
  await context.addInitScript('globalThis.__name ??= (fn) => fn;');
  const extensionId = extensionIdFromManifest(dist);
  let closing: Promise<void> | undefined;
  const person: Person = {
    name: opts.name,
    context,
    extensionId,
    url: (path) => `chrome-extension://${extensionId}/${path}`,
    close: () => {
      const given = browser;
      closing ??= poolKey ? giveBack(poolKey, given, () => cleanForNext(context, person.url(OPTIONS_PATH))) : given.end();
      return closing;
    },
  };
  if (opts.extension === false) return person;
  // Point this profile at the test relay, with no STUN server: loopback host
  // candidates suffice and no test may send packets off this machine.
  const page = await context.newPage();
  await page.goto(person.url(OPTIONS_PATH));
  await page.evaluate(
    async ({ relayUrl, name, settings, profile }) => {
      // An extension page has `chrome`; Node's types do not know it.
      const ext = (globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } }).chrome;
      await ext.storage.local.set({
        settings: { relayUrl, iceServers: [], ...settings },
        profile: { name, micMuted: false, cameraOff: false, ...profile },
      });
    },
    { relayUrl: opts.relayUrl, name: opts.name, settings: opts.settings ?? {}, profile: opts.profile ?? {} },
  );
  await page.close();
  return person;
}

/** Merges `patch` into one of the records the extension keeps in storage, from an extension page, as its own pages do. */
async function updateStored(person: Person, key: 'settings' | 'profile', patch: Record<string, unknown>): Promise<void> {
  const page = await person.context.newPage();
  await page.goto(person.url(OPTIONS_PATH));
  await page.evaluate(
    async ({ key, changes }) => {
      // An extension page has `chrome`; Node's types do not know it.
      const local = (
        globalThis as unknown as {
          chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>>; set(v: object): Promise<void> } } };
        }
      ).chrome.storage.local;
      const stored = (await local.get(key))[key];
      await local.set({ [key]: { ...(stored as object | undefined), ...changes } });
    },
    { key, changes: patch },
  );
  await page.close();
}

/** Changes some of `person`'s settings in extension storage; calls started afterwards use them. */
export const updateSettings = (person: Person, patch: Record<string, unknown>): Promise<void> => updateStored(person, 'settings', patch);

/** Changes some of `person`'s profile (name, toggles, effects) in extension storage, as the call page's own toggles would. */
export const updateProfile = (person: Person, patch: Record<string, unknown>): Promise<void> => updateStored(person, 'profile', patch);

/** Opens the popup as a tab (a test cannot click the toolbar). */
export async function openPopup(person: Person): Promise<Page> {
  const page = await person.context.newPage();
  await page.goto(person.url('extension/popup/index.html'));
  return page;
}

/**
 * Runs `action` and returns the tab it opens. `opened`, if given, runs once the
 * driver has that tab (Playwright emits `page` after its init scripts are in).
 */
export async function nextPage(person: Person, action: () => Promise<void>, opened?: () => Promise<void>): Promise<Page> {
  const [page] = await Promise.all([person.context.waitForEvent('page', { timeout: 15_000 }), action()]);
  await opened?.();
  // Asked of the document itself, not of Playwright's load events: on a loaded CI machine it once missed a
  // new call tab's DOMContentLoaded (its log showed only "networkidle") and waited 30 s for it. Polled on a
  // timer, since a background tab gets no animation frames.
  await page.waitForFunction(() => location.href !== 'about:blank' && document.readyState !== 'loading', undefined, {
    timeout: 30_000,
    polling: 100,
  });
  return page;
}

/**
 * Opens the call page for `link` the way a person does who wants that call:
 * pasted into the popup and `Join` pressed, so it joins at once. (Opening the
 * call page's address directly shows the pre-join gate instead: see links.e2e.test.ts.)
 */
export function openCallPage(person: Person, link: string): Promise<Page> {
  return joinCall(person, link);
}

/** Starts a call from the popup and returns the call page. */
export async function startCall(person: Person): Promise<Page> {
  const popup = await openPopup(person);
  await holdNewTab(popup);
  return nextPage(
    person,
    () => clickClosing(popup, 'Start a call'),
    () => releaseNewTab(popup),
  );
}

/**
 * Test-only, in the popup: the tab its next `tabs.create` opens starts on
 * about:blank and goes to its URL (by the extension's own `tabs.update`) only
 * once releaseNewTab says the driver has it. A tab the extension opens straight
 * at the call page is not held for the driver: on a loaded machine (two busy
 * cores) the call page's scripts ran before the test's init scripts in 6 of 15
 * opens, with Playwright's own launch too, so a hook on RTCPeerConnection
 * missed the links made first (a CI failure: "no link to that peer"). Held,
 * 30 of 30 ran first. The popup still opens the call in a tab of its own.
 */
async function holdNewTab(popup: Page): Promise<void> {
  await popup.evaluate(() => {
    type Tabs = {
      create(props: { url?: string }, callback?: (tab: unknown) => void): Promise<{ id: number }> | undefined;
      update(id: number, props: { url?: string }): Promise<unknown>;
    };
    const g = globalThis as unknown as { chrome: { tabs: Tabs }; __zingReleaseTab?: () => void };
    const tabs = g.chrome.tabs;
    const create = tabs.create.bind(tabs);
    // Released may come first: the driver can see the tab before the popup hears it was created.
    let released = false;
    let wake: (() => void) | undefined;
    g.__zingReleaseTab = () => {
      released = true;
      wake?.();
    };
    tabs.create = (props, callback) => {
      const opened = (async () => {
        const tab = await (create({ ...props, url: 'about:blank' }) as Promise<{ id: number }>);
        if (!released) await new Promise<void>((resolve) => (wake = resolve));
        return tabs.update(tab.id, { url: props.url });
      })();
      if (!callback) return opened as Promise<{ id: number }>;
      void opened.then(callback);
      return undefined;
    };
  });
}

/** Lets the tab holdNewTab held go to its URL; the popup may close as it does. */
async function releaseNewTab(popup: Page): Promise<void> {
  await popup.evaluate(() => (globalThis as { __zingReleaseTab?: () => void }).__zingReleaseTab?.()).catch(() => undefined);
}

/**
 * Clicks a button whose action closes its own window: the toolbar popup's Start a
 * call / Join (window.close()), or the pop-out window's Leave call. The window can
 * close before Playwright's click has finished with it ("Target page … has been
 * closed"): that is the click working. Any other failure still throws, and callers
 * check what the click should have done (nextPage waits for the call's tab; the
 * pop-out test reads the tab's status).
 */
export async function clickClosing(page: Page, name: string): Promise<void> {
  try {
    await page.getByRole('button', { name, exact: true }).click();
  } catch (err) {
    if (!page.isClosed()) throw err;
  }
}

/** Joins `link` from the popup and returns the call page. */
export async function joinCall(person: Person, link: string): Promise<Page> {
  const popup = await openPopup(person);
  await popup.getByRole('textbox', { name: 'Call link', exact: true }).fill(link);
  await holdNewTab(popup);
  return nextPage(
    person,
    () => clickClosing(popup, 'Join'),
    () => releaseNewTab(popup),
  );
}

/** The participants' tiles on the stage (other groups, such as Reactions, are not people). */
export const tiles = (page: Page) => page.getByRole('region', { name: 'Participants', exact: true }).getByRole('group');

/**
 * The most tiles named `name` that `page` showed at once while `moves` ran,
 * sampled every 25 ms: a call moving between a person's tabs must never show
 * them twice, not even for a moment.
 */
export async function mostTilesWhile(page: Page, name: string, moves: () => Promise<void>): Promise<number> {
  const count = () => page.getByRole('group', { name, exact: true }).count();
  let most = 0;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      most = Math.max(most, await count());
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    await moves();
  } finally {
    watching = false;
    await watch;
  }
  return Math.max(most, await count());
}

export const callLinkOf = (page: Page): Promise<string> => page.getByRole('textbox', { name: 'Call link', exact: true }).inputValue();

export interface FrameProof {
  width: number;
  height: number;
  /** Frames presented between the first and last callback. */
  framesAdvanced: number;
}

/**
 * Proof that a participant's video really decodes: the <video> in their tile
 * presents `frames` new frames (requestVideoFrameCallback) with a real size.
 * It follows whichever <video> the tile holds: a link that is replaced (a
 * peer that joined again) gets a new element, and the first one, detached,
 * never presents another frame (a resilience run waited 30 s on one).
 */
export async function videoFrames(page: Page, groupName: string, timeoutMs = 15_000, frames = 5): Promise<FrameProof> {
  const video = page.getByRole('group', { name: groupName, exact: true }).locator('video');
  await video.waitFor({ state: 'attached', timeout: timeoutMs });
  return page.evaluate(
    ([name, timeout, wanted]) =>
      new Promise<FrameProof>((resolve, reject) => {
        let watched: HTMLVideoElement | undefined;
        let first: number | undefined;
        const current = () =>
          [...document.querySelectorAll('[role="group"]')].find((g) => g.getAttribute('aria-label') === name)?.querySelector('video') ??
          undefined;
        const finish = (end: () => void) => {
          clearTimeout(timer);
          clearInterval(follow);
          end();
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no decoded frames within ${timeout} ms`))), timeout);
        const onFrame = (v: HTMLVideoElement) => (_now: number, meta: VideoFrameCallbackMetadata) => {
          if (v !== watched) return; // an element the tile no longer holds
          // A new stream in the same element counts its frames from 0 again.
          if (first === undefined || meta.presentedFrames < first) first = meta.presentedFrames;
          const advanced = meta.presentedFrames - first;
          if (advanced >= wanted && meta.width > 0 && meta.height > 0) {
            finish(() => resolve({ width: meta.width, height: meta.height, framesAdvanced: advanced }));
          } else v.requestVideoFrameCallback(onFrame(v));
        };
        const look = () => {
          const v = current();
          if (!v || v === watched) return;
          watched = v;
          first = undefined;
          v.requestVideoFrameCallback(onFrame(v));
        };
        const follow = setInterval(look, 200);
        look();
      }),
    [groupName, timeoutMs, frames] as const,
  );
}

/**
 * Lets sentCameras() see every RTCPeerConnection the pages of `person` make
 * (an init script: it must be installed before the page opens).
 */
export async function watchPeerConnections(person: Person): Promise<void> {
  await person.context.addInitScript(() => {
    const g = globalThis as { __zingPeerConnections?: RTCPeerConnection[] };
    const list: RTCPeerConnection[] = [];
    g.__zingPeerConnections = list;
    const Native = globalThis.RTCPeerConnection;
    if (!Native) return;
    globalThis.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        list.push(this);
      }
    };
  });
}

/**
 * The label of the camera each open link of `page` sends (the first video
 * sender's track; null where it sends none): proof of which device goes out,
 * where the fake cameras' pictures cannot tell them apart.
 */
export function sentCameras(page: Page): Promise<(string | null)[]> {
  return page.evaluate(() => {
    const pcs = (globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [];
    return (
      pcs
        .filter((pc) => pc.connectionState !== 'closed')
        // The first video transceiver carries the camera (peer-link.ts); a screen share comes after it.
        .map((pc) => pc.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender.track?.label ?? null)
    );
  });
}

/**
 * Audio packets per second `page` sends over all its open links, counted
 * from getStats over `windowMs` (needs watchPeerConnections).
 */
export async function sentAudioPacketRate(page: Page, windowMs = 3_000): Promise<number> {
  const read = () =>
    page.evaluate(async () => {
      const pcs = (globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [];
      let packets = 0;
      for (const pc of pcs.filter((p) => p.connectionState === 'connected'))
        for (const s of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>)
          if (s.type === 'outbound-rtp' && s.kind === 'audio' && typeof s.packetsSent === 'number') packets += s.packetsSent;
      return { packets, at: performance.now() };
    });
  const a = await read();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = await read();
  return ((b.packets - a.packets) * 1000) / (b.at - a.at);
}

/** What `page` received and sent over all its open links so far (needs watchPeerConnections). */
export interface MediaTotals {
  videoBytes: number;
  audioBytes: number;
  framesDecoded: number;
  /**
   * Lines of the last decoded frame, the largest over the videos still coming (0: none yet). A
   * stopped screen share's receiver keeps its stats, with its last frame size, so it is left out.
   */
  frameHeight: number;
  /** RTP payload bytes sent, camera and screen. */
  videoSentBytes: number;
}

export function mediaTotals(page: Page): Promise<MediaTotals> {
  return page.evaluate(async () => {
    const pcs = (globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [];
    const out = { videoBytes: 0, audioBytes: 0, framesDecoded: 0, frameHeight: 0, videoSentBytes: 0 };
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const receiving = new Set(
        pc
          .getTransceivers()
          .filter((t) => t.currentDirection === 'sendrecv' || t.currentDirection === 'recvonly')
          .map((t) => t.receiver.track.id),
      );
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        const n = (v: unknown) => (typeof v === 'number' ? v : 0);
        if (s.type === 'outbound-rtp' && s.kind === 'video') out.videoSentBytes += n(s.bytesSent);
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'audio') out.audioBytes += n(s.bytesReceived);
        if (s.kind !== 'video') return;
        out.videoBytes += n(s.bytesReceived);
        out.framesDecoded += n(s.framesDecoded);
        if (receiving.has(String(s.trackIdentifier))) out.frameHeight = Math.max(out.frameHeight, n(s.frameHeight));
      });
    }
    return out;
  });
}

/**
 * For expect.poll: each call waits 300 ms and says by how much `read` grew since the call before
 * (0 twice in a row: it stopped, whatever was in flight included).
 */
export function growthOf(read: () => Promise<number>): () => Promise<number> {
  let last: number | undefined;
  return async () => {
    last ??= await read();
    await new Promise((r) => setTimeout(r, 300));
    const now = await read();
    const grew = now - last;
    last = now;
    return grew;
  };
}

/**
 * The Stats panel's cells for the link to `name`: what is sent and received (`<kbps> kbps · <W>×<H>`,
 * `no video` for a switched-off camera, then `· screen <W>×<H>` while a screen flows) and what they asked for.
 */
export async function linkCells(page: Page, name: string): Promise<{ sending: string; receiving: string; asked: string }> {
  const row = page.getByRole('region', { name: 'Connection stats', exact: true }).getByRole('row', { name: new RegExp(`^${name} `) });
  const [sending = '', receiving = ''] = await row
    .getByRole('cell')
    .evaluateAll((cells) => cells.slice(0, 2).map((c) => c.textContent ?? ''));
  const asked = (await row.locator('[data-stat="asked"]').textContent()) ?? '';
  return { sending, receiving, asked };
}

/**
 * Shrinks the tile `name` on `page` with the keyboard, as a person can (Shift+arrows resize the
 * focused tile), until it is at most `width`×`height` CSS pixels; gives its box then.
 */
export async function shrinkTile(page: Page, name: string, width: number, height: number): Promise<{ width: number; height: number }> {
  const tile = page.getByRole('group', { name, exact: true });
  await tile.focus();
  for (let i = 0; i < 60; i++) {
    const box = await tile.boundingBox();
    if (!box) throw new Error(`the tile ${name} is not shown`);
    if (box.width <= width && box.height <= height) return box;
    await page.keyboard.press(box.width > width ? 'Shift+ArrowLeft' : 'Shift+ArrowUp');
  }
  throw new Error(`the tile ${name} did not shrink to ${width}×${height}`);
}

/** The background's share-link redirect rule, once it is installed for `relayUrl` (a fresh profile takes a moment). */
export async function waitForShareLinkRedirect(person: Person, relayUrl: string, timeoutMs = 10_000): Promise<void> {
  const worker = person.context.serviceWorkers()[0] ?? (await person.context.waitForEvent('serviceworker', { timeout: timeoutMs }));
  const origin = encodeURIComponent(new URL(relayUrl).origin);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const substitutions = await worker.evaluate(async () => {
      // The service worker has `chrome`; Node's types do not know it.
      const dnr = (globalThis as unknown as { chrome: { declarativeNetRequest: { getSessionRules(): Promise<unknown[]> } } }).chrome
        .declarativeNetRequest;
      return JSON.stringify(await dnr.getSessionRules());
    });
    if (substitutions.includes(`o=${origin}&`)) return;
    if (Date.now() > deadline) throw new Error(`no share-link redirect for ${relayUrl} after ${timeoutMs} ms: ${substitutions}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The call page's URL as the browser session's dynamic id spells it (web-accessible only there, see vite.config.ts). */
export async function dynamicCallPageUrl(person: Person): Promise<string> {
  const worker = person.context.serviceWorkers()[0] ?? (await person.context.waitForEvent('serviceworker'));
  return worker.evaluate(() =>
    (globalThis as unknown as { chrome: { runtime: { getURL(p: string): string } } }).chrome.runtime.getURL('extension/call/index.html'),
  );
}
