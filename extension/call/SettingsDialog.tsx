import type { JSX } from 'solid-js';
import { modalDialog } from './modal-dialog.ts';
import { DeviceSelects, type DeviceSelectsProps } from './DeviceSelects.tsx';

export interface SettingsDialogProps extends Omit<DeviceSelectsProps, 'idPrefix'> {
  open: boolean;
  onClose: () => void;
  /** More settings below the devices (the `Noise suppression` and `Blur background` checkboxes). */
  children?: JSX.Element;
}

/** The in-call `Settings` dialog: camera, microphone and speaker, switched without leaving the call. */
export function SettingsDialog(props: SettingsDialogProps) {
  const modal = modalDialog(props);

  return (
    <dialog ref={modal.ref} class="dialog settings" aria-labelledby="settings-title" onClose={modal.onClose}>
      <h2 id="settings-title">Settings</h2>
      <DeviceSelects
        idPrefix="settings"
        devices={props.devices}
        camera={props.camera}
        microphone={props.microphone}
        speaker={props.speaker}
        speakerSupport={props.speakerSupport}
        onChoose={props.onChoose}
      />
      {props.children}
      <div class="dialog-actions">
        <button type="button" onClick={modal.close}>
          Close
        </button>
      </div>
    </dialog>
  );
}
