import { For, Show, createSignal, onCleanup } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { CallSession, CallState } from '../session/call-session.ts';
import { CameraIcon, LeaveIcon, MicIcon } from './icons.tsx';
import { ParticipantTile } from './ParticipantTile.tsx';
import { errorText } from './error-text.ts';
import { statusText } from './status-text.ts';

export function CallPage(props: { session: CallSession }) {
  const [state, setState] = createStore<CallState>(props.session.state);
  // reconcile keeps each participant's object (and its <video>) across updates.
  onCleanup(props.session.on('stateChanged', (s) => setState(reconcile(s, { key: 'id', merge: true }))));
  const self = () => state.participants.find((p) => p.self);
  const active = () => state.phase !== 'ended' && state.phase !== 'failed';
  const [copied, setCopied] = createSignal(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.session.link.href);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard refused (no focus): select the text so Ctrl+C works.
      document.querySelector<HTMLInputElement>('#call-link')?.select();
    }
  };

  return (
    <main class="call">
      <header class="bar">
        <h1 class="brand">Zing</h1>
        <div class="share">
          <label for="call-link">Call link</label>
          <input id="call-link" readonly value={props.session.link.href} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={() => void copy()}>
            Copy link
          </button>
          <span class="copied" aria-live="polite">
            {copied() ? 'Copied' : ''}
          </span>
        </div>
        <p role="status" class="status">
          {statusText(state)}
        </p>
      </header>
      <Show when={state.alert}>{(alert) => <p role="alert" class="alert">{errorText(alert())}</p>}</Show>
      <Show
        when={active()}
        fallback={
          <section class="ended">
            <p>{state.phase === 'ended' ? 'You left the call.' : 'This call could not go on.'}</p>
            <button type="button" onClick={() => location.reload()}>
              Rejoin
            </button>
          </section>
        }
      >
        <section class="tiles" aria-label="Participants" data-count={state.participants.length}>
          <For each={state.participants}>{(p) => <ParticipantTile participant={p} />}</For>
        </section>
        <footer class="controls">
          <button
            type="button"
            aria-pressed={self()?.micMuted ?? false}
            onClick={() => void props.session.setMicMuted(!(self()?.micMuted ?? false))}
          >
            <MicIcon off={self()?.micMuted ?? false} /> Mute microphone
          </button>
          <button
            type="button"
            aria-pressed={self()?.cameraOff ?? false}
            onClick={() => void props.session.setCameraOff(!(self()?.cameraOff ?? false))}
          >
            <CameraIcon off={self()?.cameraOff ?? false} /> Turn off camera
          </button>
          <button type="button" class="leave" onClick={() => props.session.leave()}>
            <LeaveIcon /> Leave call
          </button>
        </footer>
      </Show>
    </main>
  );
}
