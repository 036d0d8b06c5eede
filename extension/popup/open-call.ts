// Opens the call page for a link in a new tab, then closes the popup.
import browser from 'webextension-polyfill';
import { callPageUrl } from '../background/call-page.ts';
import type { ShareLink } from '../session/share-link.ts';

export async function openCall(link: ShareLink): Promise<void> {
  await browser.tabs.create({ url: callPageUrl(link) });
  window.close();
}
