// Cameras, microphones and speakers: which ones there are, which one a person
// chose, and which one to open. Pure: device-list.ts asks the browser,
// storage.ts keeps the choices (parsed by settings.ts), local-media.ts opens them.
//
// A choice is remembered by the browser's device id and its label. Ids are
// stable per origin while the permission stands; the label finds the same
// device again where the browser minted a new id (permission reset, another
// install). A remembered device that is not plugged in is not forgotten: the
// default stands in, and the choice applies again once it is back.

export type DeviceKind = 'camera' | 'microphone' | 'speaker';

export const DEVICE_KINDS: readonly DeviceKind[] = ['camera', 'microphone', 'speaker'];

/** What enumerateDevices calls each kind. */
const MEDIA_KIND: Readonly<Record<MediaDeviceKind, DeviceKind>> = {
  videoinput: 'camera',
  audioinput: 'microphone',
  audiooutput: 'speaker',
};

/** One device, as Zing uses it. */
export interface Device {
  readonly kind: DeviceKind;
  readonly id: string;
  /** Empty until the page may use the camera or microphone (the browser hides labels before that). */
  readonly label: string;
}

/** A remembered choice: the device's id, and its label to know it by if its id changes. */
export interface DeviceChoice {
  readonly id: string;
  readonly label: string;
}

export type DevicePrefs = Partial<Record<DeviceKind, DeviceChoice>>;

/**
 * Chromium's stand-ins for whatever the system's default (or communications)
 * device is: not devices of their own, so they are not listed beside them;
 * `Default` is the first option of every list anyway.
 */
const ALIASES: readonly string[] = ['default', 'communications'];

/** The usable devices in what enumerateDevices returned, in its order. */
export function devicesOf(infos: Iterable<Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>>): Device[] {
  const out: Device[] = [];
  const seen = new Set<string>();
  for (const info of infos) {
    const kind = MEDIA_KIND[info.kind];
    // An empty id is the browser saying "there is such a device" before permission: nothing to choose yet.
    if (!kind || info.deviceId === '' || ALIASES.includes(info.deviceId)) continue;
    const key = `${kind}:${info.deviceId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind, id: info.deviceId, label: info.label });
  }
  return out;
}

/** Which device to open for a kind. */
export type Resolution =
  /** Nothing chosen: the browser's default. */
  | { readonly use: 'default' }
  /** The chosen device (or, where the list cannot tell yet, the remembered id to try). */
  | { readonly use: 'chosen'; readonly id: string }
  /** The chosen device is not there: the default stands in, and the person is told. */
  | { readonly use: 'gone'; readonly label: string };

/**
 * Resolves a remembered choice against the devices present now (of any kind;
 * only `kind`'s count). Before permission the browser lists no ids at all:
 * then the remembered id is tried as it is (local-media.ts falls back to the
 * default where it fails). A device that appeared since never takes over
 * from the remembered one, nor from the default.
 */
export function resolveDevice(kind: DeviceKind, choice: DeviceChoice | undefined, present: readonly Device[]): Resolution {
  if (!choice) return { use: 'default' };
  const ofKind = present.filter((d) => d.kind === kind);
  if (ofKind.length === 0) return { use: 'chosen', id: choice.id };
  const byId = ofKind.find((d) => d.id === choice.id);
  if (byId) return { use: 'chosen', id: byId.id };
  const byLabel = choice.label === '' ? undefined : ofKind.find((d) => d.label === choice.label);
  if (byLabel) return { use: 'chosen', id: byLabel.id };
  return { use: 'gone', label: choice.label };
}

/** The id to ask getUserMedia for, undefined for the default. */
export const deviceIdOf = (resolution: Resolution): string | undefined => (resolution.use === 'chosen' ? resolution.id : undefined);

/** What each kind is called in words, as in `Camera 2` for a device without a label. */
const NOUN: Readonly<Record<DeviceKind, string>> = { camera: 'Camera', microphone: 'Microphone', speaker: 'Speaker' };

export interface DeviceOption {
  /** The device id; '' for the default. */
  readonly value: string;
  readonly label: string;
}

/**
 * The options of one kind's combobox: `Default` first, then every device.
 * A device the browser names nothing (no permission yet) is `Camera 2`; the
 * one in use is listed even where the browser no longer lists it.
 */
export function deviceOptions(kind: DeviceKind, present: readonly Device[], inUse?: Device): DeviceOption[] {
  const ofKind = present.filter((d) => d.kind === kind);
  if (inUse && inUse.kind === kind && !ofKind.some((d) => d.id === inUse.id)) ofKind.push(inUse);
  return [
    { value: '', label: 'Default' },
    ...ofKind.map((d, i) => ({ value: d.id, label: d.label === '' ? `${NOUN[kind]} ${i + 1}` : d.label })),
  ];
}

/**
 * What the combobox shows as selected: the device in use where it is one
 * of the listed ones (Chromium's `default` alias is not), else Default.
 */
export const selectedOption = (options: readonly DeviceOption[], inUseId: string | undefined): string =>
  inUseId !== undefined && options.some((o) => o.value === inUseId) ? inUseId : '';

/** The choice to remember for a device picked from a list ('' is the default: nothing to remember). */
export function choiceFor(kind: DeviceKind, id: string, present: readonly Device[]): DeviceChoice | undefined {
  if (id === '') return undefined;
  const device = present.find((d) => d.kind === kind && d.id === id);
  return { id, label: device?.label ?? '' };
}
