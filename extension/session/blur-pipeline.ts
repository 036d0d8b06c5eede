// The background blur itself, loaded only by a dynamic import from
// background-blur.ts: MediaPipe's selfie segmentation finds the person, a
// canvas composites them sharp over a blurred copy of the frame, and the
// canvas's stream is what gets sent.
//
// Why @mediapipe/selfie_segmentation: its model (the 250 KB landscape one is
// used, made for video calls) and its WebAssembly ship inside the npm package,
// so nothing is fetched from anywhere but the page's own origin at run time
// (@mediapipe/tasks-vision ships no model). Its glue is Closure-compiled and
// Emscripten's with dynamic execution off: no eval, no new Function. Only the
// SIMD build is shipped (every browser Zing supports has WebAssembly SIMD),
// which saves 5.6 MB; a browser without SIMD gets the `failed` note.
//
// Inference runs on the CPU (XNNPACK): on machines without a GPU, MediaPipe's
// GPU path goes through a software WebGL and took ten times longer here
// (≈ 830 ms a frame against 25–85 ms on these 2-core machines). MediaPipe still
// needs a WebGL context to take the frame in and hand the mask out, CPU
// inference or not; where the browser gives none (Firefox with its GPU
// blocklisted, or headless Firefox, which has no WebGL at all: Mozilla bug
// 1375585), MediaPipe would alert() and then fail, so the blur checks first.
import type { Results, SelfieSegmentation } from '@mediapipe/selfie_segmentation';
import graphUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.binarypb?url';
import solutionUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.js?url';
import modelUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite?url';
import glueUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.js?url';
import wasmUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.wasm?url';
import { BlurUnavailable, type BlurEngine, type BlurEngineEvent } from './background-blur.ts';
import { BlurGovernor, type BlurLevel } from './blur-governor.ts';

/** Where MediaPipe finds each file it asks for: the build's own copies, never a CDN. */
const FILES: Record<string, string> = {
  'selfie_segmentation.binarypb': graphUrl,
  'selfie_segmentation_landscape.tflite': modelUrl,
  'selfie_segmentation_solution_simd_wasm_bin.js': glueUrl,
  'selfie_segmentation_solution_simd_wasm_bin.wasm': wasmUrl,
};

/** MediaPipe's landscape model: the general one is square and costs more for a 16:9 camera. */
const LANDSCAPE_MODEL = 1;
/** How strongly the background is blurred, in pixels of a quarter-size copy (so about 4× that on the frame). */
const BACKGROUND_BLUR_PX = 4;
/** The background is blurred on a copy this many times smaller in each direction: 16× less to blur. */
const BACKGROUND_SCALE = 4;
/**
 * Softens the mask's edge so the outline does not shimmer, in pixels of the
 * mask (128–256 px wide: about 5–10 px of a 1280 px frame). Blurred at the
 * mask's size, not the frame's: a 2 px filter over a 1280×720 canvas took
 * 28 ms a frame in Firefox here, over the small mask well under 1 ms.
 */
const EDGE_SOFTEN_PX = 1;
/** A camera that does not say its frame rate is assumed to run at this one. */
const DEFAULT_CAMERA_FPS = 30;

type SelfieSegmentationClass = new (config: { locateFile: (file: string) => string }) => SelfieSegmentation;

/** Loads MediaPipe's script once per page: it defines `SelfieSegmentation` on the window. */
let solution: Promise<SelfieSegmentationClass> | undefined;
function loadSolution(): Promise<SelfieSegmentationClass> {
  solution ??= new Promise<SelfieSegmentationClass>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = solutionUrl;
    script.addEventListener('load', () => {
      const ctor = (globalThis as { SelfieSegmentation?: SelfieSegmentationClass }).SelfieSegmentation; // set by the script just run
      if (ctor) resolve(ctor);
      else reject(new Error('MediaPipe loaded without SelfieSegmentation'));
    });
    script.addEventListener('error', () => reject(new Error(`could not load ${solutionUrl}`)));
    document.head.append(script);
  });
  solution.catch(() => {
    solution = undefined; // a later attempt may work (the file was briefly unreachable)
  });
  return solution;
}

/**
 * Whether the page can read back what it draws. Firefox's resistFingerprinting
 * hands a page a blank image instead (and a canvas's stream with it), which
 * would send a white picture, and gives MediaPipe blank frames to segment.
 * Its milder canvas randomisation changes a few values by one, which does no
 * harm to a blur.
 */
