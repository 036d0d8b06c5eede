import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorLines, limitErrorLines, type LogEvent } from '../../../relay/log.ts';

const LIMITS = { perSecond: 3, spellMs: 1_000 };

describe('ErrorLines', () => {
  it('writes one line per peer and code per spell, and counts the rest', () => {
    const lines = new ErrorLines(LIMITS);
    const verdicts = [0, 10, 500, 1_400].map((t) => lines.admit({ peer: 'a', code: 'BAD_JSON' }, t));
    // Each error continues the spell (less than 1 s after the one before), even at 1,400 ms.
    expect(verdicts).toEqual([true, false, false, false]);
    expect(lines.flush()).toBe(3);
    expect(lines.flush()).toBe(0);
  });

  it('starts a new spell after a quiet second', () => {
    const lines = new ErrorLines(LIMITS);
    expect(lines.admit({ peer: 'a', code: 'BAD_JSON' }, 0)).toBe(true);
    expect(lines.admit({ peer: 'a', code: 'BAD_JSON' }, 1_000)).toBe(true);
  });

  it('gives another code of the same peer, and another peer, lines of their own', () => {
    const lines = new ErrorLines({ ...LIMITS, perSecond: 100 });
    expect(lines.admit({ peer: 'a', code: 'BAD_JSON' }, 0)).toBe(true);
    expect(lines.admit({ peer: 'a', code: 'RATE_LIMITED_CLOSE' }, 0)).toBe(true);
    expect(lines.admit({ peer: 'b', code: 'BAD_JSON' }, 0)).toBe(true);
    expect(lines.admit({ code: 'TOO_MANY_CONNECTIONS' }, 0)).toBe(true);
    expect(lines.admit({ code: 'TOO_MANY_CONNECTIONS' }, 1)).toBe(false);
  });

  it('writes at most perSecond lines in a second over all peers', () => {
    const lines = new ErrorLines(LIMITS);
    const written = Array.from({ length: 10 }, (_, i) => lines.admit({ peer: `p${i}`, code: 'BAD_JSON' }, i)).filter(Boolean);
    expect(written).toHaveLength(3);
    expect(lines.flush()).toBe(7);
    expect(lines.admit({ peer: 'late', code: 'BAD_JSON' }, 1_000)).toBe(true);
  });

  it('forgets ended spells, so memory follows the peers that erred lately', () => {
    const lines = new ErrorLines({ ...LIMITS, perSecond: 1_000_000 });
    for (let i = 0; i < 1_000; i++) lines.admit({ peer: `p${i}`, code: 'BAD_JSON' }, 0);
    expect(lines.size).toBe(1_000);
    lines.admit({ peer: 'now', code: 'BAD_JSON' }, 1_000);
    expect(lines.size).toBe(1);
  });
});

describe('limitErrorLines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes other events through, and reports suppressed error lines in one line a second later', () => {
    vi.useFakeTimers();
    let now = 0;
    const written: Array<[LogEvent, Record<string, string | number> | undefined]> = [];
    const log = limitErrorLines(
      (event, fields) => written.push([event, fields]),
      LIMITS,
      () => now,
    );
    log('join', { peer: 'a' });
    for (let i = 0; i < 50; i++) log('error', { peer: 'a', code: 'BAD_JSON' });
    expect(written.map(([e]) => e)).toEqual(['join', 'error']);
    now = 1_000;
    vi.advanceTimersByTime(1_000);
    expect(written[2]).toEqual(['suppressed', { lines: 49, note: expect.any(String) }]);
    vi.advanceTimersByTime(5_000);
    expect(written).toHaveLength(3);
  });

  it('limits the bus’s error lines as it does errors, and passes its up and down lines', () => {
    vi.useFakeTimers();
    const written: Array<[LogEvent, Record<string, string | number> | undefined]> = [];
    const log = limitErrorLines(
      (event, fields) => written.push([event, fields]),
      LIMITS,
      () => 0,
    );
    log('bus', { state: 'down', instance: 'i1' });
    // A Redis outage while clients signal across instances: one failed publish per signal.
    for (let i = 0; i < 1_000; i++) log('bus', { state: 'error', op: 'publish', code: 'ETIMEDOUT' });
    log('bus', { state: 'up', instance: 'i1' });
    expect(written.map(([e, f]) => `${e} ${f?.state ?? ''}`)).toEqual(['bus down', 'bus error', 'bus up']);
    vi.advanceTimersByTime(1_000);
    expect(written.at(-1)).toEqual(['suppressed', { lines: 999, note: expect.any(String) }]);
  });

  it('writes the count before the shutdown line rather than losing it at exit', () => {
    vi.useFakeTimers();
    const written: LogEvent[] = [];
    const log = limitErrorLines(
      (event) => written.push(event),
      LIMITS,
      () => 0,
    );
    for (let i = 0; i < 5; i++) log('error', { peer: 'a', code: 'BAD_JSON' });
    log('shutdown', {});
    expect(written).toEqual(['error', 'suppressed', 'shutdown']);
    vi.advanceTimersByTime(2_000);
    expect(written).toHaveLength(3);
  });
});
