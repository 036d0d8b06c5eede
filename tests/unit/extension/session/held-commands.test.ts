import { describe, expect, it } from 'vitest';
import { HOLD_COMMAND_MS, HeldCommands } from '../../../../extension/session/held-commands.ts';

describe('HeldCommands', () => {
  it('gives a page that connects the command held for its tab, once', () => {
    const held = new HeldCommands();
    held.hold(7, { type: 'setMicMuted', muted: true }, 1_000);
    expect(held.take(8, 1_500)).toBeUndefined();
    expect(held.take(7, 1_500)).toEqual({ type: 'setMicMuted', muted: true });
    expect(held.take(7, 1_600)).toBeUndefined();
  });

  it('keeps only the latest command for a tab', () => {
    const held = new HeldCommands();
    held.hold(7, { type: 'setMicMuted', muted: true }, 1_000);
    held.hold(7, { type: 'setMicMuted', muted: false }, 1_100);
    expect(held.take(7, 1_200)).toEqual({ type: 'setMicMuted', muted: false });
  });

  it('keeps a held leave over anything asked after it', () => {
    const held = new HeldCommands();
    held.hold(7, { type: 'leave' }, 1_000);
    held.hold(7, { type: 'setMicMuted', muted: true }, 1_100);
    expect(held.take(7, 1_200)).toEqual({ type: 'leave' });
  });

  it('drops a command its page did not come back for in time, and forgets stale ones as it goes', () => {
    const held = new HeldCommands();
    held.hold(7, { type: 'leave' }, 1_000);
    expect(held.take(7, 1_000 + HOLD_COMMAND_MS)).toBeUndefined();
    for (let tab = 0; tab < 100; tab++) held.hold(tab, { type: 'leave' }, tab * HOLD_COMMAND_MS);
    expect(held.size).toBe(1);
  });
});
