import { For, Show, createSignal } from 'solid-js';
import type { BrowserShortcut } from '../session/browser-shortcuts.ts';
import { PAGE_SHORTCUTS } from '../session/shortcuts.ts';
import { modalDialog } from './modal-dialog.ts';

export interface ShortcutsDialogProps {
  open: boolean;
  onClose: () => void;
  singleKey: boolean;
  onSingleKey: (on: boolean) => void;
  /** The browser's shortcuts with the keys it gave them, read each time the dialog opens (they can change). */
  loadBrowserShortcuts: () => Promise<BrowserShortcut[] | undefined>;
  /** Opens the browser's own page for changing them, where it has one. */
  changeBrowserShortcuts: (() => Promise<void>) | undefined;
}

/** `Alt+Shift+M` as keys; a Mac's `⌥⇧M` has no separators and stays one. */
const keysOf = (shortcut: string): string[] => (shortcut.includes('+') ? shortcut.split('+') : [shortcut]);

/** The `Keyboard shortcuts` dialog (a native modal <dialog>, see modal-dialog.ts). */
export function ShortcutsDialog(props: ShortcutsDialogProps) {
  const [browserKeys, setBrowserKeys] = createSignal<BrowserShortcut[]>();
  const modal = modalDialog(props, () =>
    props.loadBrowserShortcuts().then(setBrowserKeys, (err: unknown) => console.warn('zing: could not read the browser shortcuts', err)),
  );

  return (
    <dialog ref={modal.ref} class="dialog" aria-labelledby="shortcuts-title" aria-describedby="shortcuts-intro" onClose={modal.onClose}>
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
      <Show when={browserKeys()?.length}>
        <h3>In any tab or window</h3>
        <table class="shortcuts">
          <tbody>
            <For each={browserKeys()}>
              {(s) => (
                <tr>
                  <th scope="row">
                    <Show when={s.shortcut} fallback="Not set">
                      <For each={keysOf(s.shortcut)}>
                        {(k, i) => (
                          <>
                            {i() > 0 ? '+' : ''}
                            <kbd>{k}</kbd>
                          </>
                        )}
                      </For>
                    </Show>
                  </th>
                  <td>{s.action}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <p class="note">These are the browser’s: they work wherever you are, and you choose their keys in the browser’s settings.</p>
      </Show>
      <div class="dialog-actions">
        <Show when={(browserKeys()?.length ?? 0) > 0 && props.changeBrowserShortcuts}>
          {(change) => (
            <button
              type="button"
              onClick={() => void change()().catch((err: unknown) => console.warn('zing: could not open the shortcut settings', err))}
            >
              Change browser shortcuts
            </button>
          )}
        </Show>
        <button type="button" onClick={modal.close}>
          Close
        </button>
      </div>
    </dialog>
  );
}
