// The background only wires browser events to the call page; no call logic lives here.
// Chromium: a declarativeNetRequest rule sends share links for the configured
// relay straight to the call page (the relay never sees the request, and the
// #key survives the redirect). Firefox: a content script on the relay's /r/
// pages asks for the same, answered here.
import browser from 'webextension-polyfill';
import { CALL_PAGE_PATH, callPageUrl } from './call-page.ts';
import { shareLinkRule, SHARE_LINK_RULE_ID } from './share-link-rule.ts';
import { loadSettings, onSettingsChanged } from '../session/storage.ts';
import { parseShareLink } from '../session/share-link.ts';

async function installRedirect(): Promise<void> {
  const dnr = browser.declarativeNetRequest;
  // Only where the build asked for it (Chromium); awaited so a bad rule is reported, not skipped silently.
  if (!dnr || !(await browser.permissions.contains({ permissions: ['declarativeNetRequestWithHostAccess'] }))) return;
  const { relayUrl } = await loadSettings();
  await dnr.updateDynamicRules({
    removeRuleIds: [SHARE_LINK_RULE_ID],
    addRules: [shareLinkRule(new URL(relayUrl).origin, browser.runtime.getURL(CALL_PAGE_PATH))],
  });
}

const install = () => installRedirect().catch((err: unknown) => console.error('zing: share-link redirect not installed', err));
browser.runtime.onInstalled.addListener(install);
browser.runtime.onStartup.addListener(install);
onSettingsChanged(install);

browser.runtime.onMessage.addListener((message: unknown, sender: browser.Runtime.MessageSender) => {
  if (typeof message !== 'object' || message === null || !('openShareLink' in message)) return undefined;
  const href = (message as { openShareLink: unknown }).openShareLink; // an object with that key, checked above
  const tabId = sender.tab?.id;
  if (typeof href !== 'string' || tabId === undefined) return undefined;
  const parsed = parseShareLink(href);
  if (!parsed.ok) return undefined;
  return browser.tabs.update(tabId, { url: callPageUrl(parsed.link) }).then(() => undefined);
});
