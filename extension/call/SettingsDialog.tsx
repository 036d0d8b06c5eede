import { createEffect, type JSX } from 'solid-js';
import { DeviceSelects, type DeviceSelectsProps } from './DeviceSelects.tsx';

export interface SettingsDialogProps extends Omit<DeviceSelectsProps, 'idPrefix'> {
  open: boolean;
  onClose: () => void;
  /** More settings below the devices (the `Noise suppression` and `Blur background` checkboxes). */
  children?: JSX.Element;
}

/**
 * The in-call `Settings` dialog: camera, microphone and speaker, switched
 * without leaving the call. A native modal <dialog>, so the call behind it is
 * inert, Tab stays inside and Escape closes it; focus goes back to whatever
 * opened it.
 */
export function SettingsDialog(props: SettingsDialogProps) {
  let dialog!: HTMLDialogElement;
  let opener: Element | null = null;

  createEffect(() => {
    if (props.open && !dialog.open) {
      opener = dialog.ownerDocument.activeElement;
      dialog.showModal();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  });

  const closed = () => {
    props.onClose();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    opener = null;
  };

  return (
    <dialog ref={dialog} class="dialog settings" aria-labelledby="settings-title" onClose={closed}>
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
        <button type="button" onClick={() => dialog.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
