// A local recording of the call as this person sees it: the stage's tiles
// drawn onto a canvas, every voice (the others' and this person's own
// microphone) mixed with Web Audio, encoded by MediaRecorder into WebM chunks
// that the browser holds (in memory, then on disk) and never uploads.
//
// Loaded only when the person presses Record (the call page imports it
// lazily), so it costs the call page nothing until then. The decisions (keep
// a chunk, stop at the size limit, how long it ran) are recording-state.ts's;
// this file does the browser's part.
//
// People who leave or join mid-way change only what is drawn and mixed: the
// canvas track and the mixed track MediaRecorder records stay the same, so the
// recording goes on.
import {
  DEFAULT_SIZE_LIMIT,
  IDLE,
  RECORDING_AUDIO_BPS,
  RECORDING_FPS,
  RECORDING_MAX_WIDTH,
  RECORDING_TIMESLICE_MS,
  RECORDING_VIDEO_BPS,
  isRecording,
  nextRecording,
  recordingFileName,
  type RecordingEvent,
  type RecordingState,
  type SizeLimit,
  type StopReason,
} from './recording-state.ts';
import type { CallState } from './call-session.ts';

export { RECORDING_HEADROOM_BYTES, recordingText } from './recording-state.ts';
import { TypedEmitter } from './typed-emitter.ts';
import { withDuration } from './webm-duration.ts';

/** One tile as it is on the stage now: where (fractions of the stage), what it shows, and how. */
export interface SceneTile {
  readonly video: HTMLVideoElement | null;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly name: string;
  /** The own camera is shown mirrored, as in a mirror. */
  readonly mirrored: boolean;
  /** Cameras fill their tile (cropped); screens fit inside it. */
  readonly fit: 'cover' | 'contain';
  /** Camera off, or no picture yet: the name alone is drawn. */
  readonly blank: boolean;
}

export interface Scene {
  /** The stage's width over its height. */
  readonly aspect: number;
  /** Back to front. */
  readonly tiles: readonly SceneTile[];
}

/** What the recorder reads of the call: whose voices there are. */
export interface RecordedCall {
  readonly state: CallState;
  readonly ownVoice: MediaStreamTrack | null;
  setRecording(on: boolean): void;
}

export interface RecorderOptions {
  call: RecordedCall;
  /** The stage as the person sees it now; read for every frame. */
  scene: () => Scene;
  limit?: SizeLimit;
  /** performance.now() unless given. */
  now?: () => number;
  /** The wall clock, for the file's name. */
  date?: () => Date;
}

export interface SavedRecording {
  readonly blob: Blob;
  readonly name: string;
  readonly durationMs: number;
}

export type RecorderEvents = { changed: [RecordingState] };

/** The first bytes of the file rewritten with its duration: header, tracks and more fit well within this. */
const HEAD_BYTES = 64 * 1024;

const MIME_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'];

/** Every voice to mix: each remote camera tile's audio, and this person's own microphone. */
export function callVoices(call: RecordedCall): MediaStreamTrack[] {
  const tracks: MediaStreamTrack[] = [];
  for (const p of call.state.participants) {
    if (p.self || p.kind !== 'camera' || !p.stream) continue;
    tracks.push(...p.stream.getAudioTracks());
  }
  if (call.ownVoice) tracks.push(call.ownVoice);
  return tracks.filter((t) => t.readyState === 'live');
}

/** The canvas's size for a stage of `aspect`: RECORDING_MAX_WIDTH wide, even numbers (encoders want them). */
export function canvasSize(aspect: number): { width: number; height: number } {
  const a = Number.isFinite(aspect) && aspect > 0 ? Math.min(3, Math.max(0.5, aspect)) : 16 / 9;
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  return { width: RECORDING_MAX_WIDTH, height: even(RECORDING_MAX_WIDTH / a) };
}

export class Recorder extends TypedEmitter<RecorderEvents> {
  readonly #opts: RecorderOptions;
  readonly #now: () => number;
  readonly #limit: SizeLimit;
  #state: RecordingState = IDLE;
  #chunks: Blob[] = [];
  #startedOn = new Date(0);
  #canvas: HTMLCanvasElement | undefined;
  #audio: AudioContext | undefined;
  #mix: MediaStreamAudioDestinationNode | undefined;
  readonly #sources = new Map<MediaStreamTrack, MediaStreamAudioSourceNode>();
  #media: MediaRecorder | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #mime = 'video/webm';

