// The call page's side of the toolbar: reports its call to the background over
// a port (so the badge, the popup and the browser's shortcuts know of it) and
// does what the background passes on. Extension builds only: the guest page
// has no background, and there this does nothing.
import browser from 'webextension-polyfill';
import type { CallSession, CallState } from './call-session.ts';
import { CALL_PORT, parseCallCommand, type CallCommand, type CallReport } from './toolbar-messages.ts';

/**
 * How often a running call reports even without a change. Chromium ends an
 * idle extension service worker after 30 s, and a message on a port counts as
 * activity (Chrome 114+); a Firefox event page likewise. Kept alive, the
 * background answers a shortcut at once.
 */
export const TOOLBAR_KEEPALIVE_MS = 20_000;
/** Wait before reopening a port the background dropped (it restarted, or the extension was reloaded)… */
export const TOOLBAR_RECONNECT_MS = 500;
/** …doubling while it keeps dropping at once, up to this: a background that refuses us is not hammered. */
export const TOOLBAR_RECONNECT_MAX_MS = 30_000;

const reportOf = (state: CallState, startedAt: number): CallReport => {
  const self = state.participants.find((p) => p.self);
  return {
    type: 'callState',
    live: state.phase !== 'ended' && state.phase !== 'failed',
    micMuted: self?.micMuted ?? false,
    cameraOff: self?.cameraOff ?? false,
    startedAt,
  };
};

/** Links `session` to the toolbar until the returned function is called (or the page goes away). */
export function linkToToolbar(session: CallSession, startedAt = Date.now()): () => void {
  if (typeof browser.runtime?.connect !== 'function') return () => undefined; // the guest page: no extension
  let port: browser.Runtime.Port | undefined;
  let last = '';
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let delay = TOOLBAR_RECONNECT_MS;

  const post = (force = false) => {
    const report = reportOf(session.state, startedAt);
    const key = JSON.stringify(report);
    if (!port || (!force && key === last)) return;
    last = key;
    port.postMessage(report);
  };

  const act = (command: CallCommand) => {
    const self = session.state.participants.find((p) => p.self);
    switch (command.type) {
      case 'toggleMicrophone':
        return void session.setMicMuted(!(self?.micMuted ?? false));
      case 'toggleCamera':
        return void session.setCameraOff(!(self?.cameraOff ?? false));
      case 'setMicMuted':
        return void session.setMicMuted(command.muted);
      case 'leave':
        return session.leave();
    }
  };

  const connect = () => {
    retry = undefined;
    if (closed) return;
    const p = browser.runtime.connect({ name: CALL_PORT });
    const opened = Date.now();
    port = p;
    p.onMessage.addListener((message: unknown) => {
      const command = parseCallCommand(message);
      if (command) act(command);
    });
    p.onDisconnect.addListener(() => {
      if (port !== p) return;
      port = undefined;
      // A port that lasted was a working link that ended (a restart): come back quickly.
      delay = Date.now() - opened > TOOLBAR_RECONNECT_MAX_MS ? TOOLBAR_RECONNECT_MS : Math.min(delay * 2, TOOLBAR_RECONNECT_MAX_MS);
      if (!closed) retry = setTimeout(connect, delay);
    });
    post(true);
  };

  const unsubscribe = session.on('stateChanged', () => post());
  const keepAlive = setInterval(() => post(true), TOOLBAR_KEEPALIVE_MS);
  connect();

  return () => {
    if (closed) return;
    post(); // an ended call says so before the port goes
    closed = true;
    unsubscribe();
    clearInterval(keepAlive);
    clearTimeout(retry);
    port?.disconnect();
    port = undefined;
  };
}
