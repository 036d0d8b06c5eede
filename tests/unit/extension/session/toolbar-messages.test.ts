import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  COMMANDS,
  commandFor,
  isExtensionPage,
  parseCallCommand,
  parseCallReport,
  parsePopupRequest,
  parsePopupUpdate,
} from '../../../../extension/session/toolbar-messages.ts';

const HOSTILE: unknown[] = [undefined, null, 0, 'callState', [], [{ type: 'callState' }], { type: '__proto__' }, { type: 'toString' }];

/** Which call a report is of (share-link.ts callOf). */
const CALL = 'https://relay.example/r/room';

describe('parseCallReport', () => {
  it('reads a call page’s report', () => {
    const r = { type: 'callState', live: true, micMuted: true, cameraOff: false, startedAt: 1_700_000_000_000, call: CALL };
    expect(parseCallReport(r)).toEqual(r);
  });

  it('drops fields it does not know', () => {
    expect(
      parseCallReport({ type: 'callState', live: false, micMuted: false, cameraOff: false, startedAt: 0, call: CALL, tabId: 3 }),
    ).toEqual({
      type: 'callState',
      live: false,
      micMuted: false,
      cameraOff: false,
      startedAt: 0,
      call: CALL,
    });
  });

  it.each([
    { live: 'yes' },
    { micMuted: 1 },
    { cameraOff: null },
    { startedAt: -1 },
    { startedAt: Number.POSITIVE_INFINITY },
    { startedAt: '5' },
    { type: 'call' },
    { call: undefined },
    { call: 7 },
    { call: 'x'.repeat(513) },
  ])('refuses a report with %j', (bad) => {
    expect(
      parseCallReport({ type: 'callState', live: true, micMuted: false, cameraOff: false, startedAt: 1, call: CALL, ...bad }),
    ).toBeUndefined();
  });

  it.each(HOSTILE)('refuses %j', (v) => expect(parseCallReport(v)).toBeUndefined());
});

describe('parseCallCommand', () => {
  it('reads every command the background sends', () => {
    for (const c of [{ type: 'toggleMicrophone' }, { type: 'toggleCamera' }, { type: 'leave' }, { type: 'setMicMuted', muted: true }]) {
      expect(parseCallCommand(c)).toEqual(c);
    }
  });

  it('refuses a mute without a yes or no, and anything unknown', () => {
    expect(parseCallCommand({ type: 'setMicMuted', muted: 'true' })).toBeUndefined();
    expect(parseCallCommand({ type: 'eval', code: 'x' })).toBeUndefined();
    for (const v of HOSTILE) expect(parseCallCommand(v)).toBeUndefined();
  });
});

describe('parsePopupUpdate', () => {
  it('reads a running call and no call', () => {
    expect(parsePopupUpdate({ type: 'call', call: { tabId: 4, micMuted: false, cameraOff: true, call: CALL } })).toEqual({
      type: 'call',
      call: { tabId: 4, micMuted: false, cameraOff: true, call: CALL },
    });
    expect(parsePopupUpdate({ type: 'call', call: null })).toEqual({ type: 'call', call: null });
  });

  it('refuses a call without a whole tab id', () => {
    expect(parsePopupUpdate({ type: 'call', call: { tabId: 1.5, micMuted: false, cameraOff: false, call: CALL } })).toBeUndefined();
    expect(parsePopupUpdate({ type: 'call', call: { tabId: -1, micMuted: false, cameraOff: false, call: CALL } })).toBeUndefined();
    expect(parsePopupUpdate({ type: 'call', call: { tabId: 1, micMuted: false, cameraOff: false } })).toBeUndefined();
    expect(parsePopupUpdate({ type: 'call' })).toBeUndefined();
    for (const v of HOSTILE) expect(parsePopupUpdate(v)).toBeUndefined();
  });
});

