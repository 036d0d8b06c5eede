// RNNoise on the microphone, in an AudioWorklet. Loaded only by a dynamic
// import from noise-suppressor.ts, so neither this module, the package's glue
// nor its WebAssembly weigh on the call page's start.
//
// Why @sapphi-red/web-noise-suppressor: it ships RNNoise as a separate .wasm
// (150 KB, and a SIMD build the loader picks where the browser has SIMD) plus a
// ready AudioWorklet processor whose Emscripten glue instantiates the bytes it
// is handed (no eval, no new Function: the CSP needs only 'wasm-unsafe-eval').
// Vite emits the worklet and both .wasm files as files of the build, fetched
// from the page's own origin (the extension, or the relay for guests).
import { RnnoiseWorkletNode, loadRnnoise } from '@sapphi-red/web-noise-suppressor';
import wasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise.wasm?url';
import simdUrl from '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url';
import workletUrl from '@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url';
import type { SuppressorGraph } from './noise-suppressor.ts';

/** RNNoise's model works on 10 ms frames of 48 kHz audio (the package's processor assumes this rate). */
const RNNOISE_SAMPLE_RATE = 48_000;

/**
 * `sinkId: { type: 'none' }` (Chromium 110+; TypeScript's DOM types lack it, other browsers ignore the
 * member): the graph only feeds a MediaStream, so nothing needs a sound device to drive it. Without it
 * Chromium opens an output stream just to clock the context; measured with bench/call.ts's thread
 * lines at 2 people, that stream cost about 1.5 % of a core per person (renderer AudioOutputDevice and
 * the audio service's worker), for sound nobody hears.
 */
const CONTEXT_OPTIONS: AudioContextOptions & { sinkId?: { type: 'none' } } = {
  sampleRate: RNNOISE_SAMPLE_RATE,
  latencyHint: 'interactive',
  sinkId: { type: 'none' },
};

export async function createRnnoiseGraph(): Promise<SuppressorGraph> {
  const ctx = new AudioContext(CONTEXT_OPTIONS);
  try {
    const [wasmBinary] = await Promise.all([loadRnnoise({ url: wasmUrl, simdUrl }), ctx.audioWorklet.addModule(workletUrl)]);
    return new RnnoiseGraph(ctx, new RnnoiseWorkletNode(ctx, { wasmBinary, maxChannels: 1 }));
  } catch (err) {
    void ctx.close();
    throw err;
  }
}

class RnnoiseGraph implements SuppressorGraph {
  readonly output: MediaStreamTrack;
  readonly #ctx: AudioContext;
  readonly #node: RnnoiseWorkletNode;
  readonly #listeners = new Set<() => void>();
  #input: MediaStreamTrack | null = null;
  #source: MediaStreamAudioSourceNode | undefined;
  #active = false;
  #closed = false;
  readonly #wake = () => {
    if (this.#active && this.#ctx.state === 'suspended') void this.#ctx.resume();
  };

  constructor(ctx: AudioContext, node: RnnoiseWorkletNode) {
    this.#ctx = ctx;
    this.#node = node;
    const destination = ctx.createMediaStreamDestination();
    // One voice: mono all the way, half the work of the default stereo.
    destination.channelCount = 1;
    destination.channelCountMode = 'explicit';
    node.connect(destination);
    const track = destination.stream.getAudioTracks()[0];
    if (!track) throw new Error('the AudioContext gave no audio track');
    this.output = track;
    ctx.addEventListener('statechange', () => {
      for (const listener of [...this.#listeners]) listener();
    });
    // A browser may hold an AudioContext until the page is clicked; the first click or key lets it run.
    addEventListener('pointerdown', this.#wake, true);
    addEventListener('keydown', this.#wake, true);
  }

  get running(): boolean {
    return this.#ctx.state === 'running';
  }

  connect(input: MediaStreamTrack | null): void {
    if (this.#closed || input === this.#input) return;
    this.#source?.disconnect();
    this.#source = undefined;
    this.#input = input;
    if (!input) return;
    this.#source = this.#ctx.createMediaStreamSource(new MediaStream([input]));
    this.#source.connect(this.#node);
  }

  onRunningChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async setActive(active: boolean): Promise<void> {
    this.#active = active;
    if (this.#closed) return;
    if (active) await this.#ctx.resume();
    else await this.#ctx.suspend();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    removeEventListener('pointerdown', this.#wake, true);
    removeEventListener('keydown', this.#wake, true);
    this.#listeners.clear();
    this.#source?.disconnect();
    this.#node.destroy();
    this.output.stop();
    void this.#ctx.close();
  }
}
