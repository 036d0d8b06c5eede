import browser from 'webextension-polyfill';
import { ENTRY_TOKEN_PARAM } from '../session/entry-grant.ts';
import { callPageFragment, type ShareLink } from '../session/share-link.ts';

export const CALL_PAGE_PATH = 'extension/call/index.html';

/**
 * The call page for a link; the link rides in the page's own #fragment. With a
 * `token` from grantEntry (Zing's own UI), the page joins at once; without, it
 * shows the pre-join gate.
 */
export const callPageUrl = (link: ShareLink, token?: string): string =>
  browser.runtime.getURL(CALL_PAGE_PATH) + (token ? `?${ENTRY_TOKEN_PARAM}=${token}` : '') + callPageFragment(link);
