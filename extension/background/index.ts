// The background only wires browser events to the call page; no call logic lives here.
//
// A share link for the configured relay, opened anywhere (clicked on any site,
// in the same tab, a new one or with a middle click, or typed), is redirected
// by a declarativeNetRequest rule to the call page before any request leaves
// the browser: the relay never serves a page that could read the key. The same
// in Chromium and Firefox. The call page is web-accessible to every site for
// that (both browsers check a redirect into it against the page that started
// the navigation), so the page joins nothing until the person presses
// `Join call` (session/entry.ts).
import browser from 'webextension-polyfill';
import { CALL_PAGE_PATH } from './call-page.ts';
import { shareLinkRule, SHARE_LINK_RULE_ID } from './share-link-rule.ts';
import { installToolbar } from './toolbar.ts';
import { deferUpdatesDuringCalls } from './updates.ts';
import { loadSettings, onSettingsChanged } from '../session/storage.ts';

async function installRedirect(): Promise<void> {
  const dnr = browser.declarativeNetRequest;
  // Only where the build asked for it; awaited so a bad rule is reported, not skipped silently.
  if (!dnr || !(await browser.permissions.contains({ permissions: ['declarativeNetRequestWithHostAccess'] }))) return;
  const { relayUrl } = await loadSettings();
  // A session rule: in Chromium the call page's URL (use_dynamic_url) changes with every browser session.
  await dnr.updateSessionRules({
    removeRuleIds: [SHARE_LINK_RULE_ID],
    addRules: [shareLinkRule(new URL(relayUrl).origin, browser.runtime.getURL(CALL_PAGE_PATH))],
  });
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

// The badge, the popup during a call and the browser's shortcuts (toolbar.ts).
installToolbar();
// An update waits until no call page is open (updates.ts).
deferUpdatesDuringCalls();
