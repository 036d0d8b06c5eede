// Real Firefox (Debian's firefox-esr) with the built extension, driven over
// raw WebDriver BiDi: Playwright cannot drive Firefox ESR, but Firefox's own
// Remote Agent speaks BiDi on a WebSocket. This file is a small client
// (commands with ids and time limits) plus the few steps a call test needs.
// Spec: https://w3c.github.io/webdriver-bidi/ ; Firefox's chrome-scope and
// moz-extension details are in shared/FIELD-NOTES.md ("Testing in real browsers").
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { removeProfile } from './profile.ts';

export const FIREFOX_DIST = resolve('dist/firefox');
export const FIREFOX = process.env.ZING_FIREFOX ?? '/usr/bin/firefox-esr';

/**
 * firefox-esr 153 prints its BiDi URL in about 1–2 s. A first start on a fresh
 * machine once printed nothing for 20 s (CI, 2 busy cores), so a start that stays
 * silent this long is killed and tried again on a fresh profile, once.
 */
const START_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 2;
/** Every BiDi command answers in milliseconds; a navigation waits for the page's load event. */
const COMMAND_TIMEOUT_MS = 15_000;
/** After `browser.close`, how long Firefox gets to exit before SIGKILL. */
const EXIT_GRACE_MS = 5_000;

// Prefs for a quiet, offline, permission-free profile. The Remote Agent sets
// some of these itself (remote.prefs.recommended); they are repeated here so
// the profile does not depend on that list.
const PREFS: Record<string, string | number | boolean> = {
  // Fake camera and microphone, no permission prompt (the BiDi twin of Chromium's fake-device flags).
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // Nothing leaves the machine: updates, telemetry, studies, captive portal, safe browsing, prefetch…
  'app.update.auto': false,
  'app.update.enabled': false,
  'app.update.disabledForTesting': true,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'browser.aboutwelcome.enabled': false,
  'browser.discovery.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.search.update': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage': 'about:blank',
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.tabs.warnOnClose': false,
  'browser.topsites.contile.enabled': false,
  'browser.urlbar.suggest.quicksuggest.sponsored': false,
  'browser.urlbar.suggest.quicksuggest.nonsponsored': false,
  'captivedetect.canonicalURL': '',
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.policy.firstRunURL': '',
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.update.enabled': false,
  'extensions.update.autoUpdateDefault': false,
  'extensions.systemAddon.update.enabled': false,
  'geo.provider.network.url': '',
  'media.gmp-manager.url': '',
  'media.gmp-manager.updateEnabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.http.speculative-parallel-limit': 0,
  'network.predictor.enabled': false,
  'network.prefetch-next': false,
  'network.proxy.type': 0,
  'services.settings.server': 'data:,',
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.unified': false,
  'toolkit.startup.max_resumed_crashes': -1,
};

const userJs = (prefs: Record<string, string | number | boolean>): string =>
  `${Object.entries(prefs)
    .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
    .join('\n')}\n`;

/** A failed BiDi command: its error code and message, as Firefox sent them. */
export class BiDiError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    message: string,
  ) {
    super(`${method}: ${code}: ${message}`);
  }
}

type Pending = { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * One BiDi session over one WebSocket. Commands carry increasing ids; each
 * waits for the frame with its id, or fails after its time limit. Events are
 * not needed by these tests and are ignored.
 */
export class BiDi {
  #ws: WebSocket;
  #nextId = 1;
  #pending = new Map<number, Pending>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (raw) => this.#receive(String(raw)));
    ws.on('close', () => this.#failAll(new Error('BiDi socket closed')));
    ws.on('error', (err) => this.#failAll(err));
  }

  static connect(url: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<BiDi> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no BiDi connection to ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new BiDi(ws));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  send<T = Record<string, unknown>>(method: string, params: object = {}, timeoutMs = COMMAND_TIMEOUT_MS): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      // Each id resolves only with the result of its own command, which is `method`'s result type.
      this.#pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ id, method, params }), (err) => {
        if (err) this.#settle(id, undefined, err);
      });
    });
  }

  close(): void {
    this.#ws.terminate();
  }

  #receive(raw: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch (err) {
      this.#failAll(new Error('BiDi sent a frame that is not JSON', { cause: err }));
      return;
    }
    if (!isRecord(msg) || typeof msg.id !== 'number') return; // an event, or an error without an id
    const p = this.#pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'error') this.#settle(msg.id, undefined, new BiDiError(p.method, String(msg.error), String(msg.message)));
    else this.#settle(msg.id, msg.result);
  }

  #settle(id: number, result: unknown, err?: Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(result);
  }

  #failAll(err: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, undefined, err);
  }
}

