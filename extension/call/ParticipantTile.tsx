import { For, Show, createEffect, createSignal, onCleanup } from 'solid-js';
import type { ParticipantView } from '../session/call-session.ts';
import { playOn } from '../session/speaker.ts';
import type { ShownReaction } from '../session/gestures.ts';
import { REACTION_LABELS, placeText } from './gesture-text.ts';
import type { Rect, TileKey } from './layout.ts';

/** Two letters for the camera-off placeholder. */
const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('') || '?';

const TILE_KEYS: readonly string[] = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'];
const isTileKey = (key: string): key is TileKey => TILE_KEYS.includes(key);

export interface TileProps {
  participant: ParticipantView;
  rect: Rect | undefined;
  z: number;
  pinned: boolean;
  speaking: boolean;
  level: number;
  /** The speaker to play their voice on ('' for the default). */
  speaker: string;
  /** This person's place in the line of raised hands, if their hand is up. */
  hand: number | undefined;
  /** Their reactions showing now. */
  reactions: readonly ShownReaction[];
  /** The stage's size in px, to turn pointer moves into stage fractions. */
  stage: () => { width: number; height: number };
  onDrag: (from: Rect, dx: number, dy: number) => void;
  onResize: (from: Rect, dw: number, dh: number) => void;
  onKey: (from: Rect, key: TileKey, resize: boolean) => void;
  onPin: () => void;
  /** The `Mark as verified` toggle of a remote tile. */
  onMarkVerified: (verified: boolean) => void;
  /** The tile's element, once: the page measures it to tell senders how large it shows them (tile-views.ts). */
  onElement?: (el: HTMLElement) => void;
  /** Its video is turned off because the tile is small and this computer struggles (QualityNotice). */
  videoPaused?: boolean;
}

/** Follows one pointer from pointerdown, reporting its travel as stage fractions. */
function track(e: PointerEvent, stage: { width: number; height: number }, report: (dx: number, dy: number) => void): void {
  const el = e.currentTarget as HTMLElement; // the listener sits on an element
  const x0 = e.clientX;
  const y0 = e.clientY;
  el.setPointerCapture(e.pointerId);
  const move = (m: PointerEvent) => report((m.clientX - x0) / stage.width, (m.clientY - y0) / stage.height);
  const end = () => {
    el.removeEventListener('pointermove', move);
    el.removeEventListener('pointerup', end);
    el.removeEventListener('pointercancel', end);
  };
  el.addEventListener('pointermove', move);
  el.addEventListener('pointerup', end);
  el.addEventListener('pointercancel', end);
  e.preventDefault();
}

