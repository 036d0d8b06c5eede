import { Show, from } from 'solid-js';
import type { QualitySnapshot, ViewQuality } from '../session/quality.ts';
import { slowPathText } from './quality-text.ts';

/**
 * Its words are a polite live region rather than role="status": the page's one
 * status line is the connection state (CONTRACT.md), and stays the only one.
 *
 * When this computer cannot keep up with the call's video, offers to turn off
 * incoming video in small tiles (the audio-only fallback), and while it is
 * off, says so and offers to turn it back on. While the path to some people is
 * too short for the video they asked for, says who sees it at lower quality.
 */
export function QualityNotice(props: { quality: ViewQuality; nameOf: (peer: string) => string }) {
  const snapshot = from<QualitySnapshot>((set) => props.quality.on('changed', (s) => set(() => s)));
  const state = () => snapshot() ?? props.quality.snapshot;
  return (
    <>
      <Show when={state().offer}>
        <section class="quality-notice" aria-label="Video quality">
          <p aria-live="polite">
            This computer is struggling to keep up with the video. Turn off video in small tiles? You will still hear everyone.
          </p>
          <button type="button" onClick={() => props.quality.pauseSmallVideo()}>
            Turn off small videos
          </button>
          <button type="button" onClick={() => props.quality.declineOffer()}>
            Not now
          </button>
        </section>
      </Show>
      <Show when={state().slowPaths.length > 0}>
        <section class="quality-notice" aria-label="Network">
          <p aria-live="polite">{slowPathText(state().slowPaths.map((peer) => props.nameOf(peer)))}</p>
        </section>
      </Show>
      <Show when={state().pausedBelow !== undefined}>
        <section class="quality-notice" aria-label="Video quality">
          <p aria-live="polite">Video is off in small tiles, to spare this computer. You still hear everyone.</p>
          <button type="button" onClick={() => props.quality.resumeSmallVideo()}>
            Turn small videos back on
          </button>
        </section>
      </Show>
    </>
  );
}