  constructor(opts: RecorderOptions) {
    super();
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
    this.#limit = opts.limit ?? DEFAULT_SIZE_LIMIT;
  }

  get state(): RecordingState {
    return this.#state;
  }

  /** Starts recording; a failure ends in the `failed` state, said in words. */
  start(): void {
    if (isRecording(this.#state)) return;
    this.#step({ type: 'start' });
    if (this.#state.phase !== 'starting') return;
    try {
      this.#begin();
    } catch (err) {
      this.#release();
      this.#step({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Stops recording; the chunks still due arrive, then the state is `done`. Safe twice. */
  stop(reason: StopReason = 'person'): void {
    this.#step({ type: 'stop', reason });
  }

  /** The recording so far as one WebM file with its duration written in (once `done`). */
  async save(): Promise<SavedRecording | undefined> {
    if (this.#state.phase !== 'done' || this.#chunks.length === 0) return undefined;
    const durationMs = this.#state.durationMs;
    const whole = new Blob(this.#chunks, { type: 'video/webm' });
    const head = new Uint8Array(await whole.slice(0, HEAD_BYTES).arrayBuffer());
    const fixed = withDuration(head, durationMs);
    // Without a duration the file still plays; players just cannot show its length.
    const blob = fixed ? new Blob([fixed, whole.slice(head.length)], { type: 'video/webm' }) : whole;
    return { blob, name: recordingFileName(this.#startedOn), durationMs };
  }

  /** Stops and lets go of everything: canvas, audio graph, chunks. Safe twice. */
  close(): void {
    if (this.#media && this.#media.state !== 'inactive') this.#media.stop();
    this.#release();
    this.#chunks = [];
    this.removeAllListeners();
  }

  #begin(): void {
    const { width, height } = canvasSize(this.#opts.scene().aspect);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    this.#canvas = canvas;
    this.#audio = new AudioContext();
    this.#mix = this.#audio.createMediaStreamDestination();
    this.#syncVoices();
    this.#draw();
    const picture = canvas.captureStream(RECORDING_FPS).getVideoTracks();
    const stream = new MediaStream([...picture, ...this.#mix.stream.getAudioTracks()]);
    this.#mime = MIME_TYPES.find((t) => MediaRecorder.isTypeSupported(t)) ?? '';
    const media = new MediaRecorder(stream, {
      ...(this.#mime ? { mimeType: this.#mime } : {}),
      videoBitsPerSecond: RECORDING_VIDEO_BPS,
      audioBitsPerSecond: RECORDING_AUDIO_BPS,
    });
    this.#media = media;
    this.#chunks = [];
    media.addEventListener('start', () => {
      this.#startedOn = this.#opts.date?.() ?? new Date();
      this.#step({ type: 'started' });
    });
    media.addEventListener('dataavailable', (e) => {
      if (e.data.size === 0) return;
      const { keep } = this.#step({ type: 'chunk', bytes: e.data.size });
      if (keep) this.#chunks.push(e.data);
    });
    media.addEventListener('stop', () => {
      this.#release();
      this.#step({ type: 'stopped' });
    });
    media.addEventListener('error', (e) => {
      const cause = (e as Event & { error?: unknown }).error; // MediaRecorderErrorEvent where the browser has it
      this.#step({ type: 'failed', message: cause instanceof Error ? cause.message : 'the browser could not encode the recording' });
    });
    // Timers, not requestAnimationFrame: a call page whose tab is in the background (with sound playing) keeps them.
    this.#timer = setInterval(() => {
      this.#syncVoices();
      this.#draw();
    }, 1000 / RECORDING_FPS);
    media.start(RECORDING_TIMESLICE_MS);
  }

  #step(event: RecordingEvent): { keep: boolean } {
    const before = this.#state;
    const step = nextRecording(before, event, this.#now(), this.#limit);
    this.#state = step.state;
    if (step.stop && this.#media && this.#media.state !== 'inactive') this.#media.stop();
    if (step.state !== before) {
      // Everyone sees `Recording` from the recorder's start until it is done.
      const on = step.state.phase === 'recording' || step.state.phase === 'stopping';
      this.#opts.call.setRecording(on);
      this.emit('changed', step.state);
    }
    return { keep: step.keep };
  }

  /** Mixes every voice there is now: newcomers are added, leavers dropped. */
  #syncVoices(): void {
    const audio = this.#audio;
    const mix = this.#mix;
    if (!audio || !mix) return;
    const voices = new Set(callVoices(this.#opts.call));
    for (const [track, node] of this.#sources) {
      if (voices.has(track)) continue;
      node.disconnect();
      this.#sources.delete(track);
    }
    for (const track of voices) {
      if (this.#sources.has(track)) continue;
      const node = audio.createMediaStreamSource(new MediaStream([track]));
      node.connect(mix);
      this.#sources.set(track, node);
    }
  }

  #draw(): void {
    const canvas = this.#canvas;
    const g = canvas?.getContext('2d');
    if (!canvas || !g) return;
    const W = canvas.width;
    const H = canvas.height;
    const scene = this.#opts.scene();
    // The stage as it is now, fitted into the canvas (its shape may have changed since the start).
    const aspect = scene.aspect > 0 ? scene.aspect : W / H;
    const sw = Math.min(W, H * aspect);
    const sh = sw / aspect;
    const ox = (W - sw) / 2;
    const oy = (H - sh) / 2;
    g.fillStyle = '#111418';
    g.fillRect(0, 0, W, H);
    for (const tile of scene.tiles) {
      const x = ox + tile.x * sw;
      const y = oy + tile.y * sh;
      const w = tile.w * sw;
      const h = tile.h * sh;
      if (w < 2 || h < 2) continue;
      g.save();
      g.beginPath();
      g.rect(x, y, w, h);
      g.clip();
      g.fillStyle = '#1c2128';
      g.fillRect(x, y, w, h);
      const v = tile.video;
      if (v && !tile.blank && v.videoWidth > 0 && v.videoHeight > 0) drawVideo(g, v, tile, x, y, w, h);
      else drawInitials(g, tile.name, x, y, w, h);
      drawCaption(g, tile.name, x, y, h);
      g.restore();
    }
  }

  #release(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const node of this.#sources.values()) node.disconnect();
    this.#sources.clear();
    for (const track of this.#mix?.stream.getTracks() ?? []) track.stop();
    void this.#audio?.close().catch((err: unknown) => console.warn('zing: closing the recording audio failed', err));
    this.#audio = undefined;
    this.#mix = undefined;
    this.#canvas = undefined;
  }
}

function drawVideo(g: CanvasRenderingContext2D, v: HTMLVideoElement, tile: SceneTile, x: number, y: number, w: number, h: number): void {
  const vw = v.videoWidth;
  const vh = v.videoHeight;
  const scale = tile.fit === 'cover' ? Math.max(w / vw, h / vh) : Math.min(w / vw, h / vh);
  const dw = vw * scale;
  const dh = vh * scale;
  const dx = x + (w - dw) / 2;
  const dy = y + (h - dh) / 2;
  if (tile.mirrored) {
    g.translate(2 * x + w, 0);
    g.scale(-1, 1);
  }
  g.drawImage(v, dx, dy, dw, dh);
  if (tile.mirrored) g.setTransform(1, 0, 0, 1, 0, 0);
}

function drawInitials(g: CanvasRenderingContext2D, name: string, x: number, y: number, w: number, h: number): void {
  const initials =
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((word) => word[0]?.toUpperCase() ?? '')
      .join('') || '?';
  const r = Math.min(w, h) / 5;
  g.fillStyle = '#303842';
  g.beginPath();
  g.arc(x + w / 2, y + h / 2, r, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = '#e8ecf1';
  g.font = `${Math.round(r * 0.8)}px system-ui, sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(initials, x + w / 2, y + h / 2);
}

function drawCaption(g: CanvasRenderingContext2D, name: string, x: number, y: number, h: number): void {
  const size = Math.max(10, Math.min(16, Math.round(h / 14)));
  g.font = `${size}px system-ui, sans-serif`;
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  const pad = size / 2;
  const width = g.measureText(name).width + 2 * pad;
  g.fillStyle = 'rgb(0 0 0 / 0.6)';
  g.fillRect(x + pad, y + h - 2.2 * size, width, 1.6 * size);
  g.fillStyle = '#e8ecf1';
  g.fillText(name, x + 2 * pad, y + h - 1.4 * size);
}
