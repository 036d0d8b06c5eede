import { createSignal, onCleanup } from 'solid-js';
import type { Entry } from '../session/entry.ts';
import { relayText } from './relay-text.ts';

/**
 * `Join call` ignores clicks for this long after the page shows or regains
 * focus. A page that opens or navigates to the call between the two clicks of
 * a double click it asked for would otherwise get the second click on
 * `Join call` (double-clickjacking); a person reads the page for longer than this.
 */
export const JOIN_ARMING_MS = 500;

/**
 * The gate before a call opened by navigation (a link clicked or typed
 * anywhere) and on the guest page: until `Join call` is pressed there is no
 * relay socket, no camera or microphone, and nobody in the call sees this person.
 */
export function PreJoin(props: { entry: Entry; onJoin: () => void }) {
  const [armed, setArmed] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    setArmed(false);
    clearTimeout(timer);
    if (document.visibilityState === 'visible') timer = setTimeout(() => setArmed(true), JOIN_ARMING_MS);
  };
  arm();
  document.addEventListener('visibilitychange', arm);
  window.addEventListener('focus', arm);
  onCleanup(() => {
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', arm);
    window.removeEventListener('focus', arm);
  });

  return (
    <main class="call prejoin">
      <h1 class="brand">Zing</h1>
      <p class="relay">{relayText(props.entry.link.relayOrigin, props.entry.usualRelay)}</p>
      <p>Nobody in the call sees or hears you until you join.</p>
      <button type="button" class="join" disabled={!armed()} onClick={() => props.onJoin()}>
        Join call
      </button>
    </main>
  );
}
