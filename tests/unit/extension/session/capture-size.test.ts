import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CAPTURE_DOWN_AFTER_MS,
  CAPTURE_MIN_HEIGHT,
  CAPTURE_MIN_INTERVAL_MS,
  initialCapture,
  nextCapture,
} from '../../../../extension/session/capture-size.ts';
import { RUNS } from '../../../support/arbitraries.ts';

const MAX = 720;

describe('the capture height', () => {
  it('goes up at once when a larger tile needs it, within the setting', () => {
    const s = initialCapture(360, 0);
    expect(nextCapture(s, 540, MAX, 5_000).height).toBe(540);
    expect(nextCapture(s, 1080, MAX, 5_000).height).toBe(MAX);
  });

  it('goes down only after the need has stayed lower for a while, to the largest need meanwhile', () => {
    let s = initialCapture(720, 0);
    s = nextCapture(s, 180, MAX, 10_000);
    expect(s.height).toBe(720);
    s = nextCapture(s, 270, MAX, 12_000);
    s = nextCapture(s, 180, MAX, 10_000 + CAPTURE_DOWN_AFTER_MS - 1);
    expect(s.height).toBe(720);
    s = nextCapture(s, 180, MAX, 10_000 + CAPTURE_DOWN_AFTER_MS);
    expect(s.height).toBe(270);
  });

  it('starts the wait again when the need comes back up meanwhile', () => {
    let s = initialCapture(720, 0);
    s = nextCapture(s, 180, MAX, 10_000);
    s = nextCapture(s, 720, MAX, 12_000);
    s = nextCapture(s, 180, MAX, 13_000);
    expect(nextCapture(s, 180, MAX, 10_000 + CAPTURE_DOWN_AFTER_MS).height).toBe(720);
    expect(nextCapture(s, 180, MAX, 13_000 + CAPTURE_DOWN_AFTER_MS).height).toBe(CAPTURE_MIN_HEIGHT);
  });

  it(`never goes below ${CAPTURE_MIN_HEIGHT} lines, even with nobody watching`, () => {
    let s = initialCapture(720, 0);
    s = nextCapture(s, 0, MAX, 10_000);
    s = nextCapture(s, 0, MAX, 10_000 + CAPTURE_DOWN_AFTER_MS);
    expect(s.height).toBe(CAPTURE_MIN_HEIGHT);
  });

  it('never thrashes: at most one change per interval, and every change down follows a wait', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 90, 180, 270, 360, 540, 720, 1080), fc.integer({ min: 10, max: 2_000 })), { maxLength: 300 }),
        (steps) => {
          let s = initialCapture(MAX, 0);
          let t = 0;
          let last = -Infinity;
          let lowSince: number | undefined;
          for (const [need, dt] of steps) {
            t += dt;
            const next = nextCapture(s, need, MAX, t);
            const want = Math.min(MAX, Math.max(CAPTURE_MIN_HEIGHT, need));
            lowSince = want < s.height ? (lowSince ?? t) : undefined;
            if (next.height !== s.height) {
              expect(t - last).toBeGreaterThanOrEqual(CAPTURE_MIN_INTERVAL_MS);
              last = t;
            }
            if (next.height < s.height) expect(lowSince).toBeDefined();
            expect(next.height).toBeGreaterThanOrEqual(CAPTURE_MIN_HEIGHT);
            expect(next.height).toBeLessThanOrEqual(MAX);
            if (next.height !== s.height) lowSince = undefined;
            s = next;
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
