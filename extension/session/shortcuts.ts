// The call page's own keyboard shortcuts: M toggles the microphone, V the
// camera, and holding Space while muted talks (push to talk). Pure: the page
// describes each key event and where focus is in plain values, and gets back
// what to do. Browser-level shortcuts (manifest `commands`) are the
// background's; they fire once per press and have no key-up, so push to talk
// can only live here.
//
// Rules, each with its reason:
// - Nothing fires while focus is in a text field (typing `m` in a message is a letter).
// - Nothing fires with Ctrl, Alt, Meta or Shift held: those combinations are the
//   browser's and the system's (Ctrl+M, Alt+Shift+M…).
// - A held key's repeats are ignored: holding M must not flap the microphone.
// - Space keeps its own meaning on a control that was reached by keyboard (a
//   keyboard user presses buttons with it); on one that was clicked, and on the
//   page itself, it is push to talk, and the click it would cause is prevented.
// - Releasing Space always stops talking, wherever focus went meanwhile, and so
//   does the window losing focus mid-press (the key-up then never arrives).
// - Single-key shortcuts can be switched off (WCAG 2.1.4); a release still goes through.

/** Where keyboard focus is, as far as shortcuts care. */
export type FocusKind = 'text' | 'control' | 'none';

/** What the page knows about the focused element, in plain values. */
export interface FocusedElement {
  /** Lower-case tag name. */
  readonly tag: string;
  /** An `<input>`'s type, lower case. */
  readonly type?: string;
  readonly role?: string | null;
  /** `isContentEditable`. */
  readonly editable?: boolean;
}

// Inputs a person does not type into; every other input type takes text.
const CONTROL_INPUTS = new Set(['button', 'submit', 'reset', 'checkbox', 'radio', 'image', 'file', 'color', 'range']);
const TEXT_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'spinbutton']);
// Elements and roles that Space operates (press, check, open, pick).
const CONTROL_TAGS = new Set(['button', 'summary']);
const CONTROL_ROLES = new Set([
  'button',
  'checkbox',
  'switch',
  'radio',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'tab',
  'option',
  'slider',
]);

export function focusKind(el: FocusedElement | null): FocusKind {
  if (!el) return 'none';
  if (el.editable) return 'text';
  if (el.role && TEXT_ROLES.has(el.role)) return 'text';
  // A <select> takes letters to pick an option and Space to open.
  if (el.tag === 'textarea' || el.tag === 'select') return 'text';
  if (el.tag === 'input') return CONTROL_INPUTS.has(el.type ?? 'text') ? 'control' : el.type === 'hidden' ? 'none' : 'text';
  if (CONTROL_TAGS.has(el.tag) || (el.role && CONTROL_ROLES.has(el.role))) return 'control';
  return 'none';
}

/** One key event, as the page saw it. */
export interface KeyFacts {
  readonly type: 'keydown' | 'keyup';
  readonly key: string;
  readonly code: string;
  readonly repeat: boolean;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  /** An input method is composing: the key belongs to it. */
  readonly isComposing: boolean;
  /** Something closer to the target already handled the key (a tile's arrow keys). */
  readonly defaultPrevented: boolean;
  readonly focus: FocusKind;
  /** Whether the focused element was reached by keyboard rather than clicked. */
  readonly focusByKeyboard: boolean;
  /** A modal dialog is open over the call: the call's own keys rest. */
  readonly modal: boolean;
}

export interface ShortcutContext {
  readonly micMuted: boolean;
  /** Single-key shortcuts switched on (the person may turn them off). */
  readonly enabled: boolean;
}

export interface ShortcutState {
  /** Space is held and unmuted the microphone. */
  readonly talking: boolean;
}

export const IDLE: ShortcutState = { talking: false };

export type ShortcutCommand = 'toggleMicrophone' | 'toggleCamera' | 'startTalking' | 'stopTalking';

export interface ShortcutResult {
  readonly state: ShortcutState;
  readonly command?: ShortcutCommand;
  /** Keep the browser's own handling (scrolling, pressing a clicked button) from running too. */
  readonly preventDefault: boolean;
}

const nothing = (state: ShortcutState): ShortcutResult => ({ state, preventDefault: false });

const isSpace = (e: Pick<KeyFacts, 'key' | 'code'>) => e.key === ' ' || e.code === 'Space';

/**
 * The letter a key stands for, lower case: from `key` on Latin layouts (so an
 * AZERTY `m` is M wherever it sits), from the physical key on others (a
 * Cyrillic layout's `ь` is where M is).
 */
export function letterOf(key: string, code: string): string | undefined {
  if (/^[a-z]$/i.test(key)) return key.toLowerCase();
  if (/^\p{L}$/u.test(key) && /^Key[A-Z]$/.test(code)) return code.slice(3).toLowerCase();
  return undefined;
}

/** The shortcuts the page itself offers, as the dialog and the README list them. */
export const PAGE_SHORTCUTS = [
  { keys: ['M'], action: 'Turn the microphone on or off' },
  { keys: ['V'], action: 'Turn the camera on or off' },
  { keys: ['Space'], hold: true, action: 'Talk while muted (push to talk)' },
] as const;

/** What a key event does, and the state after it. */
export function onKey(state: ShortcutState, e: KeyFacts, ctx: ShortcutContext): ShortcutResult {
  if (e.type === 'keyup') {
    // Whatever else changed while Space was down, letting go of it ends the talk.
    return state.talking && isSpace(e) ? { state: IDLE, command: 'stopTalking', preventDefault: true } : nothing(state);
  }
  if (isSpace(e) && state.talking) return { state, preventDefault: true }; // its repeats, while held
  if (!ctx.enabled || e.modal || e.isComposing || e.defaultPrevented || e.repeat) return nothing(state);
  if (e.ctrlKey || e.altKey || e.metaKey || e.shiftKey || e.focus === 'text') return nothing(state);
  if (isSpace(e)) {
    if (!ctx.micMuted || (e.focus === 'control' && e.focusByKeyboard)) return nothing(state);
    return { state: { talking: true }, command: 'startTalking', preventDefault: true };
  }
  switch (letterOf(e.key, e.code)) {
    case 'm':
      return { state, command: 'toggleMicrophone', preventDefault: true };
    case 'v':
      return { state, command: 'toggleCamera', preventDefault: true };
    default:
      return nothing(state);
  }
}

/** The window lost focus or the page was hidden: a held Space's key-up will never come. */
export function onFocusLost(state: ShortcutState): ShortcutResult {
  return state.talking ? { state: IDLE, command: 'stopTalking', preventDefault: false } : nothing(state);
}
