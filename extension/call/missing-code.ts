// Code the call page loads after it starts (a dialog, a panel, an effect) comes
// from where the page came from. On the relay's web page that is the relay, and
// a relay redeployed under an open page serves a new build whose files have new
// names: the names this page knows are gone (so are all of them while the
// network is). Vite's loader reports each such failure as `vite:preloadError`
// on the window; the page then says so in words and offers a reload, rather
// than leave a button that does nothing. The error still reaches whoever
// imported (later.ts asks again on the next click).
import { createSignal, type Accessor } from 'solid-js';

/** The event Vite's loader dispatches on the window when a dynamic import or one of its chunks fails. */
export const PRELOAD_ERROR = 'vite:preloadError';

const [missing, setMissing] = createSignal(false);
const [unreachable, setUnreachable] = createSignal(false);

/** Whether some code this page asked for did not load, and the person has not dismissed saying so. */
export const codeMissing: Accessor<boolean> = missing;

/** Whether the last Reload page found the page's own address unreachable, and so did not reload. */
export const pageUnreachable: Accessor<boolean> = unreachable;

/** Listens on `target` (the page's window) for code that does not load, for the page's life. */
export function watchMissingCode(target: Pick<EventTarget, 'addEventListener'>): void {
  target.addEventListener(PRELOAD_ERROR, () => setMissing(true));
}

/** The person read it: hidden until code fails to load again. */
export const dismissMissingCode = (): void => {
  setMissing(false);
  setUnreachable(false);
};

/**
 * Reloads the page once its own address answers. While the network (or, for
 * the relay's web page, the relay) is down, a reload would put the browser's
 * error page where the call is, and the call would end: it says so instead,
 * and the person tries again later.
 */
export async function reloadIfReachable(
  page: Pick<Location, 'href' | 'reload'> = location,
  get: (url: string, init: RequestInit) => Promise<Pick<Response, 'ok'>> = fetch,
): Promise<boolean> {
  try {
    // The fragment (the call's key) is never sent anyway; without it the request is plainly the page's.
    if ((await get(page.href.split('#')[0] ?? page.href, { cache: 'no-store' })).ok) {
      page.reload();
      return true;
    }
  } catch {
    // Offline, or the relay down: the same for the person.
  }
  setUnreachable(true);
  return false;
}