/** A BiDi RemoteValue for a primitive, or a node with its sharedId. */
type RemoteValue = { type: string; value?: unknown; sharedId?: string };
type EvaluateResult = { type: 'success'; result: RemoteValue } | { type: 'exception'; exceptionDetails: { text: string } };

export interface FirefoxPerson {
  name: string;
  bidi: BiDi;
  /** The tab the tests drive. */
  context: string;
  /** `moz-extension://<uuid>/<path>`: the uuid is random per profile. */
  url(path: string): string;
  close(): Promise<void>;
}

export interface FirefoxLaunchOptions {
  name: string;
  relayUrl: string;
  settings?: Record<string, unknown>;
  /** Prefs beyond the quiet, offline defaults (e.g. a fingerprinting protection to test against). */
  prefs?: Record<string, string | number | boolean>;
  /**
   * A Firefox with WebGL: headless Firefox has none (Mozilla bug 1375585), so
   * this one runs with a window on a display of its own (Xvfb; Mesa's llvmpipe
   * draws its WebGL 2). Background blur needs it.
   */
  webgl?: boolean;
  /**
   * false: a Firefox without Zing, as someone has who only got a link. Nothing is
   * installed and `url()` throws; the relay's guest page is the call they get.
   */
  extension?: boolean;
}

export const XVFB = process.env.ZING_XVFB ?? '/usr/bin/Xvfb';

/**
 * A virtual X display for one Firefox, on the first free number (Xvfb picks it
 * and writes it to the pipe given as -displayfd). Closed with the Firefox.
 */