export function ParticipantTile(props: TileProps) {
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
      if (stream)
        audio.play().then(
          () => setNeedsClick(false),
          () => setNeedsClick(true),
        );
    }
  });
  createEffect(() => {
    const speaker = props.speaker;
    if (audio) void playOn(audio, speaker);
  });
  onCleanup(() => {
    video.srcObject = null;
    if (audio) audio.srcObject = null;
  });

  const startDrag = (e: PointerEvent) => {
    const from = props.rect;
    if (!from || e.button !== 0 || (e.target as Element).closest('button')) return; // targets are Elements
    track(e, props.stage(), (dx, dy) => props.onDrag(from, dx, dy));
  };
  const startResize = (e: PointerEvent) => {
    const from = props.rect;
    if (!from || e.button !== 0) return;
    e.stopPropagation();
    track(e, props.stage(), (dw, dh) => props.onResize(from, dw, dh));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget || !props.rect || !isTileKey(e.key)) return;
    e.preventDefault();
    props.onKey(props.rect, e.key, e.shiftKey);
  };

  return (
    <div
      ref={(el) => props.onElement?.(el)}
      role="group"
      aria-label={label()}
      aria-describedby="tile-help"
      tabindex="0"
      class="tile"
      classList={{
        self: p().self,
        screen: p().kind === 'screen',
        'camera-off': p().cameraOff || !p().stream,
        speaking: props.speaking,
        pinned: props.pinned,
        'video-paused': props.videoPaused === true,
      }}
      style={
        props.rect && {
          left: `${props.rect.x * 100}%`,
          top: `${props.rect.y * 100}%`,
          width: `${props.rect.w * 100}%`,
          height: `${props.rect.h * 100}%`,
          'z-index': props.z,
        }
      }
      onPointerDown={startDrag}
      onKeyDown={onKeyDown}
    >
      <video ref={video} autoplay playsinline muted />
      <Show when={!p().self && p().kind === 'camera'}>
        <audio
          ref={(el) => {
            audio = el;
            void playOn(el, props.speaker);
          }}
          autoplay
        />
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
        <Show when={p().kind === 'camera'}>
          <span class="level" aria-hidden="true" style={{ '--level': Math.min(1, props.level * 4) }} />
        </Show>
        <span class="name">{label()}</span>
        <Show when={props.hand}>
          {(place) => (
            <>
              <span
                class="badge hand"
                role="note"
                aria-label="Hand raised"
                aria-describedby={`hand-place-${p().id}`}
                title={`Hand raised, ${placeText(place())}`}
              >
                <span aria-hidden="true">✋</span> {place()}
              </span>
              {/* The place in words, for the badge's description: its name stays exactly "Hand raised". */}
              <span class="visually-hidden" id={`hand-place-${p().id}`}>
                {placeText(place())}
              </span>
            </>
          )}
        </Show>
        <Show when={p().recording}>
          <span class="badge rec">Recording</span>
        </Show>
        <Show when={p().micMuted}>
          <span class="badge mic">Microphone off</span>
        </Show>
        <Show when={props.videoPaused}>
          <span class="badge">Video paused</span>
        </Show>
        <Show when={props.speaking && !p().micMuted}>
          <span class="badge speaking-badge">Speaking</span>
        </Show>
        <Show when={p().safetyCode}>
          {(code) => (
            <span
              class="badge code"
              classList={{ verified: p().verified }}
              role="note"
              aria-label="Safety code"
              title="Compare this code with theirs: if it matches, no one is in the middle"
            >
              {code()}
            </span>
          )}
        </Show>
        <Show when={p().safetyCodeChanged}>
          <span class="badge warn">Safety code changed</span>
        </Show>
        <Show when={p().blocked}>
          <span class="badge warn">Blocked</span>
        </Show>
        <Show when={!p().self && p().link !== 'connected'}>
          <span class="badge">{p().link === 'reconnecting' || p().link === 'failed' ? 'Reconnecting…' : 'Connecting…'}</span>
        </Show>
      </div>
      <Show when={props.reactions.length > 0}>
        {/* Not a live region: the page announces each reaction once, in its own polite region. */}
        <div class="reactions">
          <For each={props.reactions}>
            {(r) => (
              <span class="reaction" role="img" aria-label={REACTION_LABELS[r.reaction].name}>
                {REACTION_LABELS[r.reaction].emoji}
              </span>
            )}
          </For>
        </div>
      </Show>
      <div class="tile-tools">
        <Show when={needsClick()}>
          <button type="button" onClick={() => audio?.play().then(() => setNeedsClick(false))}>
            Play sound
          </button>
        </Show>
        <Show when={!p().self && p().kind === 'camera' && p().safetyCode !== undefined && !p().blocked}>
          <button
            type="button"
            class="verify"
            aria-pressed={p().verified}
            title="Press once you have read the safety code aloud to each other and it matched"
            onClick={() => props.onMarkVerified(!p().verified)}
          >
            Mark as verified
          </button>
        </Show>
        <button type="button" class="pin" aria-pressed={props.pinned} onClick={() => props.onPin()}>
          Pin
        </button>
      </div>
      <div class="resize" aria-hidden="true" onPointerDown={startResize} />
    </div>
  );
}
