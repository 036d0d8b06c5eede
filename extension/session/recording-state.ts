// What a local recording is doing, as a pure state machine: recorder.ts feeds
// it the MediaRecorder's events with the time, and does what it answers (keep
// a chunk or not, stop the recorder). Times are performance.now() ms, passed in.
import { MAX_RECORDING_BYTES } from './setting-defaults.ts';
import { IDLE, clockText, elapsedMs, isRecording } from './recording-view.ts';

export { IDLE, clockText, elapsedMs, isRecording };

/** Frames a second drawn onto the recording's canvas: smooth enough for faces, cheap on 2 cores with 4 tiles. */
export const RECORDING_FPS = 15;
/** The recording's picture is at most this wide (its height follows the stage's shape): 960 keeps 4 tiles legible. */
export const RECORDING_MAX_WIDTH = 960;
/** VP8 at 1.2 Mbps for the composed picture: sharp at 960×540 and 15 fps; about 9 MB a minute with the sound. */
export const RECORDING_VIDEO_BPS = 1_200_000;
/** Opus at 64 kbps for the mixed voices: clear speech from several people. */
export const RECORDING_AUDIO_BPS = 64_000;
/** MediaRecorder hands over a chunk this often, so the size limit is checked at least once a second. */
export const RECORDING_TIMESLICE_MS = 1_000;
/** The largest recording kept (setting-defaults.ts says why); a recording that would pass it stops and says so. */
export { MAX_RECORDING_BYTES };
/**
 * How close to the limit a recording stops by itself: what two chunks at the
 * rates above can carry, so the chunks still due after stop() fit under it.
 */
export const RECORDING_HEADROOM_BYTES = Math.ceil((2 * (RECORDING_VIDEO_BPS + RECORDING_AUDIO_BPS) * RECORDING_TIMESLICE_MS) / 8000);

export type StopReason = 'person' | 'sizeLimit' | 'callEnded' | 'failed';

export type RecordingState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'starting' }
  | { readonly phase: 'recording'; readonly startedAt: number; readonly bytes: number }
  | {
      readonly phase: 'stopping';
      readonly startedAt: number;
      readonly stoppedAt: number;
      readonly bytes: number;
      readonly reason: StopReason;
    }
  | { readonly phase: 'done'; readonly durationMs: number; readonly bytes: number; readonly reason: StopReason }
  | { readonly phase: 'failed'; readonly message: string };

export type RecordingEvent =
  /** The person pressed Record. */
  | { readonly type: 'start' }
  /** The MediaRecorder started. */
  | { readonly type: 'started' }
  /** A chunk of `bytes` arrived. */
  | { readonly type: 'chunk'; readonly bytes: number }
  /** Stop, for this reason. */
  | { readonly type: 'stop'; readonly reason: StopReason }
  /** The MediaRecorder stopped: no chunk comes after this. */
  | { readonly type: 'stopped' }
  /** It could not start, or broke: said in words. */
  | { readonly type: 'failed'; readonly message: string };

export interface RecordingStep {
  readonly state: RecordingState;
  /** For a chunk: whether to keep it. */
  readonly keep: boolean;
  /** Whether to stop the MediaRecorder now. */
  readonly stop: boolean;
}

/** How far a recording may grow: `maxBytes` at most, stopping by itself `headroomBytes` before (at most a quarter of it). */
export interface SizeLimit {
  readonly maxBytes: number;
  readonly headroomBytes: number;
}

export const DEFAULT_SIZE_LIMIT: SizeLimit = { maxBytes: MAX_RECORDING_BYTES, headroomBytes: RECORDING_HEADROOM_BYTES };

/** The size at which a recording stops by itself. */
export const softLimit = (limit: SizeLimit): number => limit.maxBytes - Math.min(limit.headroomBytes, Math.floor(limit.maxBytes / 4));

const same = (state: RecordingState): RecordingStep => ({ state, keep: false, stop: false });

