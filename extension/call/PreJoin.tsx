import { Show, createEffect, createSignal, onCleanup, type Accessor } from 'solid-js';
import type { Device } from '../session/devices.ts';
import type { Entry } from '../session/entry.ts';
import type { PreJoinSetup, PreJoinState, PreviewMedia } from '../session/pre-join.ts';
import type { Profile } from '../session/settings.ts';
import type { SpeakerPref } from './device-prefs.ts';
import { DeviceSelects } from './DeviceSelects.tsx';
import { errorText } from './error-text.ts';
import { CameraIcon, MicIcon } from './icons.tsx';
import { relayText } from './relay-text.ts';

/**
 * `Join call` and `Show preview` ignore clicks for this long after the page
 * shows or regains focus. A page that opens or navigates to the call between
 * the two clicks of a double click it asked for would otherwise get the second
 * click on one of them (double-clickjacking); a person reads the page for longer than this.
 */
export const JOIN_ARMING_MS = 500;

export interface PreJoinProps {
  entry: Entry;
  setup: PreJoinSetup<PreviewMedia>;
  /** The saved profile: the typed name (may be empty) and the picked guest name, its placeholder. */
  profile: Profile;
  saveName: (name: string) => void;
  devices: Accessor<readonly Device[]>;
  speaker: SpeakerPref;
  onJoin: () => void;
  /** Whether this browser has the call open in another tab already (joining here moves it). */
  elsewhere: Accessor<boolean>;
  /** Brings that tab forward, where this page can (not on the guest page). */
  showElsewhere: (() => void) | undefined;
}

/**
 * The page before a call opened by navigation (a link clicked or typed
 * anywhere) and on the guest page. Until `Join call` is pressed there is no
 * relay socket and nobody in the call sees this person; the camera opens for
 * the preview only when they ask for it (session/pre-join.ts says why).
 */
export function PreJoin(props: PreJoinProps) {
  const [state, setState] = createSignal<PreJoinState>(props.setup.state);
  onCleanup(props.setup.on('stateChanged', setState));
  const [name, setName] = createSignal(props.profile.name);

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

  let video!: HTMLVideoElement;
  createEffect(() => {
    const stream = state().stream;
    if (video.srcObject !== stream) video.srcObject = stream;
  });

  return (
    <main class="call prejoin">
      <h1 class="brand">Zing</h1>
      <p class="relay">{relayText(props.entry.link.relayOrigin, props.entry.usualRelay)}</p>
      <p role="status" class="elsewhere">
        {props.elsewhere() ? 'You are already in this call in another tab. Joining here ends it there.' : ''}
      </p>
      <Show when={props.elsewhere() && props.showElsewhere}>
        {(show) => (
          <button type="button" class="primary" onClick={() => show()()}>
            Go to the call
          </button>
        )}
      </Show>
      <div class="prejoin-body">
        <section class="preview" aria-label="Preview">
          <video
            ref={video}
            aria-label="Your camera"
            autoplay
            playsinline
            muted
            classList={{ hidden: !state().stream || state().cameraOff }}
          />
          <Show when={!state().previewing}>
            <div class="preview-note">
              <p>Your camera stays off until you ask for a preview.</p>
              <button type="button" disabled={!armed()} onClick={() => void props.setup.showPreview()}>
                Show preview
              </button>
            </div>
          </Show>
          <Show when={state().previewing && state().cameraOff}>
            <p class="preview-note">Camera off</p>
          </Show>
          <div class="preview-controls">
            <button type="button" aria-pressed={state().micMuted} onClick={() => props.setup.setMicMuted(!state().micMuted)}>
              <MicIcon off={state().micMuted} /> Mute microphone
            </button>
            <button type="button" aria-pressed={state().cameraOff} onClick={() => void props.setup.setCameraOff(!state().cameraOff)}>
              <CameraIcon off={state().cameraOff} /> Turn off camera
            </button>
          </div>
        </section>
        <section class="setup" aria-label="Before you join">
          <div class="devices">
            <div class="device">
              <label for="prejoin-name">Your name</label>
              <input
                id="prejoin-name"
                maxLength={64}
                autocomplete="off"
                // The picked guest name is shown, never filled in: what a person types is their whole name.
                placeholder={props.profile.guestName}
                value={name()}
                onInput={(e) => {
                  setName(e.currentTarget.value);
                  props.saveName(e.currentTarget.value);
                }}
              />
            </div>
          </div>
          <DeviceSelects
            idPrefix="prejoin"
            devices={props.devices()}
            camera={state().camera}
            microphone={state().microphone}
            speaker={props.speaker.speaker()}
            speakerSupport={props.speaker.support}
            onChoose={(kind, id) => (kind === 'speaker' ? props.speaker.choose(id) : void props.setup.useDevice(kind, id))}
          />
        </section>
      </div>
      <Show when={state().alert}>
        {(alert) => (
          <p role="alert" class="alert">
            {errorText(alert())}
          </p>
        )}
      </Show>
      <p>Nobody in the call sees or hears you until you join.</p>
      <button type="button" class="join" disabled={!armed()} onClick={() => props.onJoin()}>
        Join call
      </button>
    </main>
  );
}
