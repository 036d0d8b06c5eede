// Noise suppression on the microphone: which track to send, and when.
//
// The microphone is captured once with the browser's echo cancellation only
// (local-media.ts, MIC_CONSTRAINTS). On, the track sent is that microphone run
// through RNNoise (WebAssembly, in an AudioWorklet: rnnoise-graph.ts); off, it is
// the microphone itself, for music and podcasts that suppression would mangle.
// Both are tracks that already exist, so switching is a replaceTrack on each
// link and never a renegotiation.
//
// The suppressor is loaded the first time it is wanted for a microphone (dynamic import:
// none of it is in the call page's eager JavaScript). Until it runs, and if it
// cannot run at all, the raw microphone is sent: a call never goes silent
// because of it.
import { TypedEmitter } from './typed-emitter.ts';

/** The running suppressor: one AudioContext, the microphone in, the suppressed track out. */
export interface SuppressorGraph {
  /** The suppressed microphone; the same track for the whole call, whatever microphone feeds it. */
  readonly output: MediaStreamTrack;
  /** Whether audio flows (an AudioContext may wait for a click before it runs). */
  readonly running: boolean;
  /** Feeds `input` (null: nothing) into the suppressor; the same track again is a no-op. */
  connect(input: MediaStreamTrack | null): void;
  /** Calls `listener` when `running` changes; returns the unsubscribe function. */
  onRunningChanged(listener: () => void): () => void;
  /** Pauses the AudioContext while the suppressor is off, so it costs no CPU; resumes on. */
  setActive(active: boolean): Promise<void>;
  close(): void;
}

export type LoadSuppressor = () => Promise<SuppressorGraph>;

export type NoiseSuppressorEvents = {
  /** `output()` would now give another track: send it. */
  changed: [];
  /** The suppressor could not be loaded or started; the raw microphone goes on. */
  failed: [Error];
};

const loadRnnoise: LoadSuppressor = async () => (await import('./rnnoise-graph.ts')).createRnnoiseGraph();

export class NoiseSuppressor extends TypedEmitter<NoiseSuppressorEvents> {
  readonly #load: LoadSuppressor;
  #enabled: boolean;
  #graph: SuppressorGraph | undefined;
  #loading: Promise<void> | undefined;
  #failed = false;
  #closed = false;
  /** Held: loading waits for release(); `#wanted` says it was asked for meanwhile. */
  #held: boolean;
  #wanted = false;
  #unsubscribe: (() => void) | undefined;

  /** `held`: nothing loads before release() (the call holds it while its first link sets up). */
  constructor(opts: { enabled: boolean; load?: LoadSuppressor; held?: boolean }) {
    super();
    this.#enabled = opts.enabled;
    this.#load = opts.load ?? loadRnnoise;
    this.#held = opts.held ?? false;
  }

  /** Lets a held suppressor load, if it was wanted meanwhile; the raw microphone goes until it runs. Safe twice. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#wanted && this.#enabled && !this.#closed) this.#start();
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Whether suppressed audio is what `output()` gives now. */
  get active(): boolean {
    return this.#enabled && this.#graph?.running === true;
  }

  setEnabled(on: boolean): void {
    if (this.#closed || on === this.#enabled) return;
    const before = this.active;
    this.#enabled = on;
    if (on && !this.#graph) this.#start();
    void this.#graph?.setActive(on).catch((err: unknown) => console.warn('zing: could not switch the noise suppressor', err));
    if (!on) this.#graph?.connect(null);
    if (this.active !== before) this.emit('changed');
  }

  /**
   * The track to send for the microphone `raw`: the suppressed one while the
   * suppressor runs, else `raw` itself. Follows `raw`'s mute (enabled) state, so
   * a muted microphone sends nothing either way (call again when it changes).
   */
  output(raw: MediaStreamTrack | null): MediaStreamTrack | null {
    if (raw && this.#enabled && !this.#graph) this.#start();
    const graph = this.#graph;
    if (!raw || !graph || !this.active) {
      graph?.connect(null);
      return raw;
    }
    // Muted, nothing feeds the model: the worklet skips a frame without input
    // (the package's processor returns early), where it would run RNNoise on
    // zeros on a realtime audio thread. The same track stays sent, silent.
    graph.connect(raw.enabled ? raw : null);
    graph.output.enabled = raw.enabled;
    return graph.output;
  }

  /** Stops the suppressor for good. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#graph?.close();
    this.#graph = undefined;
    this.removeAllListeners();
  }

  #start(): void {
    if (this.#held) {
      this.#wanted = true;
      return;
    }
    if (this.#loading || this.#failed) return;
    this.#loading = this.#load().then(
      (graph) => {
        if (this.#closed) return graph.close();
        this.#graph = graph;
        this.#unsubscribe = graph.onRunningChanged(() => this.emit('changed'));
        void graph.setActive(this.#enabled).catch((err: unknown) => console.warn('zing: could not start the noise suppressor', err));
        if (this.active) this.emit('changed');
      },
      (err: unknown) => {
        this.#failed = true;
        if (!this.#closed) this.emit('failed', err instanceof Error ? err : new Error(String(err)));
      },
    );
  }
}
