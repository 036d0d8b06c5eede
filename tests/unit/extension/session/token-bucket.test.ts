import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../../extension/session/token-bucket.ts';

const takes = (b: TokenBuckets<string>, key: string, times: number[]) => times.map((t) => b.take(key, t));

describe('TokenBuckets', () => {
  it('allows a burst at once, then refuses until tokens come back', () => {
    const b = new TokenBuckets<string>({ burst: 3, perSecond: 2 });
    expect(takes(b, 'ann', [0, 0, 0, 0])).toEqual([true, true, true, false]);
    expect(b.take('ann', 499)).toBe(false);
    expect(b.take('ann', 500)).toBe(true);
  });

  it('holds a person to the rate over a long run, however fast they try', () => {
    const b = new TokenBuckets<string>({ burst: 3, perSecond: 2 });
    const allowed = Array.from({ length: 1000 }, (_, i) => b.take('ann', i * 10)).filter(Boolean).length;
    // Trying every 10 ms from 0 to 9,990 ms: the burst, plus one token every 500 ms after the start.
    expect(allowed).toBe(3 + Math.floor((9_990 * 2) / 1000));
  });

  it('has a token back when it is due, however often it was asked meanwhile (no rounding lost)', () => {
    const b = new TokenBuckets<string>({ burst: 1, perSecond: 1 / 10 });
    expect(b.take('ann', 0)).toBe(true);
    // Asked every second: ten refills of 0.1 each, which in floating point add up to just under 1.
    expect(takes(b, 'ann', [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000])).not.toContain(true);
    expect(b.take('ann', 10_000)).toBe(true);
  });

  it('keeps each person’s bucket apart', () => {
    const b = new TokenBuckets<string>({ burst: 1, perSecond: 1 });
    expect(b.take('ann', 0)).toBe(true);
    expect(b.take('ann', 0)).toBe(false);
    expect(b.take('bo', 0)).toBe(true);
  });

  it('refills no more than the burst after a long quiet', () => {
    const b = new TokenBuckets<string>({ burst: 2, perSecond: 5 });
    expect(takes(b, 'ann', [0, 0])).toEqual([true, true]);
    expect(takes(b, 'ann', [60_000, 60_000, 60_000])).toEqual([true, true, false]);
  });

  it('refills nothing when the clock goes backwards', () => {
    const b = new TokenBuckets<string>({ burst: 1, perSecond: 1 });
    expect(b.take('ann', 10_000)).toBe(true);
    expect(b.take('ann', 0)).toBe(false);
    expect(b.take('ann', 10_999)).toBe(false);
    expect(b.take('ann', 11_000)).toBe(true);
  });

  it('starts a forgotten person afresh', () => {
    const b = new TokenBuckets<string>({ burst: 1, perSecond: 0.001 });
    expect(b.take('ann', 0)).toBe(true);
    b.forget('ann');
    expect(b.take('ann', 1)).toBe(true);
  });
});
