// The page's view of the devices: the list (live, from DeviceList) and the
// chosen speaker, which the page plays every remote voice on. Cameras and
// microphones are the session's (or, before joining, the preview's) to open.
import { createSignal, onCleanup, type Accessor } from 'solid-js';
import type { DeviceList } from '../session/device-list.ts';
import { choiceFor, deviceIdOf, resolveDevice, type Device, type DeviceChoice, type DeviceKind } from '../session/devices.ts';
import { chooseSpeaker, speakerSupport, type SpeakerSupport } from '../session/speaker.ts';

/**
 * The `Speaker` option that asks for the browser's chooser (Firefox's selectAudioOutput); never a
 * device id (those are base64 or hex).
 * Here, not in DeviceSelects.tsx, so the call page does not load the selects eagerly.
 */
export const CHOOSE_SPEAKER = 'zing:choose';

/** The devices plugged in now, as a signal that follows plugging and unplugging. */
export function devicesOf(list: DeviceList): Accessor<readonly Device[]> {
  const [devices, setDevices] = createSignal(list.devices);
  onCleanup(list.on('changed', setDevices));
  return devices;
}

export interface SpeakerPref {
  readonly support: SpeakerSupport;
  /** The speaker to play on: the chosen one where it is there, else '' (the default). */
  speaker: Accessor<string>;
  /** A pick from the `Speaker` combobox ('' for the default, CHOOSE_SPEAKER for the browser's chooser); remembered. */
  choose: (id: string) => void;
}

export function speakerPref(
  initial: DeviceChoice | undefined,
  devices: Accessor<readonly Device[]>,
  save: (kind: DeviceKind, choice: DeviceChoice | undefined) => Promise<unknown>,
): SpeakerPref {
  const support = speakerSupport();
  const [chosen, setChosen] = createSignal(initial);
  const remember = (choice: DeviceChoice | undefined) => {
    setChosen(choice);
    save('speaker', choice).catch((err: unknown) => console.warn('zing: could not remember the speaker', err));
  };
  return {
    support,
    speaker: () => (support === 'none' ? '' : (deviceIdOf(resolveDevice('speaker', chosen(), devices())) ?? '')),
    choose: (id) => {
      if (id !== CHOOSE_SPEAKER) return remember(choiceFor('speaker', id, devices()));
      void chooseSpeaker().then((picked) => {
        if (picked) remember(picked);
      });
    },
  };
}
