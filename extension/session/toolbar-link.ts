// The call page's side of the toolbar: reports its call to the background over
// a port (so the badge, the popup and the browser's shortcuts know of it) and
// does what the background passes on. Extension builds only: the guest page
// has no background, and there this does nothing.
import browser from 'webextension-polyfill';
import type { CallSession, CallState } from './call-session.ts';
import { openBackgroundPort } from './background-port.ts';
import { CALL_PORT, parseCallCommand, type CallCommand, type CallReport } from './toolbar-messages.ts';

/**
 * How often a running call reports even without a change. Chromium ends an
 * idle extension service worker after 30 s, and a message on a port counts as
 * activity (Chrome 114+); a Firefox event page likewise. Kept alive, the
 * background answers a shortcut at once.
 */
export const TOOLBAR_KEEPALIVE_MS = 20_000;

const reportOf = (state: CallState, startedAt: number, call: string): CallReport => {
  const self = state.participants.find((p) => p.self);
  return {
    type: 'callState',
    live: state.phase !== 'ended' && state.phase !== 'failed',
    micMuted: self?.micMuted ?? false,
    cameraOff: self?.cameraOff ?? false,
    startedAt,
    call,
  };
};

/** Links `session`, in call `call` (share-link.ts callOf), to the toolbar until the returned function is called (or the page goes away). */
export function linkToToolbar(session: CallSession, call: string, startedAt = Date.now()): () => void {
  if (typeof browser.runtime?.connect !== 'function') return () => undefined; // the guest page: no extension
  let last = '';

  const post = (force = false) => {
    const report = reportOf(session.state, startedAt, call);
    const key = JSON.stringify(report);
    if (!force && key === last) return;
    if (port.post(report)) last = key;
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

  // A restarted background knows no calls: each time the port opens, the page says what it is showing.
  const port = openBackgroundPort(CALL_PORT, {
    onMessage: (message) => {
      const command = parseCallCommand(message);
      if (command) act(command);
    },
    onOpen: () => post(true),
  });

  const unsubscribe = session.on('stateChanged', () => post());
  const keepAlive = setInterval(() => post(true), TOOLBAR_KEEPALIVE_MS);

  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    post(); // an ended call says so before the port goes
    unsubscribe();
    clearInterval(keepAlive);
    port.close();
  };
}
