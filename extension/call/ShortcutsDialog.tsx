import { For, Show, createEffect } from 'solid-js';
import { PAGE_SHORTCUTS } from '../session/shortcuts.ts';

export interface ShortcutsDialogProps {
  open: boolean;
  onClose: () => void;
  singleKey: boolean;
  onSingleKey: (on: boolean) => void;
}

/**
 * The `Keyboard shortcuts` dialog: a native modal <dialog>, so the call behind
 * it is inert, Tab stays inside, Escape closes it; focus goes back to whatever
 * opened it.
 */
export function ShortcutsDialog(props: ShortcutsDialogProps) {
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
    <dialog ref={dialog} class="dialog" aria-labelledby="shortcuts-title" aria-describedby="shortcuts-intro" onClose={closed}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p id="shortcuts-intro">In the call page, unless you are typing in a text box:</p>
      <table class="shortcuts">
        <tbody>
          <For each={PAGE_SHORTCUTS}>
            {(s) => (
              <tr>
                <th scope="row">
                  {'hold' in s ? 'Hold ' : ''}
                  <For each={s.keys}>{(k) => <kbd>{k}</kbd>}</For>
                </th>
                <td>{s.action}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <label class="check">
        <input type="checkbox" checked={props.singleKey} onChange={(e) => props.onSingleKey(e.currentTarget.checked)} />
        Single-key shortcuts
      </label>
      <Show when={!props.singleKey}>
        <p class="note">M, V and Space do nothing in the call page until you switch this back on.</p>
      </Show>
      <div class="dialog-actions">
        <button type="button" onClick={() => dialog.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
