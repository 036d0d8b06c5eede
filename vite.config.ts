import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import solid from 'vite-plugin-solid';
import baseManifest from './manifest.json' with { type: 'json' };
import { ANY_RELAY_HOSTS, relayHostPattern } from './extension/session/relay-access.ts';

// One source, three builds, picked by ZING_TARGET:
//   chrome  (default) → dist/chrome   the extension for Chromium browsers
//   firefox           → dist/firefox  the same extension for Firefox
//   web               → dist/web      the call page alone, which the relay serves to guests without Zing
type Target = 'chrome' | 'firefox' | 'web';
const target = (process.env.ZING_TARGET ?? 'chrome') as Target; // checked just below
if (!['chrome', 'firefox', 'web'].includes(target)) throw new Error(`ZING_TARGET must be chrome, firefox or web, not "${target}"`);

// The relay a build talks to unless the user sets another in the options page.
const relayUrl = new URL(process.env.ZING_RELAY_URL ?? 'http://127.0.0.1:8787');
// Host permission for the relay's host (any port), and nothing broader: it lets
// the declarativeNetRequest rule redirect a share link to the call page. A relay
// set in the options page is another host: the page asks for it from the
// person's click (optional_host_permissions, below; extension/options/Options.tsx).
const relayHosts = relayHostPattern(relayUrl.href);

type Manifest = typeof baseManifest & Record<string, unknown>;

// Pages run only the build's own scripts. 'wasm-unsafe-eval' lets them compile
// WebAssembly (RNNoise for noise suppression, MediaPipe for background blur),
// and nothing more: no eval, no new Function ('unsafe-eval' is refused by the
// stores). Firefox also needs the policy spelled out: its default upgrades
// ws:// to wss://, which breaks a plain-HTTP relay.
const EXTENSION_PAGES_CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'";

function manifestFor(browser: 'chrome' | 'firefox'): ManifestV3Export {
  const { key, browser_specific_settings, ...common } = baseManifest as Manifest;
  // A share link clicked on any site is redirected into the call page, and both
  // browsers check that redirect against the page the click came from: the call
  // page must be web-accessible to every site (narrower, Chromium shows
  // ERR_BLOCKED_BY_CLIENT and Firefox a blank tab). So any site can open it, and
  // it joins nothing until `Join call` is pressed (extension/session/entry.ts).
  const callPage = { resources: ['extension/call/index.html'], matches: ['<all_urls>'] };
  const m: Record<string, unknown> = {
    ...common,
    permissions: [...common.permissions, 'declarativeNetRequestWithHostAccess'],
    host_permissions: [relayHosts],
    // Any http(s) host may be asked for, as the person's own relay; none is granted until they allow it.
    // Both Chromium and Firefox (128+) take the MV3 key.
    optional_host_permissions: ANY_RELAY_HOSTS,
  };
  if (browser === 'chrome') {
    // The key pins the extension id, so every unpacked install has the same origin.
    m.key = key;
    m.background = { service_worker: 'extension/background/index.ts', type: 'module' };
    // Reachable only at a URL that changes every browser session (runtime.getURL gives it, the
    // redirect uses it): no site can probe the fixed id's URL to learn that Zing is installed.
    m.web_accessible_resources = [{ ...callPage, use_dynamic_url: true }];
    m.content_security_policy = { extension_pages: EXTENSION_PAGES_CSP };
  } else {
    m.browser_specific_settings = browser_specific_settings;
    m.background = { scripts: ['extension/background/index.ts'], type: 'module' };
    m.content_security_policy = { extension_pages: EXTENSION_PAGES_CSP };
    // Firefox has no use_dynamic_url; its moz-extension:// host is a random id per install, unknown to sites.
    m.web_accessible_resources = [callPage];
  }
  return m as unknown as ManifestV3Export; // assembled from the checked-in manifest plus the keys above
}

/**
 * MediaPipe's small graph file would otherwise be inlined as a data: URL, which
 * the guest page's CSP (connect-src 'self') refuses to fetch: the model, graph
 * and WebAssembly files always ship as files of the build.
 */
const NEVER_INLINE = /\.(binarypb|tflite|wasm)$/;

const shared: UserConfig = {
  define: {
    __ZING_DEFAULT_RELAY_URL__: JSON.stringify(relayUrl.origin),
  },
};
const assetsInlineLimit = (file: string): boolean | undefined => (NEVER_INLINE.test(file) ? false : undefined);

export default defineConfig(
  target === 'web'
    ? {
        ...shared,
        plugins: [solid()],
        // The relay serves these files under /_zing/ and the page itself at /r/<room>.
        base: '/_zing/',
        resolve: {
          alias: {
            'webextension-polyfill': fileURLToPath(new URL('./extension/web/browser-shim.ts', import.meta.url)),
          },
        },
        build: {
          outDir: 'dist/web',
          emptyOutDir: true,
          assetsInlineLimit,
          target: 'es2022',
          // .vite/manifest.json: what each page loads eagerly, read by scripts/check-budgets.mjs.
          manifest: true,
          rollupOptions: { input: { guest: 'extension/web/index.html' } },
        },
      }
    : {
        ...shared,
        plugins: [solid(), crx({ manifest: manifestFor(target), browser: target })],
        build: {
          outDir: `dist/${target}`,
          emptyOutDir: true,
          assetsInlineLimit,
          target: 'es2022',
          manifest: true,
          // A page's static imports are still preloaded from its HTML (`false` dropped those links too, and
          // the browser found them only once the entry had loaded: a waterfall on a cold call page). What goes: the polyfill, which every browser Zing runs in
          // does not need, and the helper that wrapped each import() to fetch a lazy chunk's imports ahead,
          // which saves nothing when they load from the extension's own package. Together they weighed
          // 0.65 KB gzipped of the call page's eager JavaScript.
          modulePreload: { polyfill: false, resolveDependencies: (_file, deps, { hostType }) => (hostType === 'html' ? deps : []) },
          // The call page is opened by URL, not named in the manifest, so it must be an explicit input.
          rollupOptions: { input: { call: 'extension/call/index.html' } },
        },
      },
);
