// Wires the call page's key events to the pure rules in session/shortcuts.ts:
// describes each event and the focused element, remembers whether focus came
// from the keyboard or a pointer, and runs what the rules say. One instance per
// call page; `attach` once per window showing the call (this tab, the pop-out).
import { IDLE, focusKind, onFocusLost, onKey, type ShortcutCommand, type ShortcutResult } from '../session/shortcuts.ts';

export interface ShortcutTarget {
  micMuted(): boolean;
  /** Single-key shortcuts switched on. */
  enabled(): boolean;
  /** A modal dialog is open over the call. */
  modal(): boolean;
  run(command: ShortcutCommand): void;
}

export class KeyboardShortcuts {
  #state = IDLE;
  readonly #target: ShortcutTarget;

  constructor(target: ShortcutTarget) {
    this.#target = target;
  }

  /** Listens to `win`'s keys until the returned function is called. */
  attach(win: Window): () => void {
    const doc = win.document;
    // How focus reached each element, as :focus-visible's heuristic would say; kept here so a test can rely on it.
    let lastInput: 'keyboard' | 'pointer' = 'pointer';
    const origin = new WeakMap<EventTarget, 'keyboard' | 'pointer'>();
    const controller = new AbortController();
    const opts = { signal: controller.signal };
    const capture = { signal: controller.signal, capture: true };

    win.addEventListener('pointerdown', () => (lastInput = 'pointer'), capture);
    win.addEventListener('keydown', () => (lastInput = 'keyboard'), capture);
    doc.addEventListener('focusin', (e) => e.target && origin.set(e.target, lastInput), capture);

    // Bubble phase: a tile's arrow keys or the composer's Enter have had their turn.
    const onKeyEvent = (e: KeyboardEvent) => {
      const el = doc.activeElement;
      const result = onKey(
        this.#state,
        {
          type: e.type === 'keyup' ? 'keyup' : 'keydown',
          key: e.key,
          code: e.code,
          repeat: e.repeat,
          ctrlKey: e.ctrlKey,
          altKey: e.altKey,
          metaKey: e.metaKey,
          shiftKey: e.shiftKey,
          isComposing: e.isComposing,
          defaultPrevented: e.defaultPrevented,
          focus: el && el !== doc.body ? focusKind(describe(el)) : 'none',
          focusByKeyboard: el !== null && origin.get(el) === 'keyboard',
          modal: this.#target.modal(),
        },
        { micMuted: this.#target.micMuted(), enabled: this.#target.enabled() },
      );
      if (result.preventDefault) e.preventDefault();
      this.#apply(result);
    };
    win.addEventListener('keydown', onKeyEvent, opts);
    win.addEventListener('keyup', onKeyEvent, opts);
    // A held Space's key-up never arrives once the window lost focus.
    const lost = () => this.#apply(onFocusLost(this.#state));
    win.addEventListener('blur', lost, opts);
    doc.addEventListener('visibilitychange', () => doc.visibilityState === 'hidden' && lost(), opts);
    return () => {
      lost();
      controller.abort();
    };
  }

  #apply(result: ShortcutResult): void {
    this.#state = result.state;
    if (result.command) this.#target.run(result.command);
  }
}

// By name, not instanceof: an element in the pop-out window belongs to another realm.
const describe = (el: Element) => ({
  tag: el.localName,
  type: el.localName === 'input' ? (el.getAttribute('type') ?? 'text').toLowerCase() : undefined,
  role: el.getAttribute('role'),
  editable: 'isContentEditable' in el && el.isContentEditable === true,
});
