// Opens the call page for a link in a new tab, then closes the popup.
import browser from 'webextension-polyfill';
import { callPageUrl } from '../background/call-page.ts';
import type { ShareLink } from '../session/share-link.ts';
import { grantEntry } from '../session/storage.ts';

/** The person chose this call here, in Zing's own UI: the page it opens joins without asking again. */
export async function openCall(link: ShareLink): Promise<void> {
  const token = await grantEntry(link.href);
  await browser.tabs.create({ url: callPageUrl(link, token) });
  window.close();
}