export function nextRecording(
  state: RecordingState,
  event: RecordingEvent,
  now: number,
  limit: SizeLimit = DEFAULT_SIZE_LIMIT,
): RecordingStep {
  switch (event.type) {
    case 'start':
      return state.phase === 'idle' || state.phase === 'done' || state.phase === 'failed' ? same({ phase: 'starting' }) : same(state);
    case 'started':
      return state.phase === 'starting' ? same({ phase: 'recording', startedAt: now, bytes: 0 }) : same(state);
    case 'chunk': {
      if (state.phase !== 'recording' && state.phase !== 'stopping') return same(state);
      const bytes = state.bytes + event.bytes;
      // A chunk that would pass the limit is dropped: the file ends with the previous one.
      if (bytes > limit.maxBytes) {
        return state.phase === 'recording'
          ? { state: { ...state, phase: 'stopping', stoppedAt: now, reason: 'sizeLimit' }, keep: false, stop: true }
          : { state, keep: false, stop: false };
      }
      if (state.phase === 'recording' && bytes >= softLimit(limit)) {
        return {
          state: { phase: 'stopping', startedAt: state.startedAt, stoppedAt: now, bytes, reason: 'sizeLimit' },
          keep: true,
          stop: true,
        };
      }
      return { state: { ...state, bytes }, keep: true, stop: false };
    }
    case 'stop':
      if (state.phase === 'recording') {
        return {
          state: { phase: 'stopping', startedAt: state.startedAt, stoppedAt: now, bytes: state.bytes, reason: event.reason },
          keep: false,
          stop: true,
        };
      }
      // Stopped before the recorder even started: nothing was recorded.
      return state.phase === 'starting' ? { state: IDLE, keep: false, stop: true } : same(state);
    case 'stopped':
      if (state.phase === 'stopping') {
        return same({ phase: 'done', durationMs: state.stoppedAt - state.startedAt, bytes: state.bytes, reason: state.reason });
      }
      // The recorder stopped by itself (a track ended, an encoder error): keep what there is.
      if (state.phase === 'recording')
        return same({ phase: 'done', durationMs: now - state.startedAt, bytes: state.bytes, reason: 'failed' });
      return same(state);
    case 'failed':
      if (state.phase === 'recording' || state.phase === 'stopping') {
        const stoppedAt = state.phase === 'stopping' ? state.stoppedAt : now;
        return {
          state: { phase: 'stopping', startedAt: state.startedAt, stoppedAt, bytes: state.bytes, reason: 'failed' },
          keep: false,
          stop: true,
        };
      }
      return same({ phase: 'failed', message: event.message });
  }
}

const MIB = 1024 * 1024;
/** `1 GiB`, `300 MiB`, `512 KiB`: the limit as a person reads it. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * MIB && bytes % (1024 * MIB) === 0) return `${bytes / (1024 * MIB)} GiB`;
  if (bytes >= MIB) return `${Math.round(bytes / MIB)} MiB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

/** What the page says about a finished or failed recording, in words; undefined where there is nothing to say. */
export function recordingText(state: RecordingState, limit: SizeLimit = DEFAULT_SIZE_LIMIT): string | undefined {
  if (state.phase === 'failed') return `Recording could not start: ${state.message}`;
  if (state.phase !== 'done') return undefined;
  const length = clockText(state.durationMs);
  switch (state.reason) {
    case 'sizeLimit':
      return `Recording stopped at ${length}: it reached the ${sizeText(limit.maxBytes)} limit for one recording. Save it, then press Record again to go on in a new file.`;
    case 'failed':
      return `Recording stopped at ${length} because the browser stopped it. What was recorded can be saved.`;
    case 'callEnded':
      return `Recording stopped at ${length} when the call ended.`;
    case 'person':
      return `Recorded ${length}.`;
  }
}

/**
 * The saved file's name: `zing-recording-2026-12-03-14-05-09.webm`, in the
 * person's local time; sorts by date, and has no character a file system refuses.
 */
export function recordingFileName(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  const time = `${two(at.getHours())}-${two(at.getMinutes())}-${two(at.getSeconds())}`;
  return `zing-recording-${date}-${time}.webm`;
}
