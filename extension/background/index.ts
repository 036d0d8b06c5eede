// The background only wires browser events to the call page; no call logic lives here.
//
// A share link for the configured relay, opened anywhere (clicked on any site,
// in the same tab, a new one or with a middle click, or typed), is redirected
// by a declarativeNetRequest rule to the call page before any request leaves
// the browser: the relay never serves a page that could read the key. The same
// in Chromium and Firefox. The call page is web-accessible to every site for
// that (both browsers check a redirect into it against the page that started
// the navigation), so the page joins nothing until the person presses
// `Join call` (session/entry.ts). The browser applies the rule only where Zing
// may access the relay's host: the build's relay is granted by the manifest,
// another one by the person in the options page (session/relay-access.ts).
// Without that access the rule is left out, and the options page says so.
import browser from 'webextension-polyfill';
import { CALL_PAGE_PATH } from './call-page.ts';
import { SHARE_LINK_RULE_ID, shareLinkRuleUpdate } from './share-link-rule.ts';
import { installToolbar } from './toolbar.ts';
import { deferUpdatesDuringCalls } from './updates.ts';
import { relayAccess } from '../session/relay-access.ts';
import { loadSettings, onSettingsChanged } from '../session/storage.ts';

async function installRedirect(): Promise<void> {
  const dnr = browser.declarativeNetRequest;
  // Only where the build asked for it; awaited so a bad rule is reported, not skipped silently.
  if (!dnr || !(await browser.permissions.contains({ permissions: ['declarativeNetRequestWithHostAccess'] }))) return;
  const { relayUrl } = await loadSettings();
  const hasHostAccess = await browser.permissions.contains(relayAccess(relayUrl));
  if (!hasHostAccess) console.warn(`zing: no access to ${new URL(relayUrl).host}: its share links open as the relay's page`);
  // A session rule: in Chromium the call page's URL (use_dynamic_url) changes with every browser session.
  await dnr.updateSessionRules(shareLinkRuleUpdate(new URL(relayUrl).origin, browser.runtime.getURL(CALL_PAGE_PATH), hasHostAccess));
  // Zing 0.1 kept the rule among the dynamic rules, which outlive the session and would point at a stale URL.
  await dnr.updateDynamicRules({ removeRuleIds: [SHARE_LINK_RULE_ID] });
}

// One install at a time: each replaces the rule, and two interleaved could collide on its id.
let installing = Promise.resolve();
const install = () => {
  installing = installing.then(installRedirect).catch((err: unknown) => console.error('zing: share-link redirect not installed', err));
};
// Every start of the background (browser start, install, update, enable, wake-up) checks the rule;
// the listeners are there so that the browser starts the background for those events at all.
install();
browser.runtime.onInstalled.addListener(install);
browser.runtime.onStartup.addListener(install);
onSettingsChanged(install);
// Access to the relay's host granted (the options page, the browser's own settings) or taken away.
browser.permissions.onAdded.addListener(install);
browser.permissions.onRemoved.addListener(install);

// The badge, the popup during a call and the browser's shortcuts (toolbar.ts).
installToolbar();
// An update waits until no call page is open (updates.ts).
deferUpdatesDuringCalls();
