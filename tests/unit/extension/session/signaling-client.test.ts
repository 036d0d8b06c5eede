// backoffDelay is pure. SignalingClient against a real relay is in
// tests/relay/signaling-client.test.ts: unit tests use no network.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIGNALING_OPTIONS, backoffDelay } from '../../../../extension/session/signaling-client.ts';

describe('backoffDelay', () => {
  const opts = { baseBackoffMs: 100, maxBackoffMs: 1_000 };
  const top = () => 1 - Number.EPSILON;

  it('doubles the ceiling with each attempt', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, opts, top))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    for (const attempt of [4, 5, 10, 20, 21, 100, 10_000]) expect(backoffDelay(attempt, opts, top)).toBe(1_000);
  });

  it('jitters between half the ceiling and the full ceiling', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(400);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(600);
    expect(backoffDelay(3, opts, top)).toBe(800);
    expect(backoffDelay(50, opts, () => 0)).toBe(500);
  });

  it('stays within those bounds with the real random source', () => {
    for (let i = 0; i < 1_000; i++) {
      const attempt = i % 8;
      const ceiling = Math.min(1_000, 100 * 2 ** attempt);
      const delay = backoffDelay(attempt, opts);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('returns whole milliseconds', () => {
    expect(Number.isInteger(backoffDelay(1, { baseBackoffMs: 333, maxBackoffMs: 5_000 }, () => 0.123))).toBe(true);
  });

  it('keeps the shipped defaults sane: a first retry within a second, none later than five seconds', () => {
    const d = DEFAULT_SIGNALING_OPTIONS;
    expect(backoffDelay(0, d, top)).toBe(d.baseBackoffMs);
    expect(backoffDelay(0, d, top)).toBeLessThanOrEqual(1_000);
    expect(backoffDelay(30, d, top)).toBe(d.maxBackoffMs);
    expect(d.maxBackoffMs).toBeGreaterThan(d.baseBackoffMs);
    expect(d.maxBackoffMs).toBeLessThanOrEqual(5_000);
  });
});
