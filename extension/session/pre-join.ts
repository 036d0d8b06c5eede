// What a person sets up on the pre-join page before anyone sees them: the
// camera preview, the devices, and whether to come in muted or with the
// camera off. Nothing here talks to the relay: until `Join call` nothing
// leaves the page. On joining, the open camera and microphone are handed to
// the call as they are (no second prompt, no flicker of the camera light).
//
// The preview opens only when the person asks for it (`Show preview`), never
// by itself: any website can send the browser to this page (a share link
// clicked anywhere lands here), and an automatic preview would let it turn on
// someone's camera light, or pop a camera prompt that seems to come from Zing.
import type { DeviceList } from './device-list.ts';
import { choiceFor, deviceIdOf, resolveDevice, type DeviceChoice, type DeviceKind, type DevicePrefs } from './devices.ts';
import { ZingError } from './errors.ts';
import type { InputKind, LocalMedia } from './local-media.ts';
import { TypedEmitter } from './typed-emitter.ts';

/** What the pre-join page shows. */
export interface PreJoinState {
  /** The person asked for a preview: the devices are open (or failed to open). */
  readonly previewing: boolean;
  readonly micMuted: boolean;
  readonly cameraOff: boolean;
  /** The own camera and microphone while previewing; null before. */
  readonly stream: MediaStream | null;
  /** The device shown as chosen per kind: the one in use while previewing, else the remembered one (undefined: default). */
  readonly camera: string | undefined;
  readonly microphone: string | undefined;
  /** A device that could not be opened, denied, or that is not plugged in. */
  readonly alert: ZingError | undefined;
}

/** The camera and microphone of the preview, as LocalMedia offers them. */
export type PreviewMedia = Pick<LocalMedia, 'start' | 'stop' | 'setMicMuted' | 'setCameraOff' | 'useDevice' | 'deviceId' | 'on'> & {
  readonly preview: MediaStream | null;
};

export interface PreJoinDeps<M extends PreviewMedia = PreviewMedia> {
  micMuted: boolean;
  cameraOff: boolean;
  devices: DevicePrefs;
  deviceList: Pick<DeviceList, 'devices' | 'ready' | 'refresh'>;
  /** Makes the preview's media (a LocalMedia at the call's capture size). */
  createMedia: () => M;
  /** Keeps the toggles for the next call too, as the call's own do. */
  saveToggles: (patch: { micMuted?: boolean; cameraOff?: boolean }) => Promise<unknown>;
  saveDevice: (kind: DeviceKind, choice: DeviceChoice | undefined) => Promise<unknown>;
}

/** What the call starts from once `Join call` is pressed. */
export interface JoinSetup<M extends PreviewMedia = PreviewMedia> {
  readonly micMuted: boolean;
  readonly cameraOff: boolean;
  /** The devices chosen here (and before). */
  readonly devices: DevicePrefs;
  /** The preview's open camera and microphone, now the call's; undefined where no preview was shown. */
  readonly media: M | undefined;
}

export type PreJoinEvents = { stateChanged: [PreJoinState] };

const warn = (what: string) => (err: unknown) => console.warn(`zing: could not remember ${what}`, err);

export class PreJoinSetup<M extends PreviewMedia = PreviewMedia> extends TypedEmitter<PreJoinEvents> {
  readonly #deps: PreJoinDeps<M>;
  #media: M | undefined;
  #micMuted: boolean;
  #cameraOff: boolean;
  #devices: DevicePrefs;
  #alert: ZingError | undefined;
  #state: PreJoinState;
  #done = false;

  constructor(deps: PreJoinDeps<M>) {
    super();
    this.#deps = deps;
    this.#micMuted = deps.micMuted;
    this.#cameraOff = deps.cameraOff;
    this.#devices = { ...deps.devices };
    this.#state = this.#snapshot();
  }

  get state(): PreJoinState {
    return this.#state;
  }

