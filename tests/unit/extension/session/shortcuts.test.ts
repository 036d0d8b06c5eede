import { describe, expect, it } from 'vitest';
import {
  IDLE,
  focusKind,
  letterOf,
  onFocusLost,
  onKey,
  type KeyFacts,
  type ShortcutContext,
  type ShortcutState,
} from '../../../../extension/session/shortcuts.ts';

const down = (key: string, more: Partial<KeyFacts> = {}): KeyFacts => ({
  type: 'keydown',
  key,
  code: key === ' ' ? 'Space' : /^[a-z]$/i.test(key) ? `Key${key.toUpperCase()}` : key,
  repeat: false,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  shiftKey: false,
  isComposing: false,
  defaultPrevented: false,
  focus: 'none',
  focusByKeyboard: false,
  modal: false,
  ...more,
});
const up = (key: string, more: Partial<KeyFacts> = {}): KeyFacts => ({ ...down(key, more), type: 'keyup' });

const MUTED: ShortcutContext = { micMuted: true, enabled: true };
const LIVE: ShortcutContext = { micMuted: false, enabled: true };
const TALKING: ShortcutState = { talking: true };

describe('focusKind', () => {
  it('calls every box a person types into a text field', () => {
    expect(focusKind({ tag: 'textarea' })).toBe('text');
    for (const type of ['text', 'search', 'url', 'email', 'password', 'number', 'tel', 'date']) {
      expect(focusKind({ tag: 'input', type })).toBe('text');
    }
    expect(focusKind({ tag: 'input' })).toBe('text');
    expect(focusKind({ tag: 'select' })).toBe('text');
    expect(focusKind({ tag: 'div', editable: true })).toBe('text');
    expect(focusKind({ tag: 'div', role: 'textbox' })).toBe('text');
    expect(focusKind({ tag: 'div', role: 'combobox' })).toBe('text');
  });

  it('calls buttons, checkboxes and their ARIA twins controls', () => {
    expect(focusKind({ tag: 'button' })).toBe('control');
    expect(focusKind({ tag: 'summary' })).toBe('control');
    for (const type of ['checkbox', 'radio', 'button', 'submit', 'range', 'file'])
      expect(focusKind({ tag: 'input', type })).toBe('control');
    expect(focusKind({ tag: 'div', role: 'button' })).toBe('control');
    expect(focusKind({ tag: 'span', role: 'switch' })).toBe('control');
  });

  it('calls the page, a tile and a link neither', () => {
    expect(focusKind(null)).toBe('none');
    expect(focusKind({ tag: 'body' })).toBe('none');
    expect(focusKind({ tag: 'div', role: 'group' })).toBe('none');
    expect(focusKind({ tag: 'a' })).toBe('none');
  });
});

describe('letterOf', () => {
  it('reads the letter a Latin layout prints, wherever the key sits', () => {
    expect(letterOf('m', 'KeyM')).toBe('m');
    expect(letterOf('M', 'KeyM')).toBe('m'); // Caps Lock
    expect(letterOf('m', 'Semicolon')).toBe('m'); // AZERTY
  });

  it('falls back to the physical key on a non-Latin layout, but not for punctuation', () => {
    expect(letterOf('ь', 'KeyM')).toBe('m'); // Russian
    expect(letterOf(',', 'KeyM')).toBeUndefined(); // AZERTY's key where QWERTY has M
    expect(letterOf('Enter', 'Enter')).toBeUndefined();
  });
});

