// The local camera and microphone: acquire, mute, turn the camera off and on,
// switch to another device. Turning the camera off stops the track so the
// camera light goes out too.
import { ZingError } from './errors.ts';
import { TypedEmitter } from './typed-emitter.ts';

/** Capture at up to 720p (what a 1:1 call deserves); the governor scales each link down per sender. */
export const cameraConstraints = (maxHeight: number): MediaTrackConstraints => ({
  width: { ideal: Math.round((maxHeight * 16) / 9) },
  height: { ideal: maxHeight },
  frameRate: { ideal: 30 },
});
/**
 * The microphone with the browser's echo cancellation only. Noise suppression,
 * where the person wants it, is RNNoise on top (noise-suppressor.ts): the
 * browser's own would do the job twice. Off, this is what is sent, so it must
 * suit music too, which automatic gain control pumps; and one capture must
 * serve both, since switching is a replaceTrack, not a new getUserMedia.
 */
export const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: false, autoGainControl: false };

/** The devices LocalMedia opens. */
export type InputKind = 'camera' | 'microphone';

export interface MediaStartPrefs {
  micMuted: boolean;
  cameraOff: boolean;
  /** Device ids to open; undefined (or a device that is not there) opens the browser's default. */
  camera?: string | undefined;
  microphone?: string | undefined;
}

export type LocalMediaEvents = {
  /**
   * A camera or microphone stopped by itself: unplugged, taken by another
   * app, or its permission revoked. (Zing's own stop() fires no `ended`.)
   */
  ended: [{ kind: InputKind; label: string }];
};

/** A device the constraints name that is not there: getUserMedia says so with one of these. */
const isMissingDevice = (err: unknown): boolean =>
  err instanceof DOMException && (err.name === 'OverconstrainedError' || err.name === 'NotFoundError');
// Firefox and older Chromium reject an exact deviceId with an OverconstrainedError that is not a DOMException.
const isOverconstrained = (err: unknown): boolean =>
  isMissingDevice(err) || (typeof err === 'object' && err !== null && 'constraint' in err);

const withDevice = (base: MediaTrackConstraints, id: string | undefined): MediaTrackConstraints =>
  id === undefined ? base : { ...base, deviceId: { exact: id } };

export class LocalMedia extends TypedEmitter<LocalMediaEvents> {
  /** The own-tile preview: whatever local tracks exist right now. */
  readonly preview = new MediaStream();
  /** The own screen-share tile. */
  readonly screenPreview = new MediaStream();
  #screen: MediaStreamTrack | null = null;
  #audio: MediaStreamTrack | null = null;
  #video: MediaStreamTrack | null = null;
  #micMuted = false;
  /** The person wants the camera on (it may still be closed: denied, or unplugged a moment ago). */
  #cameraOn = true;
  #stopped = false;
  /**
   * The newest request per kind (start, useDevice, setCameraOff). getUserMedia can take seconds
   * (a permission prompt, a slow camera): a device that opens after the person turned the camera
   * off, or picked another, is stopped rather than kept, or the camera light would stay on under
   * a tile that says Camera off.
   */
  readonly #requests: Record<InputKind, number> = { camera: 0, microphone: 0 };
  readonly #camera: MediaTrackConstraints;
  /** The devices the person chose; undefined: the default. Turning the camera back on opens this one. */
  readonly #chosen: Record<InputKind, string | undefined> = { camera: undefined, microphone: undefined };