  /** Opens the camera (unless off) and the microphone for the preview. Only on the person's click. */
  async showPreview(): Promise<void> {
    if (this.#media || this.#done) return;
    const media = this.#deps.createMedia();
    this.#media = media;
    media.on('ended', () => this.#update()); // unplugged while previewing: the preview shows what is left
    this.#update();
    await this.#deps.deviceList.ready;
    const present = this.#deps.deviceList.devices;
    const camera = resolveDevice('camera', this.#devices.camera, present);
    const microphone = resolveDevice('microphone', this.#devices.microphone, present);
    const error = await media.start({
      micMuted: this.#micMuted,
      cameraOff: this.#cameraOff,
      camera: deviceIdOf(camera),
      microphone: deviceIdOf(microphone),
    });
    // Joined meanwhile: the call owns the media now, and says what failed itself.
    if (this.#done) return;
    const missing = [camera, microphone].find((r) => r.use === 'gone');
    this.#alert = error ?? (missing?.use === 'gone' ? new ZingError('DEVICE_MISSING', missing.label) : undefined);
    // Allowed now, the browser names its devices.
    await this.#deps.deviceList.refresh();
    this.#update();
  }

  setMicMuted(muted: boolean): void {
    this.#micMuted = muted;
    this.#media?.setMicMuted(muted);
    this.#update();
    this.#deps.saveToggles({ micMuted: muted }).catch(warn('the microphone toggle'));
  }

  async setCameraOff(off: boolean): Promise<void> {
    this.#cameraOff = off;
    this.#update();
    this.#deps.saveToggles({ cameraOff: off }).catch(warn('the camera toggle'));
    try {
      await this.#media?.setCameraOff(off);
      if (this.#alert?.code === 'CAMERA_UNAVAILABLE' || this.#alert?.code === 'CAMERA_DENIED') this.#alert = undefined;
    } catch (err) {
      this.#alert = err instanceof ZingError ? err : ZingError.fromMediaError(err);
    }
    this.#update();
  }

  /** A camera or microphone picked from its list ('' is the default); remembered, and switched to if previewing. */
  async useDevice(kind: InputKind, id: string): Promise<void> {
    const choice = choiceFor(kind, id, this.#deps.deviceList.devices);
    this.#devices = { ...this.#devices, [kind]: choice };
    this.#update();
    this.#deps.saveDevice(kind, choice).catch(warn(`the ${kind}`));
    if (!this.#media) return;
    try {
      await this.#media.useDevice(kind, id === '' ? undefined : id);
      if (this.#alert?.code === 'DEVICE_MISSING') this.#alert = undefined;
    } catch (err) {
      this.#alert = err instanceof ZingError ? err : ZingError.fromMediaError(err);
    }
    this.#update();
  }

  /** `Join call`: the setup for the call, which from now on owns the preview's media. */
  join(): JoinSetup<M> {
    this.#done = true;
    const setup = { micMuted: this.#micMuted, cameraOff: this.#cameraOff, devices: this.#devices, media: this.#media };
    this.#media = undefined;
    this.removeAllListeners();
    return setup;
  }

  /** The page goes away without joining: the preview's devices close. Safe twice. */
  close(): void {
    this.#done = true;
    this.#media?.stop();
    this.#media = undefined;
    this.removeAllListeners();
  }

  #snapshot(): PreJoinState {
    const media = this.#media;
    const remembered = (kind: InputKind) => this.#devices[kind]?.id;
    const stream = media?.preview ?? null;
    return {
      previewing: media !== undefined,
      micMuted: this.#micMuted,
      cameraOff: this.#cameraOff,
      stream: stream && stream.getTracks().length > 0 ? stream : null,
      camera: media?.deviceId('camera') ?? remembered('camera'),
      microphone: media?.deviceId('microphone') ?? remembered('microphone'),
      alert: this.#alert,
    };
  }

  #update(): void {
    this.#state = this.#snapshot();
    this.emit('stateChanged', this.#state);
  }
}
