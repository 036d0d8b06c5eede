// Opens the call page for a link in a new tab, then closes the popup.
import browser from 'webextension-polyfill';
import { callPageFragment, type ShareLink } from '../session/share-link.ts';

export const CALL_PAGE_PATH = 'extension/call/index.html';

export async function openCall(link: ShareLink): Promise<void> {
  await browser.tabs.create({ url: browser.runtime.getURL(CALL_PAGE_PATH) + callPageFragment(link) });
  window.close();
}
