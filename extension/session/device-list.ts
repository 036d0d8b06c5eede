// The devices plugged in now, kept up to date: read again on every
// `devicechange` (a camera or headset plugged in or out) and whenever the page
// has just been allowed to use them (labels and ids appear only then).
// Listing devices opens none: no camera light, no prompt.
import { devicesOf, type Device } from './devices.ts';
import { TypedEmitter } from './typed-emitter.ts';

export type DeviceListEvents = {
  /** The devices changed: one was plugged in or out, or their names became known. */
  changed: [readonly Device[]];
};

/** What the list uses of navigator.mediaDevices. */
export type DeviceSource = Pick<MediaDevices, 'enumerateDevices' | 'addEventListener' | 'removeEventListener'>;

export class DeviceList extends TypedEmitter<DeviceListEvents> {
  readonly #source: DeviceSource | undefined;
  #devices: readonly Device[] = [];
  #closed = false;
  /** Reads run one after another, so an older answer never lands after a newer one. */
  #reading: Promise<void> = Promise.resolve();
  readonly #onChange = () => void this.refresh();
  /** Settles once the first read is done. */
  readonly ready: Promise<void>;

  constructor(source: DeviceSource | undefined = globalThis.navigator?.mediaDevices) {
    super();
    this.#source = source;
    source?.addEventListener('devicechange', this.#onChange);
    this.ready = this.refresh();
  }

  get devices(): readonly Device[] {
    return this.#devices;
  }

  /** Reads the devices again; resolves once the list is current. */
  refresh(): Promise<void> {
    const source = this.#source;
    if (!source) return Promise.resolve();
    this.#reading = this.#reading.then(async () => {
      if (this.#closed) return;
      let next: Device[];
      try {
        next = devicesOf(await source.enumerateDevices());
      } catch (err) {
        console.warn('zing: could not list the cameras and microphones', err);
        return;
      }
      if (this.#closed || sameDevices(this.#devices, next)) return;
      this.#devices = next;
      this.emit('changed', next);
    });
    return this.#reading;
  }

  /** Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#source?.removeEventListener('devicechange', this.#onChange);
    this.removeAllListeners();
  }
}

const sameDevices = (a: readonly Device[], b: readonly Device[]): boolean =>
  a.length === b.length && a.every((d, i) => d.kind === b[i]?.kind && d.id === b[i]?.id && d.label === b[i]?.label);