  constructor(opts: { maxVideoHeight: number } = { maxVideoHeight: 720 }) {
    super();
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
   * Opens the microphone, and the camera unless `cameraOff`, on the chosen
   * devices (the default where one is not there). What is open already (a
   * pre-join preview) is kept. Returns the error to show where a device is
   * denied or missing; the call goes on without it.
   */
  async start(prefs: MediaStartPrefs): Promise<ZingError | undefined> {
    this.#micMuted = prefs.micMuted;
    this.#cameraOn = !prefs.cameraOff;
    if (this.#audio) this.#audio.enabled = !prefs.micMuted;
    this.#chosen.camera = prefs.camera ?? this.#chosen.camera;
    this.#chosen.microphone = prefs.microphone ?? this.#chosen.microphone;
    if (prefs.cameraOff) this.#dropVideo();
    const audio = this.#audio === null;
    const video = !prefs.cameraOff && this.#video === null;
    if (!audio && !video) return undefined;
    const tickets = this.#ask(audio, video);
    try {
      this.#adopt(await this.#open(audio, video), tickets);
      return undefined;
    } catch (err) {
      const error = ZingError.fromMediaError(err);
      // A missing camera should not cost the microphone: try audio alone.
      if (error.code === 'CAMERA_UNAVAILABLE' && video && audio) {
        try {
          this.#adopt(await this.#open(true, false), tickets);
        } catch {
          // both failed: the first error says more
        }
      }
      return error;
    }
  }

  /** The device in use for `kind` (its id as the browser gives it), if one is open. */
  deviceId(kind: InputKind): string | undefined {
    return this.#track(kind)?.getSettings().deviceId;
  }

  /**
   * Switches `kind` to the device `id` (undefined: the default). The new
   * device opens before the old one stops, so the picture does not drop;
   * where both cannot be open at once (some cameras), the old one goes first.
   * A camera turned off only remembers the choice. Rejects with a ZingError
   * where the device cannot be opened; the old one then stays. Resolves false
   * where a later request for `kind` came first (its device is the one kept).
   */
  async useDevice(kind: InputKind, id: string | undefined): Promise<boolean> {
    this.#chosen[kind] = id;
    if (this.#stopped || (kind === 'camera' && !this.#cameraOn)) return true;
    const audio = kind === 'microphone';
    const tickets = this.#ask(audio, !audio);
    let stream: MediaStream;
    try {
      stream = await this.#open(audio, !audio);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'NotReadableError')) throw ZingError.fromMediaError(err);
      // The device is busy, maybe with the old track itself: let that go first.
      if (audio) this.#dropAudio();
      else this.#dropVideo();
      try {
        stream = await this.#open(audio, !audio);
      } catch (again) {
        throw ZingError.fromMediaError(again);
      }
    }
    return this.#adopt(stream, tickets);
  }
  setMicMuted(muted: boolean): void {
    this.#micMuted = muted;
    if (this.#audio) this.#audio.enabled = !muted;
  }

  /** Stops or reopens the camera; rejects with a ZingError where it cannot be opened. */
  async setCameraOff(off: boolean): Promise<void> {
    this.#cameraOn = !off;
    const tickets = this.#ask(false, true); // a camera still opening for an earlier request is not kept
    if (off) {
      this.#dropVideo();
      return;
    }
    if (this.#video || this.#stopped) return;
    let stream: MediaStream;
    try {
      stream = await this.#open(false, true);
    } catch (err) {
      throw ZingError.fromMediaError(err);
    }
    this.#adopt(stream, tickets);
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
      // The person cancelled the picker; the system's refusal (macOS without screen recording allowed) is an error.
      if (err instanceof DOMException && err.name === 'NotAllowedError' && !/by system/i.test(err.message)) return null;
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
    this.removeAllListeners();
  }

  /**
   * getUserMedia for the chosen devices; a chosen device that is not there
   * (unplugged, or an id from before) gives way to the default.
   */
  async #open(audio: boolean, video: boolean): Promise<MediaStream> {
    const mic = this.#chosen.microphone;
    const cam = this.#chosen.camera;
    const ask = (useChosen: boolean) =>
      navigator.mediaDevices.getUserMedia({
        audio: audio && withDevice(MIC_CONSTRAINTS, useChosen ? mic : undefined),
        video: video && withDevice(this.#camera, useChosen ? cam : undefined),
      });
    const chose = (audio && mic !== undefined) || (video && cam !== undefined);
    try {
      return await ask(true);
    } catch (err) {
      if (!chose || !isOverconstrained(err)) throw err;
      return ask(false);
    }
  }

  #track(kind: InputKind): MediaStreamTrack | null {
    return kind === 'camera' ? this.#video : this.#audio;
  }

  /** Takes a ticket for each kind about to be opened: the request is the newest for it. */
  #ask(audio: boolean, video: boolean): Record<InputKind, number> {
    if (audio) this.#requests.microphone += 1;
    if (video) this.#requests.camera += 1;
    return { ...this.#requests };
  }

  /**
   * Keeps the tracks of `stream` whose request (`tickets`) is still the newest for their kind,
   * and a camera only while the person wants it on; stops the rest. False if any was stopped.
   */
  #adopt(stream: MediaStream, tickets: Record<InputKind, number>): boolean {
    let kept = true;
    for (const track of stream.getTracks()) {
      const kind: InputKind = track.kind === 'audio' ? 'microphone' : 'camera';
      if (this.#stopped || tickets[kind] !== this.#requests[kind] || (kind === 'camera' && !this.#cameraOn)) {
        track.stop();
        kept = false;
        continue;
      }
      if (track.kind === 'audio') {
        this.#dropAudio();
        track.enabled = !this.#micMuted;
        this.#audio = track;
      } else {
        this.#dropVideo();
        this.#video = track;
      }
      this.#watch(track);
      this.preview.addTrack(track);
    }
    return kept;
  }

  // `ended` fires only when the device goes away by itself; stop() never fires it.
  #watch(track: MediaStreamTrack): void {
    const kind: InputKind = track.kind === 'audio' ? 'microphone' : 'camera';
    track.addEventListener(
      'ended',
      () => {
        // Only the track in use matters: one replaced meanwhile has been let go.
        if (this.#track(kind) !== track) return;
        if (kind === 'camera') this.#dropVideo();
        else this.#dropAudio();
        this.emit('ended', { kind, label: track.label });
      },
      { once: true },
    );
  }

  #dropAudio(): void {
    if (!this.#audio) return;
    this.#audio.stop();
    this.preview.removeTrack(this.#audio);
    this.#audio = null;
  }

  #dropVideo(): void {
    if (!this.#video) return;
    this.#video.stop();
    this.preview.removeTrack(this.#video);
    this.#video = null;
  }
}
