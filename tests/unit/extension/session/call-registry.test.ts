import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CallRegistry, IDLE_BADGE, NO_CALL_BADGE, badgeFor } from '../../../../extension/session/call-registry.ts';
import type { CallReport } from '../../../../extension/session/toolbar-messages.ts';

const report = (more: Partial<CallReport> = {}): CallReport => ({
  type: 'callState',
  live: true,
  micMuted: false,
  cameraOff: false,
  startedAt: 1_000,
  call: 'https://relay.example/r/room',
  ...more,
});

describe('CallRegistry', () => {
  it('knows no call until a page reports a live one', () => {
    const calls = new CallRegistry();
    expect(calls.current()).toBeUndefined();
    calls.report(7, report({ micMuted: true }));
    expect(calls.current()).toEqual({ tabId: 7, micMuted: true, cameraOff: false, startedAt: 1_000, call: 'https://relay.example/r/room' });
  });

  it('follows a page’s later reports, mute and camera alike', () => {
    const calls = new CallRegistry();
    calls.report(7, report());
    calls.report(7, report({ micMuted: true, cameraOff: true }));
    expect(calls.current()).toMatchObject({ micMuted: true, cameraOff: true });
    expect(calls.size).toBe(1);
  });

  it('means the call started last when two tabs hold calls, whatever order they reported in', () => {
    const calls = new CallRegistry();
    calls.report(9, report({ startedAt: 5_000 }));
    calls.report(3, report({ startedAt: 2_000 }));
    calls.report(3, report({ startedAt: 2_000, micMuted: true })); // the older one reporting again does not make it current
    expect(calls.current()?.tabId).toBe(9);
  });

  it('breaks a tie in start time by the newer tab', () => {
    const calls = new CallRegistry();
    calls.report(4, report());
    calls.report(5, report());
    expect(calls.current()?.tabId).toBe(5);
  });

  it('falls back to the older call once the latest one ends or its tab closes', () => {
    const calls = new CallRegistry();
    calls.report(1, report({ startedAt: 1 }));
    calls.report(2, report({ startedAt: 2 }));
    calls.report(2, report({ startedAt: 2, live: false }));
    expect(calls.current()?.tabId).toBe(1);
    calls.report(2, report({ startedAt: 3 }));
    calls.remove(2);
    expect(calls.current()?.tabId).toBe(1);
    calls.remove(1);
    expect(calls.current()).toBeUndefined();
    expect(calls.size).toBe(0);
  });

  it('ignores the removal of a tab it never knew', () => {
    const calls = new CallRegistry();
    calls.report(1, report());
    calls.remove(99);
    expect(calls.current()?.tabId).toBe(1);
  });
});

describe('badgeFor', () => {
  it('shows nothing outside a call', () => {
    expect(badgeFor(undefined)).toBe(IDLE_BADGE);
    expect(IDLE_BADGE.text).toBe('');
  });

  it('shows a live call, and says in text and tooltip when its microphone is muted', () => {
    const live = badgeFor({ tabId: 1, micMuted: false, cameraOff: false, startedAt: 0, call: 'c' });
    const muted = badgeFor({ tabId: 1, micMuted: true, cameraOff: false, startedAt: 0, call: 'c' });
    expect(live.text).toBe('live');
    expect(muted.text).toBe('mute');
    expect(live.title).toContain('microphone on');
    expect(muted.title).toContain('microphone muted');
    expect(live.color).not.toBe(muted.color);
  });

  it('fits every badge in the four characters the toolbar shows', () => {
    const all = [IDLE_BADGE, NO_CALL_BADGE, badgeFor({ tabId: 1, micMuted: true, cameraOff: true, startedAt: 0, call: 'c' })];
    for (const b of [...all, badgeFor({ tabId: 1, micMuted: false, cameraOff: false, startedAt: 0, call: 'c' })]) {
      expect(b.text.length).toBeLessThanOrEqual(4);
      expect(b.color).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it('gives back the manifest’s own tooltip outside a call', () => {
    const manifest = JSON.parse(readFileSync('manifest.json', 'utf8')) as { action: { default_title: string } };
    expect(IDLE_BADGE.title).toBe(manifest.action.default_title);
  });
});