describe('onKey', () => {
  it('toggles the microphone on M and the camera on V, and keeps the letter from the page', () => {
    expect(onKey(IDLE, down('m'), LIVE)).toEqual({ state: IDLE, command: 'toggleMicrophone', preventDefault: true });
    expect(onKey(IDLE, down('v'), LIVE)).toEqual({ state: IDLE, command: 'toggleCamera', preventDefault: true });
    expect(onKey(IDLE, down('x'), LIVE).command).toBeUndefined();
  });

  it('fires on a focused button too, where letters mean nothing', () => {
    expect(onKey(IDLE, down('m', { focus: 'control', focusByKeyboard: true }), LIVE).command).toBe('toggleMicrophone');
  });

  it('never fires while focus is in a text field, so typed letters and spaces stay text', () => {
    for (const key of ['m', 'v', ' ']) {
      const r = onKey(IDLE, down(key, { focus: 'text' }), MUTED);
      expect(r.command).toBeUndefined();
      expect(r.preventDefault).toBe(false);
    }
  });

  it('leaves every combination with Ctrl, Alt, Meta or Shift to the browser', () => {
    for (const mod of ['ctrlKey', 'altKey', 'metaKey', 'shiftKey'] as const) {
      expect(onKey(IDLE, down('m', { [mod]: true }), LIVE)).toEqual({ state: IDLE, preventDefault: false });
      expect(onKey(IDLE, down(' ', { [mod]: true }), MUTED)).toEqual({ state: IDLE, preventDefault: false });
    }
  });

  it('ignores the repeats of a held key, so holding M does not flap the microphone', () => {
    expect(onKey(IDLE, down('m', { repeat: true }), LIVE).command).toBeUndefined();
    expect(onKey(IDLE, down(' ', { repeat: true }), MUTED).command).toBeUndefined();
  });

  it('ignores keys an input method is composing and keys a closer handler already took', () => {
    expect(onKey(IDLE, down('m', { isComposing: true }), LIVE).command).toBeUndefined();
    expect(onKey(IDLE, down('m', { defaultPrevented: true }), LIVE).command).toBeUndefined();
  });

  it('rests while a modal dialog is open', () => {
    expect(onKey(IDLE, down('m', { modal: true }), LIVE).command).toBeUndefined();
    expect(onKey(IDLE, down(' ', { modal: true }), MUTED).command).toBeUndefined();
  });

  it('does nothing at all once single-key shortcuts are switched off', () => {
    const off = { micMuted: true, enabled: false };
    expect(onKey(IDLE, down('m'), off)).toEqual({ state: IDLE, preventDefault: false });
    expect(onKey(IDLE, down(' '), off)).toEqual({ state: IDLE, preventDefault: false });
  });
});

describe('push to talk', () => {
  it('unmutes while Space is held and mutes on release', () => {
    const pressed = onKey(IDLE, down(' '), MUTED);
    expect(pressed).toEqual({ state: TALKING, command: 'startTalking', preventDefault: true });
    const released = onKey(pressed.state, up(' '), LIVE);
    expect(released).toEqual({ state: IDLE, command: 'stopTalking', preventDefault: true });
  });

  it('swallows the held key’s repeats without a second start', () => {
    expect(onKey(TALKING, down(' ', { repeat: true }), LIVE)).toEqual({ state: TALKING, preventDefault: true });
  });

  it('does nothing while the microphone is already on', () => {
    expect(onKey(IDLE, down(' '), LIVE)).toEqual({ state: IDLE, preventDefault: false });
    expect(onKey(IDLE, up(' '), LIVE)).toEqual({ state: IDLE, preventDefault: false });
  });

  it('leaves Space to a control reached by keyboard, and takes it on one that was clicked', () => {
    expect(onKey(IDLE, down(' ', { focus: 'control', focusByKeyboard: true }), MUTED).command).toBeUndefined();
    expect(onKey(IDLE, down(' ', { focus: 'control', focusByKeyboard: false }), MUTED)).toEqual({
      state: TALKING,
      command: 'startTalking',
      preventDefault: true,
    });
  });

  it('stops talking on release even if focus moved into a text field or a modifier is down meanwhile', () => {
    expect(onKey(TALKING, up(' ', { focus: 'text' }), LIVE).command).toBe('stopTalking');
    expect(onKey(TALKING, up(' ', { shiftKey: true, modal: true }), { micMuted: false, enabled: false }).command).toBe('stopTalking');
  });

  it('stops talking when the window loses focus mid-press, and the late key-up then does nothing', () => {
    const lost = onFocusLost(TALKING);
    expect(lost).toEqual({ state: IDLE, command: 'stopTalking', preventDefault: false });
    expect(onKey(lost.state, up(' '), MUTED)).toEqual({ state: IDLE, preventDefault: false });
    expect(onFocusLost(IDLE).command).toBeUndefined();
  });

  it('lets other shortcuts work while Space is held', () => {
    expect(onKey(TALKING, down('v'), LIVE)).toEqual({ state: TALKING, command: 'toggleCamera', preventDefault: true });
  });
});
