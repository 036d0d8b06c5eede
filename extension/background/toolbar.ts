// The toolbar while a call runs: call pages report over a port, the badge and
// the popup follow the latest call, and the browser's shortcuts (`commands`)
// and the popup's buttons are passed on to that call's page. No call logic:
// the page does what it is asked, then reports back.
import browser from 'webextension-polyfill';
import { CALL_PAGE_PATH } from './call-page.ts';
import { CLOSED_PAGE_SETTLE_MS, applyUpdateWhenIdle } from './updates.ts';
import { HeldCommands } from '../session/held-commands.ts';
import { CallRegistry, NO_CALL_BADGE, NO_CALL_BADGE_MS, badgeFor, type Badge } from '../session/call-registry.ts';
import {
  CALL_PORT,
  POPUP_PORT,
  commandFor,
  isExtensionPage,
  parseCallReport,
  parsePopupRequest,
  type CallCommand,
  type PopupUpdate,
} from '../session/toolbar-messages.ts';

const POPUP_PAGE_PATH = 'extension/popup/index.html';

/** Only this extension's own page at `path` may open the port named for it (a content script has the same id). */
const isOwnPage = (sender: browser.Runtime.MessageSender | undefined, path: string): boolean =>
  sender?.id === browser.runtime.id && typeof sender.url === 'string' && isExtensionPage(sender.url, path);

export function installToolbar(): void {
  const calls = new CallRegistry();
  const pages = new Map<number, browser.Runtime.Port>();
  const popups = new Set<browser.Runtime.Port>();
  let flashing: ReturnType<typeof setTimeout> | undefined;

  const showBadge = (badge: Badge) => {
    const action = browser.action;
    void Promise.all([
      action.setBadgeText({ text: badge.text }),
      action.setBadgeBackgroundColor({ color: badge.color }),
      action.setBadgeTextColor?.({ color: '#ffffff' }),
      action.setTitle({ title: badge.title }),
    ]).catch((err: unknown) => console.warn('zing: badge not updated', err));
  };

  const popupUpdate = (): PopupUpdate => {
    const call = calls.current();
    return { type: 'call', call: call ? { tabId: call.tabId, micMuted: call.micMuted, cameraOff: call.cameraOff, call: call.call } : null };
  };

  // Every change: the badge (unless a "no call" notice is showing) and every open popup.
  const changed = () => {
    if (flashing === undefined) showBadge(badgeFor(calls.current()));
    const update = popupUpdate();
    for (const popup of popups) popup.postMessage(update);
  };

  // A page not (yet) connected: the background restarted and its call pages are still reconnecting.
  const held = new HeldCommands();
  const send = (tabId: number, command: CallCommand) => {
    const page = pages.get(tabId);
    if (page) page.postMessage(command);
    else held.hold(tabId, command, Date.now());
  };

  browser.runtime.onConnect.addListener((port) => {
    if (port.name === CALL_PORT) {
      const tabId = port.sender?.tab?.id;
      if (!isOwnPage(port.sender, CALL_PAGE_PATH) || tabId === undefined) return port.disconnect();
      pages.get(tabId)?.disconnect(); // a reloaded page's old port, if it is still around
      pages.set(tabId, port);
      const waiting = held.take(tabId, Date.now());
      if (waiting) port.postMessage(waiting);
      port.onMessage.addListener((message: unknown) => {
        const report = parseCallReport(message);
        if (!report) return;
        calls.report(tabId, report);
        changed();
      });
      port.onDisconnect.addListener(() => {
        // A newer port of the same tab may already have taken this one's place.
        if (pages.get(tabId) !== port) return;
        pages.delete(tabId);
        calls.remove(tabId);
        changed();
        // The page may have closed: a waiting update can go now, once its tab is gone.
        setTimeout(applyUpdateWhenIdle, CLOSED_PAGE_SETTLE_MS);
      });
    } else if (port.name === POPUP_PORT) {
      if (!isOwnPage(port.sender, POPUP_PAGE_PATH)) return port.disconnect();
      popups.add(port);
      port.onDisconnect.addListener(() => {
        popups.delete(port);
        // An update waits while the popup is open; this may have been the last page of Zing.
        setTimeout(applyUpdateWhenIdle, CLOSED_PAGE_SETTLE_MS);
      });
      port.onMessage.addListener((message: unknown) => {
        const request = parsePopupRequest(message);
        if (!request) return;
        send(request.tabId, request.type === 'leave' ? { type: 'leave' } : { type: 'setMicMuted', muted: request.muted });
      });
      port.postMessage(popupUpdate());
    } else {
      port.disconnect();
    }
  });

  // Fired once per key press, from any tab or window of this browser.
  browser.commands?.onCommand.addListener((name: string) => {
    const command = commandFor(name);
    if (!command) return;
    const call = calls.current();
    if (call) {
      send(call.tabId, command);
      return;
    }
    // Nothing to mute or turn off: say so where the person will look, then go back.
    clearTimeout(flashing);
    showBadge(NO_CALL_BADGE);
    flashing = setTimeout(() => {
      flashing = undefined;
      changed();
    }, NO_CALL_BADGE_MS);
  });

  // A restarted background knows no calls until their pages report again (they reconnect at once).
  changed();
}
