// An update reloads Zing, and a reload closes every page of the extension: a
// call in progress would end mid-sentence. Firefox reloads an add-on the moment
// an update arrives, unless its background listens for onUpdateAvailable; then
// the update waits for the next reload. (Chromium waits by itself while a page
// of the extension is open.) So Zing listens, and reloads to apply the update
// once none of its pages is open: no call page, and no options page or popup
// either (a reload would close them under the person, with what they were
// typing). At once if none is, else when the last one goes (its port drops, or
// its tab closes).
import browser from 'webextension-polyfill';

/** In storage.session: an update is waiting (it outlives a restart of the background, not a reload). */
const PENDING_KEY = 'zing:update-pending';

/** True while a page of Zing is open: a call page (in a call, at its gate, or after it ended), the options, the popup. */
async function pageOpen(): Promise<boolean> {
  const pages = await browser.runtime.getContexts({ contextTypes: ['TAB', 'POPUP'] });
  return pages.length > 0;
}

let applying = Promise.resolve();

/** How long after a page's port drops to look: its tab may still be listed while it closes. */
export const CLOSED_PAGE_SETTLE_MS = 1_000;

/** Reloads into a waiting update if no page of Zing is open; call it whenever one may have closed. */
export function applyUpdateWhenIdle(): void {
  applying = applying
    .then(async () => {
      const { [PENDING_KEY]: pending } = await browser.storage.session.get(PENDING_KEY);
      if (pending !== true || (await pageOpen())) return;
      // Cleared by the reload in both browsers; removed first all the same, so no browser can loop on it.
      await browser.storage.session.remove(PENDING_KEY);
      browser.runtime.reload();
    })
    .catch((err: unknown) => console.warn('zing: a waiting update was not applied', err));
}

export function deferUpdatesDuringCalls(): void {
  browser.runtime.onUpdateAvailable.addListener(() => {
    applying = applying.then(() => browser.storage.session.set({ [PENDING_KEY]: true }));
    applyUpdateWhenIdle();
  });
  // A call page that never joined (its gate, a failure page) and the options page hold no port
  // whose end would say they closed: any tab closing looks again, so the update does not wait for
  // some later wake-up of the background.
  browser.tabs.onRemoved.addListener(() => setTimeout(applyUpdateWhenIdle, CLOSED_PAGE_SETTLE_MS));
  // A background that restarted after the update arrived (an idle event page, a stopped service worker).
  applyUpdateWhenIdle();
}