describe('parsePopupRequest', () => {
  it('reads a mute and a leave for one tab', () => {
    expect(parsePopupRequest({ type: 'setMicMuted', tabId: 3, muted: false })).toEqual({ type: 'setMicMuted', tabId: 3, muted: false });
    expect(parsePopupRequest({ type: 'leave', tabId: 3 })).toEqual({ type: 'leave', tabId: 3 });
  });

  it('refuses a request that names no tab', () => {
    expect(parsePopupRequest({ type: 'leave' })).toBeUndefined();
    expect(parsePopupRequest({ type: 'leave', tabId: '3' })).toBeUndefined();
    for (const v of HOSTILE) expect(parsePopupRequest(v)).toBeUndefined();
  });
});

describe('commands', () => {
  it('turns each browser command into the call-page command it stands for, and nothing else into any', () => {
    expect(commandFor(COMMANDS.toggleMicrophone)).toEqual({ type: 'toggleMicrophone' });
    expect(commandFor(COMMANDS.toggleCamera)).toEqual({ type: 'toggleCamera' });
    expect(commandFor('_execute_action')).toBeUndefined();
    expect(commandFor('leave')).toBeUndefined();
  });

  it('matches the manifest: the same command names, each with a suggested key both browsers accept', () => {
    type Command = { suggested_key?: { default?: string }; description?: string };
    const manifest = JSON.parse(readFileSync('manifest.json', 'utf8')) as { commands: Record<string, Command> };
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.values(COMMANDS).sort());
    const keys = Object.values(manifest.commands).map((c) => c.suggested_key?.default ?? '');
    for (const [name, c] of Object.entries(manifest.commands)) {
      expect(c.description, name).toBeTruthy();
      // Chrome and Firefox: Ctrl or Alt (Command on a Mac), optionally Shift, then one key.
      expect(c.suggested_key?.default, name).toMatch(/^(Ctrl|Alt)\+(Shift\+)?[A-Z0-9]$/);
    }
    expect(new Set(keys).size).toBe(keys.length);
    // Taken by the browsers themselves (Chrome: profile menu, paste as plain text, feedback, toolbar focus;
    // Firefox: responsive design mode, private window, bookmarks sidebar).
    const taken = ['Ctrl+Shift+M', 'Ctrl+Shift+V', 'Alt+Shift+I', 'Alt+Shift+T', 'Ctrl+Shift+P', 'Ctrl+Shift+B', 'Alt+Shift+A'];
    for (const key of keys) expect(taken).not.toContain(key);
  });
});

describe('isExtensionPage', () => {
  const CALL = 'extension/call/index.html';

  it('accepts the page in Chromium (static or dynamic host) and Firefox, with any query or fragment', () => {
    expect(isExtensionPage(`chrome-extension://oadbebmmljbobedlicbbcfajhplencgk/${CALL}?t=abc#http%3A%2F%2Fx`, CALL)).toBe(true);
    expect(isExtensionPage(`chrome-extension://39090fe5-1d51-4645-90dd-48948ea2a2d5/${CALL}`, CALL)).toBe(true);
    expect(isExtensionPage(`moz-extension://0a1b2c3d-0000-4000-8000-000000000000/${CALL}`, CALL)).toBe(true);
  });

  it('refuses a web page, which is where a content script with the same id runs', () => {
    expect(isExtensionPage(`https://relay.example/${CALL}`, CALL)).toBe(false);
    expect(isExtensionPage('http://127.0.0.1:8787/r/room', CALL)).toBe(false);
  });

  it('refuses another page of the extension, and what is not a URL', () => {
    expect(isExtensionPage('chrome-extension://id/extension/options/index.html', CALL)).toBe(false);
    expect(isExtensionPage(`chrome-extension://id/x/${CALL}`, CALL)).toBe(false);
    expect(isExtensionPage('', CALL)).toBe(false);
    expect(isExtensionPage('not a url', CALL)).toBe(false);
  });
});
