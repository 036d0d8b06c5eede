// The local camera and microphone: acquire, mute, turn the camera off and on.
// Turning the camera off stops the track so the camera light goes out too.
import { ZingError } from './errors.ts';

/** Capture at up to 720p (what a 1:1 call deserves); the governor scales each link down per sender. */
export const cameraConstraints = (maxHeight: number): MediaTrackConstraints => ({
  width: { ideal: Math.round((maxHeight * 16) / 9) },
  height: { ideal: maxHeight },
  frameRate: { ideal: 30 },
});
export const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export class LocalMedia {
  /** The own-tile preview: whatever local tracks exist right now. */
  readonly preview = new MediaStream();
  /** The own screen-share tile. */
  readonly screenPreview = new MediaStream();
  #screen: MediaStreamTrack | null = null;
  #audio: MediaStreamTrack | null = null;
  #video: MediaStreamTrack | null = null;
  #micMuted = false;
  #stopped = false;
  readonly #camera: MediaTrackConstraints;

  constructor(opts: { maxVideoHeight: number } = { maxVideoHeight: 720 }) {
    this.#camera = cameraConstraints(opts.maxVideoHeight);
  }

  get audio(): MediaStreamTrack | null {
    return this.#audio;
  }

  get video(): MediaStreamTrack | null {
    return this.#video;
  }

  /** The camera's real capture height (what the governor scales down from). */
  get videoHeight(): number {
    return this.#video?.getSettings().height ?? 0;
  }

  /**
   * Opens the microphone, and the camera unless `cameraOff`. Returns the error
   * to show where a device is denied or missing; the call goes on without it.
   */
  async start(prefs: { micMuted: boolean; cameraOff: boolean }): Promise<ZingError | undefined> {
    this.#micMuted = prefs.micMuted;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: MIC_CONSTRAINTS,
        video: prefs.cameraOff ? false : this.#camera,
      });
      this.#adopt(stream);
      return undefined;
    } catch (err) {
      const error = ZingError.fromMediaError(err);
      // A missing camera should not cost the microphone: try audio alone.
      if (error.code === 'CAMERA_UNAVAILABLE' && !prefs.cameraOff) {
        try {
          this.#adopt(await navigator.mediaDevices.getUserMedia({ audio: MIC_CONSTRAINTS }));
        } catch {
          // both failed: the first error says more
        }
      }
      return error;
    }
  }

  setMicMuted(muted: boolean): void {
    this.#micMuted = muted;
    if (this.#audio) this.#audio.enabled = !muted;
  }

  /** Stops or reopens the camera; rejects with a ZingError where it cannot be opened. */
  async setCameraOff(off: boolean): Promise<void> {
    if (off) {
      this.#dropVideo();
      return;
    }
    if (this.#video) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: this.#camera });
    } catch (err) {
      throw ZingError.fromMediaError(err);
    }
    this.#adopt(stream);
  }

  get screen(): MediaStreamTrack | null {
    return this.#screen;
  }

  /**
   * Asks the browser for a screen, window or tab. Resolves null where the
   * person cancels the picker; `onEnded` fires when the browser's own
   * "Stop sharing" control ends it.
   */
  async startScreen(onEnded: () => void): Promise<MediaStreamTrack | null> {
    if (this.#screen) return this.#screen;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'NotAllowedError') return null; // cancelled
      throw err;
    }
    const track = stream.getVideoTracks()[0];
    if (!track || this.#stopped) {
      for (const t of stream.getTracks()) t.stop();
      return null;
    }
    // Tells the encoder to keep text sharp rather than motion smooth.
    track.contentHint = 'detail';
    track.addEventListener('ended', onEnded, { once: true });
    this.#screen = track;
    this.screenPreview.addTrack(track);
    return track;
  }

  stopScreen(): void {
    if (!this.#screen) return;
    this.#screen.stop();
    this.screenPreview.removeTrack(this.#screen);
    this.#screen = null;
  }

  /** Stops every track. Safe twice. */
  stop(): void {
    this.stopScreen();
    this.#stopped = true;
    for (const track of this.preview.getTracks()) {
      track.stop();
      this.preview.removeTrack(track);
    }
    this.#audio = null;
    this.#video = null;
  }

  #adopt(stream: MediaStream): void {
    for (const track of stream.getTracks()) {
      if (this.#stopped) {
        track.stop();
        continue;
      }
      if (track.kind === 'audio') {
        this.#audio?.stop();
        if (this.#audio) this.preview.removeTrack(this.#audio);
        track.enabled = !this.#micMuted;
        this.#audio = track;
      } else {
        this.#dropVideo();
        this.#video = track;
      }
      this.preview.addTrack(track);
    }
  }

  #dropVideo(): void {
    if (!this.#video) return;
    this.#video.stop();
    this.preview.removeTrack(this.#video);
    this.#video = null;
  }
}
