import { Show, createEffect, createSignal, onCleanup } from 'solid-js';
import type { ParticipantView } from '../session/call-session.ts';

/** Two letters for the camera-off placeholder. */
const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('') || '?';

export function ParticipantTile(props: { participant: ParticipantView }) {
  const p = () => props.participant;
  const label = () => (p().self ? `${p().name} (you)` : p().name);
  const [needsClick, setNeedsClick] = createSignal(false);
  let video!: HTMLVideoElement;
  let audio: HTMLAudioElement | undefined;

  // Video is always muted; remote sound plays through its own element so a
  // blocked autoplay with sound can never stop the picture.
  createEffect(() => {
    const stream = p().stream;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (audio && audio.srcObject !== stream) {
      audio.srcObject = stream;
      if (stream) audio.play().then(() => setNeedsClick(false), () => setNeedsClick(true));
    }
  });
  onCleanup(() => {
    video.srcObject = null;
    if (audio) audio.srcObject = null;
  });

  return (
    <div
      role="group"
      aria-label={label()}
      class="tile"
      classList={{ self: p().self, 'camera-off': p().cameraOff || !p().stream }}
    >
      <video ref={video} autoplay playsinline muted />
      <Show when={!p().self}>
        <audio ref={audio} autoplay />
      </Show>
      <Show when={p().cameraOff}>
        <div class="placeholder">
          <span class="avatar" aria-hidden="true">
            {initials(p().name)}
          </span>
          <span class="badge">Camera off</span>
        </div>
      </Show>
      <div class="caption">
        <span class="name">{label()}</span>
        <Show when={p().micMuted}>
          <span class="badge mic">Microphone off</span>
        </Show>
        <Show when={!p().self && p().link !== 'connected'}>
          <span class="badge">{p().link === 'reconnecting' || p().link === 'failed' ? 'Reconnecting…' : 'Connecting…'}</span>
        </Show>
      </div>
      <Show when={needsClick()}>
        <button type="button" class="sound" onClick={() => audio?.play().then(() => setNeedsClick(false))}>
          Play sound
        </button>
      </Show>
    </div>
  );
}
