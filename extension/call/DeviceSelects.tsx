import { For, Show, createMemo } from 'solid-js';
import { deviceOptions, selectedOption, type Device, type DeviceKind } from '../session/devices.ts';
import type { SpeakerSupport } from '../session/speaker.ts';
import { CHOOSE_SPEAKER } from './device-prefs.ts';

export interface DeviceSelectsProps {
  /** Distinguishes the element ids where two sets could share a page. */
  idPrefix: string;
  devices: readonly Device[];
  /** The device in use (camera, microphone) or chosen (speaker); undefined or '' for the default. */
  camera: string | undefined;
  microphone: string | undefined;
  speaker: string;
  speakerSupport: SpeakerSupport;
  /** '' picks the default; CHOOSE_SPEAKER asks for the browser's chooser. */
  onChoose: (kind: DeviceKind, id: string) => void;
}

/** The `Camera`, `Microphone` and (where the browser can choose an output) `Speaker` comboboxes. */
export function DeviceSelects(props: DeviceSelectsProps) {
  const select = (kind: DeviceKind, label: string, value: () => string | undefined) => {
    const inUse = () => props.devices.find((d) => d.kind === kind && d.id === value());
    const options = createMemo(() => {
      const list = deviceOptions(kind, props.devices, inUse());
      return kind === 'speaker' && props.speakerSupport === 'chooser'
        ? [...list, { value: CHOOSE_SPEAKER, label: 'Another speaker…' }]
        : list;
    });
    const selected = () => selectedOption(options(), value());
    const id = `${props.idPrefix}-${kind}`;
    return (
      <div class="device">
        <label for={id}>{label}</label>
        <select
          id={id}
          onChange={(e) => {
            const chosen = e.currentTarget.value;
            // The browser's chooser decides; until it answers, the list shows what is in use.
            if (chosen === CHOOSE_SPEAKER) e.currentTarget.value = selected();
            props.onChoose(kind, chosen);
          }}
        >
          <For each={options()}>
            {(o) => (
              <option value={o.value} selected={o.value === selected()}>
                {o.label}
              </option>
            )}
          </For>
        </select>
      </div>
    );
  };
  return (
    <div class="devices">
      {select('camera', 'Camera', () => props.camera)}
      {select('microphone', 'Microphone', () => props.microphone)}
      <Show when={props.speakerSupport !== 'none'}>{select('speaker', 'Speaker', () => props.speaker)}</Show>
    </div>
  );
}
