// Chromium browsers kept from one e2e file to the next. Starting one (a new
// profile, the extension loaded, its options page) cost about 2 s of a
// saturated 2-core machine, and the suite started 65: 156 s of a 1,190 s e2e
// run went to starting browsers. A person who leaves hands their browser back
// clean, and the next person launched with the same switches gets it.
//
// Clean means, as far as Zing can see, what a new profile gives: no tab but one
// blank one, the extension's storage (local and session) empty, no cookies or
// permissions, and none of the scripts a test added to every page. The
// extension's service worker is not restarted (runtime.reload unloads an
// extension loaded from the command line, and it does not come back): its
// state is what the product itself keeps of calls that ended, which a person
// whose calls ended has too. Kept, as a person's browser keeps them: the HTTP
// cache, history, and the origins' media engagement.
//
// Only where the e2e project asks for it (ZING_BROWSER_POOL, vitest.config.ts):
// a pooled browser outlives its test file, so it needs the one long-lived
// worker that the project's `isolate: false` gives, and a teardown that ends
// what is left (e2e-run.ts). Benchmarks and scripts close for real.
import type { BrowserContext, Disposable } from 'playwright-core';

export interface PooledBrowser {
  readonly context: BrowserContext;
  /** Ends the browser and removes its profile. */
  end(): Promise<void>;
}

/** Where the e2e project keeps its profiles; set by e2e-run.ts for one run. */
export const POOL_PROFILES_ENV = 'ZING_BROWSER_POOL';

const idle = new Map<string, PooledBrowser[]>();
const alive = new WeakSet<BrowserContext>();
/** What each pooled browser's tests added to every page, to take away before the next test. */
const scripts = new WeakMap<BrowserContext, Disposable[]>();

/** The folder pooled profiles go in, or undefined where browsers are not pooled. */
export const poolFolder = (): string | undefined => process.env[POOL_PROFILES_ENV] || undefined;

/**
 * Marks a new browser as one the pool may keep, while it has not closed or crashed, and notes
 * every script added to its pages from now on (context.addInitScript) so giveBack can take it away.
 */
export function track(context: BrowserContext): void {
  alive.add(context);
  context.once('close', () => alive.delete(context));
  const added: Disposable[] = [];
  scripts.set(context, added);
  const addInitScript = context.addInitScript.bind(context);
  context.addInitScript = async (...args: Parameters<BrowserContext['addInitScript']>) => {
    const script = await addInitScript(...args);
    added.push(script);
    return script;
  };
}

/** An idle browser started with `key`'s switches, if one is kept. */
export function take(key: string): PooledBrowser | undefined {
  const list = idle.get(key);
  for (let browser = list?.pop(); browser; browser = list?.pop()) {
    if (alive.has(browser.context)) return browser;
    void browser.end();
  }
  return undefined;
}

/** Keeps `browser` for the next person with `key`'s switches once `clean` succeeds; ends it otherwise. */
export async function giveBack(key: string, browser: PooledBrowser, clean: () => Promise<void>): Promise<void> {
  if (!alive.has(browser.context)) return browser.end();
  try {
    for (const script of scripts.get(browser.context)?.splice(0) ?? []) await script.dispose();
    await clean();
  } catch (err) {
    console.warn(`a browser could not be cleaned for the next test, so it is closed: ${err instanceof Error ? err.message : String(err)}`);
    return browser.end();
  }
  const list = idle.get(key) ?? [];
  list.push(browser);
  idle.set(key, list);
}