export function canvasReadable(): boolean {
  const canvas = document.createElement('canvas');
  canvas.width = 4;
  canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return false;
  const colours = ['#ff0000', '#00ff00', '#0000ff', '#000000'];
  for (const [x, colour] of colours.entries()) {
    ctx.fillStyle = colour;
    ctx.fillRect(x, 0, 1, 1);
  }
  const px = ctx.getImageData(0, 0, 4, 1).data;
  const expected = [255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0];
  return expected.every((v, i) => Math.abs((px[i + Math.floor(i / 3)] ?? -99) - v) <= 8);
}

/** Whether the page can have a WebGL context, which MediaPipe needs (see the note at the top). */
export function webglAvailable(): boolean {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return false;
  gl.getExtension('WEBGL_lose_context')?.loseContext(); // give it back now rather than at collection
  return true;
}

export async function createBlurPipeline(): Promise<BlurEngine> {
  if (!canvasReadable()) throw new BlurUnavailable('canvasBlocked');
  if (!webglAvailable()) {
    console.warn('zing: background blur needs WebGL, which this browser does not give the page');
    throw new BlurUnavailable('failed');
  }
  const Segmentation = await loadSolution();
  const segmenter = new Segmentation({
    locateFile: (file) => {
      const url = FILES[file];
      if (!url) throw new Error(`MediaPipe asked for ${file}, which this build does not ship`);
      return url;
    },
  });
  segmenter.setOptions({ modelSelection: LANDSCAPE_MODEL, selfieMode: false });
  // Not in the typings: MediaPipe's own option for XNNPACK inference (see the note at the top).
  (segmenter.setOptions as (options: Record<string, unknown>) => void)({ useCpuInference: true });
  try {
    await segmenter.initialize();
  } catch (err) {
    void segmenter.close();
    throw err;
  }
  return new BlurPipeline(segmenter);
}

function canvas2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  return ctx;
}

class BlurPipeline implements BlurEngine {
  readonly output: MediaStreamTrack;
  readonly #segmenter: SelfieSegmentation;
  readonly #listeners = new Set<(event: BlurEngineEvent) => void>();
  readonly #video = document.createElement('video');
  readonly #out = document.createElement('canvas');
  readonly #outCtx: CanvasRenderingContext2D;
  /** The segmenter's input: the frame, small. */
  readonly #seg = document.createElement('canvas');
  readonly #segCtx: CanvasRenderingContext2D;
  /** The latest mask, kept: frames between segmentations reuse it. */
  readonly #mask = document.createElement('canvas');
  readonly #maskCtx: CanvasRenderingContext2D;
  readonly #person = document.createElement('canvas');
  readonly #personCtx: CanvasRenderingContext2D;
  readonly #background = document.createElement('canvas');
  readonly #backgroundCtx: CanvasRenderingContext2D;
  #camera: MediaStreamTrack | null = null;
  #governor: BlurGovernor | undefined;
  #frameRateCap: number | undefined;
  #frame = 0;
  #haveMask = false;
  #running = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #busy = false;
  #closed = false;
  readonly #onVisibility = () => this.#governor?.setPaused(document.visibilityState === 'hidden', performance.now());

