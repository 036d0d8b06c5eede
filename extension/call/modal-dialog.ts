// A native modal <dialog> driven by an `open` prop: the call behind it is
// inert, Tab stays inside and Escape closes it; focus goes back to whatever
// opened it.
import { createEffect } from 'solid-js';

export interface ModalDialog {
  ref: (el: HTMLDialogElement) => void;
  /** The dialog's `close` event handler. */
  onClose: () => void;
  /** Closes it, as Escape does (a Close button). */
  close: () => void;
}

/** `onOpen` runs each time the dialog opens (before it shows). */
export function modalDialog(props: { open: boolean; onClose: () => void }, onOpen?: () => void): ModalDialog {
  let dialog: HTMLDialogElement | undefined;
  let opener: Element | null = null;

  createEffect(() => {
    if (!dialog) return;
    if (props.open && !dialog.open) {
      opener = dialog.ownerDocument.activeElement;
      onOpen?.();
      dialog.showModal();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  });

  return {
    ref: (el) => {
      dialog = el;
    },
    onClose: () => {
      props.onClose();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      opener = null;
    },
    close: () => dialog?.close(),
  };
}
