// What the call page shows of a recording before the recorder is loaded: the
// toggle's state and the clock. Apart from recording-state.ts so that the call
// page's eager JavaScript holds only this, and the state machine and its words
// load with the recorder.
import type { RecordingState } from './recording-state.ts';

export const IDLE: RecordingState = { phase: 'idle' };

/** Whether the Record toggle shows pressed: from the press until the recording is done. */
export const isRecording = (state: RecordingState): boolean =>
  state.phase === 'starting' || state.phase === 'recording' || state.phase === 'stopping';

/** How long it has been recording, in ms. */
export function elapsedMs(state: RecordingState, now: number): number {
  switch (state.phase) {
    case 'recording':
      return Math.max(0, now - state.startedAt);
    case 'stopping':
      return Math.max(0, state.stoppedAt - state.startedAt);
    case 'done':
      return state.durationMs;
    default:
      return 0;
  }
}

/** `1:05`, `12:00`, `1:02:03`. */
export function clockText(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