  constructor(segmenter: SelfieSegmentation) {
    this.#segmenter = segmenter;
    this.#outCtx = canvas2d(this.#out);
    this.#segCtx = canvas2d(this.#seg);
    this.#maskCtx = canvas2d(this.#mask);
    this.#personCtx = canvas2d(this.#person);
    this.#backgroundCtx = canvas2d(this.#background);
    this.#video.muted = true;
    this.#video.playsInline = true;
    // A first paint, so the stream has a frame of the right kind before the first composite.
    this.#out.width = 2;
    this.#out.height = 2;
    this.#outCtx.fillRect(0, 0, 2, 2);
    const track = this.#out.captureStream().getVideoTracks()[0];
    if (!track) throw new Error('the canvas gave no video track');
    track.contentHint = 'motion';
    this.output = track;
    segmenter.onResults((results) => this.#keepMask(results));
    document.addEventListener('visibilitychange', this.#onVisibility);
  }

  get running(): boolean {
    return this.#running;
  }

  connect(camera: MediaStreamTrack | null): void {
    if (this.#closed || camera === this.#camera) return;
    this.#camera = camera;
    clearTimeout(this.#timer);
    this.#haveMask = false;
    this.#setRunning(false);
    if (!camera) {
      this.#video.srcObject = null;
      return;
    }
    this.#video.srcObject = new MediaStream([camera]);
    this.#video.play().catch((err: unknown) => this.#stop('failed', err));
    const now = performance.now();
    this.#governor = new BlurGovernor({
      cameraFrameRate: camera.getSettings().frameRate ?? DEFAULT_CAMERA_FPS,
      frameRateCap: this.#frameRateCap,
      now,
    });
    this.#governor.setPaused(document.visibilityState === 'hidden', now);
    this.#schedule(0);
  }

  capFrameRate(fps: number | undefined): void {
    this.#frameRateCap = fps;
    this.#governor?.setFrameRateCap(fps, performance.now());
  }

  onEvent(listener: (event: BlurEngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#video.srcObject = null;
    this.output.stop();
    this.#listeners.clear();
    void this.#segmenter.close();
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#step(), Math.max(0, delayMs));
  }

  async #step(): Promise<void> {
    const governor = this.#governor;
    if (this.#closed || !this.#camera || !governor || this.#busy) return;
    const level = governor.level;
    const started = performance.now();
    if (this.#video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || this.#video.videoWidth === 0) {
      this.#schedule(1000 / level.frameRate);
      return;
    }
    const camera = this.#camera;
    this.#busy = true;
    try {
      if (this.#frame % level.segmentEvery === 0 || !this.#haveMask) await this.#segment(level);
      if (this.#closed || camera !== this.#camera) return;
      this.#composite();
    } catch (err) {
      this.#stop('failed', err);
      return;
    } finally {
      this.#busy = false;
    }
    this.#frame += 1;
    const now = performance.now();
    governor.frameDone(now, now - started);
    const verdict = governor.judge(now);
    if (verdict.kind === 'giveUp') {
      this.#stop('tooSlow');
      return;
    }
    if (this.#haveMask) this.#setRunning(true);
    this.#schedule(1000 / governor.level.frameRate - (performance.now() - started));
  }

  async #segment(level: BlurLevel): Promise<void> {
    const { videoWidth: w, videoHeight: h } = this.#video;
    const width = Math.min(level.segmentationWidth, w);
    const height = Math.max(1, Math.round((width * h) / w));
    if (this.#seg.width !== width || this.#seg.height !== height) {
      this.#seg.width = width;
      this.#seg.height = height;
    }
    this.#segCtx.drawImage(this.#video, 0, 0, width, height);
    await this.#segmenter.send({ image: this.#seg });
  }

  // MediaPipe's mask is its own and may be reused for the next result: copy it.
  #keepMask(results: Results): void {
    const mask = results.segmentationMask;
    if (this.#mask.width !== this.#seg.width || this.#mask.height !== this.#seg.height) {
      this.#mask.width = this.#seg.width;
      this.#mask.height = this.#seg.height;
    }
    this.#maskCtx.globalCompositeOperation = 'copy';
    this.#maskCtx.filter = `blur(${EDGE_SOFTEN_PX}px)`;
    this.#maskCtx.drawImage(mask, 0, 0, this.#mask.width, this.#mask.height);
    this.#maskCtx.filter = 'none';
    this.#haveMask = true;
  }

  #composite(): void {
    const video = this.#video;
    const { videoWidth: w, videoHeight: h } = video;
    for (const c of [this.#out, this.#person]) {
      if (c.width !== w || c.height !== h) {
        c.width = w;
        c.height = h;
      }
    }
    const bw = Math.max(1, Math.round(w / BACKGROUND_SCALE));
    const bh = Math.max(1, Math.round(h / BACKGROUND_SCALE));
    if (this.#background.width !== bw || this.#background.height !== bh) {
      this.#background.width = bw;
      this.#background.height = bh;
    }
    // The background: a small copy, blurred, scaled back up (the scaling blurs it further, for free).
    const bg = this.#backgroundCtx;
    bg.filter = `blur(${BACKGROUND_BLUR_PX}px)`;
    bg.drawImage(video, 0, 0, bw, bh);
    bg.filter = 'none';
    // The person: the mask (opaque where someone is; scaling it up smooths its edge further),
    // then the frame only where the mask is.
    const person = this.#personCtx;
    person.globalCompositeOperation = 'copy';
    person.drawImage(this.#mask, 0, 0, w, h);
    person.globalCompositeOperation = 'source-in';
    person.drawImage(video, 0, 0, w, h);
    // Sharp person over blurred room.
    const out = this.#outCtx;
    out.globalCompositeOperation = 'copy';
    out.drawImage(this.#background, 0, 0, w, h);
    out.globalCompositeOperation = 'source-over';
    out.drawImage(this.#person, 0, 0);
  }

  #setRunning(running: boolean): void {
    if (running === this.#running) return;
    this.#running = running;
    this.#emit({ kind: 'running' });
  }

  #stop(reason: 'tooSlow' | 'failed', error?: unknown): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#camera = null;
    this.#running = false;
    this.#emit(error === undefined ? { kind: 'stopped', reason } : { kind: 'stopped', reason, error });
  }

  #emit(event: BlurEngineEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        console.error('zing: a blur listener threw', err);
      }
    }
  }
}
