// Background blur on the camera: which track to send, and when.
//
// On, the camera goes through person segmentation (MediaPipe, in WebAssembly:
// blur-pipeline.ts, loaded by dynamic import the first time blur is wanted) and
// is composited with a blurred copy of itself on a canvas whose stream is sent
// instead, by replaceTrack: no renegotiation. The pipeline adapts to the page
// (blur-governor.ts) and stops by itself where it cannot keep up or cannot run
// at all; then the blur is off and `stopped` says why.
//
// Privacy first: while the blur is wanted but not yet producing frames (the
// model loading), nothing is sent rather than the unblurred room.
import { TypedEmitter } from './typed-emitter.ts';

/** Why the blur stopped by itself. */
export type BlurStopReason =
  /** The page could not hold half the camera's frame rate even at the lowest level. */
  | 'tooSlow'
  /** The browser will not let the page read back its own canvas (Firefox's resistFingerprinting). */
  | 'canvasBlocked'
  /** The segmenter could not load or run (no WebGL 2, a failed download of its files…). */
  | 'failed';

/** The pipeline cannot run here at all, for a reason the person can be told. */
export class BlurUnavailable extends Error {
  readonly reason: BlurStopReason;
  constructor(reason: BlurStopReason) {
    super(`background blur unavailable: ${reason}`);
    this.name = 'BlurUnavailable';
    this.reason = reason;
  }
}

export type BlurEngineEvent = { kind: 'running' } | { kind: 'stopped'; reason: BlurStopReason; error?: unknown };

/** The running pipeline: the camera in, the composited picture out. */
export interface BlurEngine {
  /** The blurred camera: the same track for the whole call, whatever camera feeds it. */
  readonly output: MediaStreamTrack;
  /** Whether blurred frames are coming out of `output`. */
  readonly running: boolean;
  /** Feeds `camera` (null: nothing, and the loop rests); the same track again is a no-op. */
  connect(camera: MediaStreamTrack | null): void;
  /** The most frames a second any link sends: composite little more (blur-governor.ts); undefined: the camera's rate. */
  capFrameRate(fps: number | undefined): void;
  /** `running` changed, or the engine stopped by itself; returns the unsubscribe function. */
  onEvent(listener: (event: BlurEngineEvent) => void): () => void;
  close(): void;
}

export type LoadBlur = () => Promise<BlurEngine>;

export type BackgroundBlurEvents = {
  /** `output()` would now give another track: send it. */
  changed: [];
  /** The blur turned itself off; the raw camera goes out from now on. */
  stopped: [BlurStopReason];
};

/**
 * A blur that has not shown its first frame this long after it was wanted has
 * failed somewhere that raised no error (a browser where the segmenter loads
 * but never answers). Until then no picture is sent, so this bounds how long
 * the others see none: loading the model took up to about 10 s on a loaded
 * 2-core machine here.
 */
export const BLUR_START_TIMEOUT_MS = 30_000;

const loadPipeline: LoadBlur = async () => (await import('./blur-pipeline.ts')).createBlurPipeline();

export class BackgroundBlur extends TypedEmitter<BackgroundBlurEvents> {
  readonly #load: LoadBlur;
  #enabled: boolean;
  #engine: BlurEngine | undefined;
  #frameRateCap: number | undefined;
  #loading = false;
  #closed = false;
  #unsubscribe: (() => void) | undefined;
  #startTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: { enabled: boolean; load?: LoadBlur }) {
    super();
    this.#enabled = opts.enabled;
    this.#load = opts.load ?? loadPipeline;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Whether blurred frames are what `output()` gives now. */
  get active(): boolean {
    return this.#enabled && this.#engine?.running === true;
  }

  setEnabled(on: boolean): void {
    if (this.#closed || on === this.#enabled) return;
    this.#enabled = on;
    if (!on) {
      this.#engine?.connect(null);
      this.#disarm();
    }
    this.emit('changed');
  }

  /**
   * The track to send for the camera `raw`: blurred while the blur runs; null
   * while it is wanted but not running yet; `raw` itself while it is off.
   */
  output(raw: MediaStreamTrack | null): MediaStreamTrack | null {
    if (!raw || !this.#enabled) {
      this.#engine?.connect(null);
      // No camera, no frame to wait for: the wait starts again when it comes back.
      this.#disarm();
      return raw;
    }
    if (!this.#engine) {
      this.#start();
      this.#arm();
      return null;
    }
    this.#engine.connect(raw);
    if (this.#engine.running) {
      this.#disarm();
      return this.#engine.output;
    }
    this.#arm();
    return null;
  }

  /** The most frames a second any link sends the camera at: no point compositing more (undefined: no cap). */
  capFrameRate(fps: number | undefined): void {
    this.#frameRateCap = fps;
    this.#engine?.capFrameRate(fps);
  }

  /** Stops the pipeline for good. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    this.#unsubscribe?.();
    this.#engine?.close();
    this.#engine = undefined;
    this.removeAllListeners();
  }

  #start(): void {
    if (this.#loading || this.#closed) return;
    this.#loading = true;
    this.#load().then(
      (engine) => {
        this.#loading = false;
        if (this.#closed) return engine.close();
        this.#engine = engine;
        engine.capFrameRate(this.#frameRateCap);
        this.#unsubscribe = engine.onEvent((event) => this.#onEngine(event));
        this.emit('changed');
      },
      (err: unknown) => {
        this.#loading = false;
        if (err instanceof BlurUnavailable) return this.#stop(err.reason);
        console.warn('zing: background blur could not load', err);
        this.#stop('failed');
      },
    );
  }

  // Counts from the first time no picture went out for want of a blurred one.
  #arm(): void {
    if (this.#startTimer !== undefined || this.#closed) return;
    this.#startTimer = setTimeout(() => {
      this.#startTimer = undefined;
      if (!this.#enabled || this.active) return;
      console.warn(`zing: background blur showed no frame within ${BLUR_START_TIMEOUT_MS} ms`);
      this.#unsubscribe?.();
      this.#engine?.close();
      this.#engine = undefined;
      this.#stop('failed');
    }, BLUR_START_TIMEOUT_MS);
  }

  #disarm(): void {
    clearTimeout(this.#startTimer);
    this.#startTimer = undefined;
  }

  #onEngine(event: BlurEngineEvent): void {
    if (event.kind === 'running') {
      this.emit('changed');
      return;
    }
    if (event.error !== undefined) console.warn(`zing: background blur stopped (${event.reason})`, event.error);
    // A broken pipeline is not reused: switching the blur on again loads a fresh one.
    this.#unsubscribe?.();
    this.#engine?.close();
    this.#engine = undefined;
    this.#stop(event.reason);
  }

  #stop(reason: BlurStopReason): void {
    if (this.#closed) return;
    this.#disarm();
    const was = this.#enabled;
    this.#enabled = false;
    if (was) {
      this.emit('stopped', reason);
      this.emit('changed');
    }
  }
}