function startXvfb(timeoutMs = START_TIMEOUT_MS): Promise<{ display: string; close(): Promise<void> }> {
  if (!existsSync(XVFB)) throw new Error(`${XVFB} is missing: install Debian's xvfb (apt-get install xvfb) or set ZING_XVFB`);
  const child = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const close = async () => {
    child.kill('SIGTERM');
    if (!(await exited(child, EXIT_GRACE_MS))) child.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    const fail = (err: Error) => {
      clearTimeout(timer);
      void close();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`Xvfb gave no display within ${timeoutMs} ms: ${errors.slice(-500)}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /^(\d+)\n/.exec(seen);
      if (!m) return;
      clearTimeout(timer);
      resolve({ display: `:${m[1]}`, close });
    });
    child.once('exit', (code) => fail(new Error(`Xvfb exited (${code}) before giving a display: ${errors.slice(-500)}`)));
  });
}

/**
 * A profile where camera and microphone are blocked, as a person who chose
 * "Block" in Firefox's prompt: the permission prompt is back on
 * (media.navigator.permission.disabled would grant everything) and the
 * default answer for both is 2, deny. getUserMedia then fails with NotAllowedError.
 */
export const DENY_MEDIA_PREFS = {
  'media.navigator.permission.disabled': false,
  'permissions.default.camera': 2,
  'permissions.default.microphone': 2,
} as const;

/**
 * A profile whose ICE may use loopback addresses. Firefox leaves them out by
 * default, so it cannot reach a TURN server on 127.0.0.1 (tests/support/coturn.ts):
 * relay-only, its call never connects (measured: no frames in 40 s); with this, it
 * gets a relayed candidate from the test's coturn as from any other.
 */
export const LOOPBACK_ICE_PREFS = { 'media.peerconnection.ice.loopback': true } as const;

/** Starts Firefox and resolves with the BiDi URL it prints on stderr. */
function waitForBiDiUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => done(new Error(`firefox printed no BiDi URL within ${timeoutMs} ms. Output:\n${seen.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(seen);
      if (m?.[1]) done(undefined, m[1]);
    };
    const onExit = (code: number | null) =>
      done(new Error(`firefox exited (${code}) before BiDi was ready. Output:\n${seen.slice(-2000)}`));
    const done = (err?: Error, url?: string) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(url as string); // set whenever err is not
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Waits for the process to exit; true if it did within `ms`. */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function evaluate(bidi: BiDi, context: string, expression: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<unknown> {
  const r = await bidi.send<EvaluateResult>('script.evaluate', { expression, target: { context }, awaitPromise: true }, timeoutMs);
  if (r.type === 'exception') throw new Error(`script threw: ${r.exceptionDetails.text}`);
  return r.result.value;
}

/** Runs `fn` in the page with `node` (a sharedId from locateNodes) as its argument. */
export async function callOnNode(
  bidi: BiDi,
  context: string,
  sharedId: string,
  fn: string,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<unknown> {
  const r = await bidi.send<EvaluateResult>(
    'script.callFunction',
    { functionDeclaration: fn, arguments: [{ sharedId }], target: { context }, awaitPromise: true },
    timeoutMs,
  );
  if (r.type === 'exception') throw new Error(`script threw: ${r.exceptionDetails.text}`);
  return r.result.value;
}

/** Elements by accessible role and name (exact), as a screen reader sees them. */
export async function locate(
  bidi: BiDi,
  context: string,
  role: string,
  name: string,
  within?: string,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<string[]> {
  const r = await bidi.send<{ nodes: RemoteValue[] }>(
    'browsingContext.locateNodes',
    {
      context,
      locator: { type: 'accessibility', value: { role, name } },
      ...(within ? { startNodes: [{ sharedId: within }] } : {}),
    },
    timeoutMs,
  );
  return r.nodes.flatMap((n) => (n.sharedId ? [n.sharedId] : []));
}

/** How long one locate of a poll may take before it is asked again. */
const LOCATE_ATTEMPT_MS = 2_000;

/** Polls `locate` until exactly one element matches. */
export async function waitForOne(bidi: BiDi, context: string, role: string, name: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A locateNodes sent while the context navigates (a clicked link on its way
    // into the extension) can go unanswered in Firefox; ask again instead of waiting on it.
    const found = await locate(bidi, context, role, name, undefined, LOCATE_ATTEMPT_MS).catch((e: unknown) => {
      if (e instanceof Error && e.message.includes('no answer')) return [];
      throw e;
    });
    if (found.length === 1 && found[0]) return found[0];
    if (Date.now() > deadline) throw new Error(`expected one ${role} named "${name}", found ${found.length} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A real pointer click at the element's centre, as a person would click (`button` 1: the middle
 * button), scrolled into view first as they would scroll to it (WebDriver's pointer refuses a point
 * outside the viewport; Playwright's click scrolls the same way).
 */
export async function click(bidi: BiDi, context: string, sharedId: string, button: 0 | 1 = 0): Promise<void> {
  await callOnNode(bidi, context, sharedId, "(el) => el.scrollIntoView({ block: 'nearest', inline: 'nearest' })");
  await bidi.send('input.performActions', {
    context,
    actions: [
      {
        type: 'pointer',
        id: 'mouse',
        parameters: { pointerType: 'mouse' },
        actions: [
          { type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element: { sharedId } } },
          { type: 'pointerDown', button },
          { type: 'pointerUp', button },
        ],
      },
    ],
  });
}

/**
 * Clicks a button once it is enabled, as a person clicks what they see: `Join call`
 * ignores clicks for a moment after its page shows (PreJoin.tsx, JOIN_ARMING_MS).
 */
export async function clickWhenEnabled(bidi: BiDi, context: string, sharedId: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await callOnNode(bidi, context, sharedId, '(el) => el.disabled')) === true) {
    if (Date.now() > deadline) throw new Error(`the button stayed disabled for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await click(bidi, context, sharedId);
}

/** Picks `paths` in the page's first element matching `css` (a file input), as the file chooser does. */
export async function setFiles(bidi: BiDi, context: string, css: string, paths: string[]): Promise<void> {
  const { nodes } = await bidi.send<{ nodes: RemoteValue[] }>('browsingContext.locateNodes', {
    context,
    locator: { type: 'css', value: css },
    maxNodeCount: 1,
  });
  const sharedId = nodes[0]?.sharedId;
  if (!sharedId) throw new Error(`nothing matches ${css}`);
  await bidi.send('input.setFiles', { context, element: { sharedId }, files: paths });
}

/**
 * Runs `fn` (a function's source) in every page of this Firefox before the page's
 * own scripts, as Playwright's addInitScript does.
 */
export async function addPreloadScript(bidi: BiDi, fn: string): Promise<void> {
  await bidi.send('script.addPreloadScript', { functionDeclaration: fn });
}

export async function navigate(bidi: BiDi, context: string, url: string): Promise<void> {
  await bidi.send('browsingContext.navigate', { context, url, wait: 'complete' });
}

/** Spawns Firefox on a fresh profile until it prints its BiDi URL, retrying a silent start. */
async function startFirefox(
  prefs: Record<string, string | number | boolean>,
  display: string | undefined,
): Promise<{ child: ChildProcess; profile: string; wsUrl: string }> {
  for (let attempt = 1; ; attempt++) {
    const profile = mkdtempSync(join(tmpdir(), 'zing-firefox-'));
    writeFileSync(join(profile, 'user.js'), userJs({ ...PREFS, ...prefs }));
    const child = spawn(
      FIREFOX,
      [
        ...(display ? [] : ['--headless']),
        '--no-remote',
        '--remote-debugging-port=0',
        '--remote-allow-system-access',
        '--profile',
        profile,
        'about:blank',
      ],
      // MOZ_CRASHREPORTER_DISABLE: a crash fails the test instead of waiting on a reporter.
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', ...(display ? { DISPLAY: display } : { MOZ_HEADLESS: '1' }) },
      },
    );
    try {
      return { child, profile, wsUrl: await waitForBiDiUrl(child, START_TIMEOUT_MS) };
    } catch (err) {
      child.kill('SIGKILL');
      await exited(child, EXIT_GRACE_MS);
      removeProfile(profile);
      if (attempt >= START_ATTEMPTS) throw err;
      console.warn(
        `firefox start ${attempt} failed, trying a fresh profile: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
    }
  }
}

/**
 * Firefox with a fresh profile, Zing installed as a temporary add-on, and
 * its storage pointed at the test relay (no ICE servers: nothing leaves the machine).
 */
export async function launchFirefox(opts: FirefoxLaunchOptions): Promise<FirefoxPerson> {
  if (!existsSync(FIREFOX))
    throw new Error(`${FIREFOX} is missing: install Debian's firefox-esr (apt-get install firefox-esr) or set ZING_FIREFOX`);
  if (!existsSync(join(FIREFOX_DIST, 'manifest.json'))) throw new Error('dist/firefox is missing: run `npm run build` first');
  const screen = opts.webgl ? await startXvfb() : undefined;
  let started: Awaited<ReturnType<typeof startFirefox>>;
  try {
    started = await startFirefox(opts.prefs ?? {}, screen?.display);
  } catch (err) {
    await screen?.close();
    throw err;
  }
  const { child, profile, wsUrl } = started;
  // If the test runner itself exits (a crash, Ctrl-C), Firefox must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let bidi: BiDi | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      process.off('exit', killOnExit);
      if (bidi) {
        await bidi.send('browser.close', {}, 2_000).catch(() => undefined); // Firefox may drop the socket before answering
        bidi.close();
      }
      if (!(await exited(child, EXIT_GRACE_MS))) {
        child.kill('SIGKILL');
        await exited(child, EXIT_GRACE_MS);
      }
      removeProfile(profile);
      await screen?.close();
    })());
  try {
    // Keep draining Firefox's output so a chatty process never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    bidi = await BiDi.connect(`${wsUrl}/session`);
    await bidi.send('session.new', { capabilities: {} });
    const tabs = await bidi.send<{ contexts: { context: string }[] }>('browsingContext.getTree', {});
    const context = tabs.contexts[0]?.context;
    if (!context) throw new Error('no tab to drive');
    if (opts.extension === false) {
      const url = (): never => {
        throw new Error(`${opts.name}'s Firefox has no Zing installed`);
      };
      return { name: opts.name, bidi, context, url, close };
    }
    const { extension } = await bidi.send<{ extension: string }>('webExtension.install', {
      extensionData: { type: 'path', path: FIREFOX_DIST },
    });
    // moz-extension:// URLs carry a per-profile uuid, known only inside Firefox.
    const chrome = await bidi.send<{ contexts: { context: string }[] }>('browsingContext.getTree', { 'moz:scope': 'chrome' });
    const chromeContext = chrome.contexts[0]?.context;
    if (!chromeContext) throw new Error('no chrome-scope browsing context');
    const base = await evaluate(bidi, chromeContext, `WebExtensionPolicy.getByID(${JSON.stringify(extension)}).getURL('')`);
    if (typeof base !== 'string' || !base.startsWith('moz-extension://')) throw new Error(`unexpected extension base URL: ${String(base)}`);
    const url = (path: string) => base + path;
    // Settings through the extension's own storage, in an extension page's realm.
    await navigate(bidi, context, url('extension/options/index.html'));
    const stored = {
      settings: { relayUrl: opts.relayUrl, iceServers: [], ...opts.settings },
      profile: { name: opts.name, micMuted: false, cameraOff: false },
    };
    await evaluate(bidi, context, `browser.storage.local.set(${JSON.stringify(stored)}).then(() => true)`);
    return { name: opts.name, bidi, context, url, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Types `text` into the focused element, key by key, as a person would. */
export async function typeText(bidi: BiDi, context: string, text: string): Promise<void> {
  await bidi.send('input.performActions', {
    context,
    actions: [
      {
        type: 'key',
        id: 'keyboard',
        actions: [...text].flatMap((value) => [
          { type: 'keyDown', value },
          { type: 'keyUp', value },
        ]),
      },
    ],
  });
}

/** Polls the tabs until one shows a URL that starts with `prefix`; resolves with its context. */
export async function waitForTab(bidi: BiDi, prefix: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tree = await bidi.send<{ contexts: { context: string; url: string }[] }>('browsingContext.getTree', { maxDepth: 0 });
    const found = tree.contexts.find((c) => c.url.startsWith(prefix));
    if (found) return found.context;
    if (Date.now() > deadline) throw new Error(`no tab at ${prefix}… after ${timeoutMs} ms: ${tree.contexts.map((c) => c.url).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Joins `link` as a person does who chose it: the popup (opened as a page, since
 * a test cannot click the toolbar), the link typed into `Call link`, `Join`
 * pressed. The call page opens in a new tab and joins at once; the person's
 * `context` becomes that tab.
 */
export async function openFirefoxCallPage(person: FirefoxPerson, link: string): Promise<void> {
  const { bidi } = person;
  await navigate(bidi, person.context, person.url('extension/popup/index.html'));
  await click(bidi, person.context, await waitForOne(bidi, person.context, 'textbox', 'Call link', 5_000));
  await typeText(bidi, person.context, link);
  await click(bidi, person.context, await waitForOne(bidi, person.context, 'button', 'Join', 5_000));
  person.context = await waitForTab(bidi, person.url('extension/call/index.html'));
}

export interface FirefoxFrameProof {
  width: number;
  height: number;
  framesAdvanced: number;
}

/**
 * Proof that Firefox decodes a participant's video: the <video> in their tile
 * presents new frames (requestVideoFrameCallback, Firefox 132+) with a real size.
 */
export async function firefoxVideoFrames(person: FirefoxPerson, groupName: string, timeoutMs = 15_000): Promise<FirefoxFrameProof> {
  const started = Date.now();
  const group = await waitForOne(person.bidi, person.context, 'group', groupName, timeoutMs);
  const left = Math.max(1_000, timeoutMs - (Date.now() - started));
  const fn = `(group) => new Promise((resolve, reject) => {
    const v = group.querySelector('video');
    if (!v) return reject(new Error('no <video> in the tile'));
    const timer = setTimeout(() => reject(new Error('no decoded frames within ${left} ms')), ${left});
    let first;
    const onFrame = (_now, meta) => {
      if (first === undefined) first = meta.presentedFrames;
      const advanced = meta.presentedFrames - first;
      if (advanced >= 5 && meta.width > 0 && meta.height > 0) {
        clearTimeout(timer);
        resolve(JSON.stringify({ width: meta.width, height: meta.height, framesAdvanced: advanced }));
      } else v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  })`;
  const json = await callOnNode(person.bidi, person.context, group, fn, left + 2_000);
  return JSON.parse(String(json)) as FirefoxFrameProof; // the page sent exactly this shape
}

/** The value of an attribute on an element found by locateNodes. */
export async function attribute(person: FirefoxPerson, sharedId: string, name: string): Promise<string | null> {
  const v = await callOnNode(person.bidi, person.context, sharedId, `(el) => el.getAttribute(${JSON.stringify(name)})`);
  return typeof v === 'string' ? v : null;
}

/** Waits until the extension's share-link redirect is installed for `relayUrl`; `person.context` must show an extension page. */
export async function waitForFirefoxShareLinkRedirect(person: FirefoxPerson, relayUrl: string, timeoutMs = 10_000): Promise<void> {
  const origin = encodeURIComponent(new URL(relayUrl).origin);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rules = String(
      await evaluate(person.bidi, person.context, 'browser.declarativeNetRequest.getSessionRules().then((r) => JSON.stringify(r))'),
    );
    if (rules.includes(`o=${origin}&`)) return;
    if (Date.now() > deadline) throw new Error(`no share-link redirect for ${relayUrl} after ${timeoutMs} ms: ${rules}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Presses a key combination (`Alt+Shift+M`) in Firefox's browser window, as a
 * keyboard would: real, trusted key events from a TextInputProcessor in the
 * chrome scope, which Firefox routes like OS input, so its own shortcut
 * handling (extension `commands` included) sees them. Events that BiDi's
 * `input.performActions` makes inside a page never reach that handling.
 */
export async function pressInBrowserWindow(person: FirefoxPerson, combo: string): Promise<void> {
  const tree = await person.bidi.send<{ contexts: { context: string }[] }>('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const chrome = tree.contexts[0]?.context;
  if (!chrome) throw new Error('no chrome-scope browsing context');
  const keys = combo.split('+').map((k) => {
    const modifier = {
      Alt: ['Alt', 'AltLeft', 'DOM_VK_ALT'],
      Shift: ['Shift', 'ShiftLeft', 'DOM_VK_SHIFT'],
      Ctrl: ['Control', 'ControlLeft', 'DOM_VK_CONTROL'],
    }[k];
    if (modifier) return modifier;
    if (!/^[A-Z0-9]$/.test(k)) throw new Error(`cannot press "${k}"`);
    return [k, /\d/.test(k) ? `Digit${k}` : `Key${k}`, `DOM_VK_${k}`];
  });
  const result = await evaluate(
    person.bidi,
    chrome,
    `(() => {
      const tip = Cc['@mozilla.org/text-input-processor;1'].createInstance(Ci.nsITextInputProcessor);
      if (!tip.beginInputTransactionForTests(window)) return 'no input transaction';
      const keys = ${JSON.stringify(keys)}.map(([key, code, vk]) => new KeyboardEvent('', { key, code, keyCode: KeyboardEvent[vk] }));
      for (const k of keys) tip.keydown(k);
      for (const k of keys.reverse()) tip.keyup(k);
      return 'pressed';
    })()`,
  );
  if (result !== 'pressed') throw new Error(`could not press ${combo}: ${String(result)}`);
}
