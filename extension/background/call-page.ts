import browser from 'webextension-polyfill';
import { callPageFragment, type ShareLink } from '../session/share-link.ts';

export const CALL_PAGE_PATH = 'extension/call/index.html';

/** The call page for a link; the link rides in the page's own #fragment. */
export const callPageUrl = (link: ShareLink): string => browser.runtime.getURL(CALL_PAGE_PATH) + callPageFragment(link);
