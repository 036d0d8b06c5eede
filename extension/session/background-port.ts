// A runtime port to the background that opens again whenever the background
// drops it. The background is not always there: Chromium ends an idle service
// worker (or one that misbehaved), Firefox suspends an idle event page, and an
// update reloads it. Each time, every port to it disconnects, and a page that
// opened its port once would go deaf: its buttons would do nothing, silently.
import browser from 'webextension-polyfill';

/** Wait before reopening a port the background dropped (it restarted, or the extension was reloaded)… */
export const RECONNECT_MS = 500;
/** …doubling while it keeps dropping at once, up to this: a background that refuses us is not hammered. */
export const RECONNECT_MAX_MS = 30_000;

/**
 * How long to wait before reopening a port that lasted `lastedMs` after the
 * previous wait was `previousMs`. A port that lasted was a working link that
 * ended (a restart): come back quickly. One dropped at once is backed off.
 */
export function reconnectDelay(previousMs: number, lastedMs: number): number {
  return lastedMs > RECONNECT_MAX_MS ? RECONNECT_MS : Math.min(previousMs * 2, RECONNECT_MAX_MS);
}

export interface BackgroundPortHandlers {
  /** Every message the background sends, unchecked: parse it. */
  onMessage(message: unknown): void;
  /** The port is open (again): say what the background must know, it may have forgotten. */
  onOpen?(): void;
  /** The port is gone; it reopens by itself unless closed. */
  onDrop?(): void;
}

export interface BackgroundPort {
  /** Sends on the open port; false while none is open (the message is not kept). */
  post(message: unknown): boolean;
  /** Closes for good; safe twice. */
  close(): void;
}

/** Opens the port named `name` now, and again after each drop until closed. */
export function openBackgroundPort(name: string, handlers: BackgroundPortHandlers): BackgroundPort {
  let port: browser.Runtime.Port | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let delay = RECONNECT_MS;

  const open = () => {
    retry = undefined;
    if (closed) return;
    const p = browser.runtime.connect({ name });
    const opened = Date.now();
    port = p;
    p.onMessage.addListener((message: unknown) => {
      if (port === p) handlers.onMessage(message);
    });
    p.onDisconnect.addListener(() => {
      if (port !== p) return;
      port = undefined;
      delay = reconnectDelay(delay, Date.now() - opened);
      if (closed) return;
      retry = setTimeout(open, delay);
      handlers.onDrop?.();
    });
    // After this function has returned: onOpen may post on the port it returns.
    queueMicrotask(() => {
      if (port === p) handlers.onOpen?.();
    });
  };
  open();

  return {
    post(message) {
      if (!port) return false;
      try {
        port.postMessage(message);
        return true;
      } catch {
        // Disconnected a moment before its onDisconnect runs: that reopens it.
        return false;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(retry);
      const p = port;
      port = undefined;
      p?.disconnect();
    },
  };
}
