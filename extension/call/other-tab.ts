// The call page's wiring to other tabs of this browser in the same call
// (session/same-call.ts says why): loaded once the call runs, or with the
// pre-join page, never at page start.
import { type Accessor, createSignal } from 'solid-js';
import type { CallSession } from '../session/call-session.ts';
import { type CallElsewhere, tabs } from '../session/same-call.ts';
import { type ShareLink, callOf } from '../session/share-link.ts';
import { canShowTabs, showThisTab } from '../session/show-tab.ts';

export { canShowTabs };

// Each takes the call as share-link.ts callOf names it: only a link whose key
// derives its room names a call, so a changed link never moves a real one.

/**
 * While this page is in the call: another tab that lands on the call's
 * pre-join page learns so, can bring this tab forward, or moves the call
 * there (this page leaves).
 */
export function answerForThisCall(call: string, session: CallSession): void {
  const stop = tabs.answerForCall(call, {
    show: () => void showThisTab().catch((err: unknown) => console.warn('zing: could not show the call tab', err)),
    leave: () => session.leave('moved'),
  });
  addEventListener('pagehide', stop);
}

/**
 * This page joins straight in (Zing's own UI chose this call here): any other
 * tab in the same call leaves it. The popup's Join of the running call's link
 * goes back to that tab instead (open-call.ts); this covers a call the popup
 * did not show, as with two calls running.
 */
export function takeCallHere(call: string): void {
  tabs.leaveElsewhere(call);
}

/**
 * After the call moved to another tab: brings that tab forward. Resolves false
 * when no tab answers (that call ended meanwhile) or this page cannot (the guest page).
 */
export async function goToCall(link: ShareLink): Promise<boolean> {
  if (!canShowTabs()) return false;
  const named = await callOf(link);
  if (!named.ok) return false;
  const other = await tabs.findCallElsewhere(named.call);
  other?.show();
  other?.close();
  return other !== undefined;
}

export interface Elsewhere {
  /** The call in another tab, while there is one. */
  found: Accessor<CallElsewhere | undefined>;
  /** Whether this page can bring that tab forward (not the guest page). */
  canShow: boolean;
  /** Stops asking (the person joins here). */
  stop: () => void;
}

/**
 * On the pre-join page: whether another tab of this browser is in this call,
 * asked as the page opens and again whenever it is shown (that call may have
 * ended meanwhile, or begun).
 */
export function callElsewhere(call: string): Elsewhere {
  const [found, setFound] = createSignal<CallElsewhere | undefined>();
  const ask = () =>
    tabs
      .findCallElsewhere(call)
      .then((other) => {
        found()?.close();
        setFound(other);
      })
      .catch((err: unknown) => console.warn('zing: could not ask other tabs about this call', err));
  const onShown = () => {
    if (document.visibilityState === 'visible') void ask();
  };
  void ask();
  document.addEventListener('visibilitychange', onShown);
  return { found, canShow: canShowTabs(), stop: () => document.removeEventListener('visibilitychange', onShown) };
}
