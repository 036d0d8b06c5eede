import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESSURE_LEVELS } from '../../../../extension/session/bandwidth.ts';
import {
  BANDWIDTH_GRACE_MS,
  CALM_AFTER_MS,
  DOWN_AFTER_MS,
  DROP_BAD,
  RESENT_BAD,
  RESENT_CLEAR,
  RESENT_SEVERE,
  MAX_UP_AFTER_MS,
  ROOM_FACTOR,
  SETTLE_MS,
  UP_AFTER_MS,
  initialPressure,
  resentLimitation,
  resentSevere,
  nextPressure,
  pathLimitation,
  pathSample,
  type Limitation,
  type PressureSample,
  type PressureState,
} from '../../../../extension/session/pressure.ts';
import { RUNS } from '../../../support/arbitraries.ts';

const CPU: PressureSample = { limitation: 'cpu', dropped: 0 };
const BANDWIDTH: PressureSample = { limitation: 'bandwidth', dropped: 0 };
const CLEAR: PressureSample = { limitation: 'none', dropped: 0 };
const DROPPING: PressureSample = { limitation: 'none', dropped: DROP_BAD };

/** Feeds `sample` once a second from `from` to `to` (inclusive), as quality.ts polls. */
function feed(state: PressureState, sample: PressureSample, from: number, to: number): PressureState {
  let s = state;
  for (let t = from; t <= to; t += 1_000) s = nextPressure(s, sample, t);
  return s;
}

/** The time, polling each second from `from`, at which the level first differs from the start. */
function firstStep(state: PressureState, sample: PressureSample, from: number, limit = 600_000): number | undefined {
  let s = state;
  for (let t = from; t <= from + limit; t += 1_000) {
    const next = nextPressure(s, sample, t);
    if (next.level !== s.level) return t;
    s = next;
  }
  return undefined;
}

const START = 100_000;
const settled = initialPressure(START - BANDWIDTH_GRACE_MS);

describe('the pressure ladder', () => {
  it('steps down once the encoder has been CPU-limited for two seconds, not after one bad sample', () => {
    const once = nextPressure(settled, CPU, START);
    expect(once.level).toBe(0);
    expect(nextPressure(once, CLEAR, START + 1_000).level).toBe(0);
    expect(firstStep(settled, CPU, START)).toBe(START + DOWN_AFTER_MS);
    expect(feed(settled, CPU, START, START + DOWN_AFTER_MS).reason).toBe('cpu');
  });

  it('steps down for a receiver that drops our frames, and says so', () => {
    const s = feed(settled, DROPPING, START, START + DOWN_AFTER_MS);
    expect(s.level).toBe(1);
    expect(s.reason).toBe('dropped');
  });

  it('ignores a bandwidth limit while a new link ramps up its estimate, but not a CPU limit', () => {
    const fresh = initialPressure(START);
    expect(feed(fresh, BANDWIDTH, START, START + BANDWIDTH_GRACE_MS - 1_000).level).toBe(0);
    expect(feed(fresh, CPU, START, START + DOWN_AFTER_MS).level).toBe(1);
    expect(feed(fresh, BANDWIDTH, START, START + BANDWIDTH_GRACE_MS + DOWN_AFTER_MS).level).toBe(1);
  });

  it('lets the encoder settle after a step before the next one', () => {
    const down = feed(settled, CPU, START, START + DOWN_AFTER_MS);
    const next = firstStep(down, CPU, START + DOWN_AFTER_MS + 1_000);
    expect(next).toBe(START + DOWN_AFTER_MS + SETTLE_MS + DOWN_AFTER_MS);
  });

  it(`stops at the bottom step (${PRESSURE_LEVELS}) however long the pressure lasts`, () => {
    expect(feed(settled, CPU, START, START + 120_000).level).toBe(PRESSURE_LEVELS);
  });

  it('steps back up only after the signals have been clear for longer than it took to step down', () => {
    const down = feed(settled, CPU, START, START + DOWN_AFTER_MS);
    const t = START + DOWN_AFTER_MS + SETTLE_MS;
    expect(firstStep(down, CLEAR, t)).toBe(t + UP_AFTER_MS);
    expect(UP_AFTER_MS).toBeGreaterThan(DOWN_AFTER_MS);
  });

  it('holds its step while the signals are neither bad nor clear', () => {
    const down = feed(settled, CPU, START, START + DOWN_AFTER_MS);
    const unsure = { limitation: 'none', dropped: (DROP_BAD + 0.03) / 2 } as const;
    expect(feed(down, unsure, START + 10_000, START + 300_000).level).toBe(1);
  });

  it('waits twice as long before the next step up when a step up was undone soon after, up to a limit', () => {
    let s = feed(settled, CPU, START, START + DOWN_AFTER_MS);
    let t = START + DOWN_AFTER_MS + SETTLE_MS;
    const waits: number[] = [];
    for (let round = 0; round < 8; round++) {
      const up = firstStep(s, CLEAR, t)!;
      waits.push(up - t);
      s = feed(s, CLEAR, t, up);
      t = up + SETTLE_MS;
      // Up again and at once CPU-bound again: the step up was too early.
      s = feed(s, CPU, t, t + DOWN_AFTER_MS);
      expect(s.level).toBe(1);
      t += DOWN_AFTER_MS + SETTLE_MS;
    }
    expect(waits[0]).toBe(UP_AFTER_MS);
    expect(waits[1]).toBe(2 * UP_AFTER_MS);
    expect(waits[2]).toBe(4 * UP_AFTER_MS);
    expect(Math.max(...waits)).toBe(MAX_UP_AFTER_MS);
  });

  it('forgets the longer wait after a long calm at the top', () => {
    let s = feed(settled, CPU, START, START + DOWN_AFTER_MS);
    s = { ...s, upAfterMs: MAX_UP_AFTER_MS };
    const t = START + 10_000;
    s = feed(s, CLEAR, t, t + MAX_UP_AFTER_MS);
    expect(s.level).toBe(0);
    s = feed(s, CLEAR, t + MAX_UP_AFTER_MS + SETTLE_MS, t + MAX_UP_AFTER_MS + SETTLE_MS + CALM_AFTER_MS);
    expect(s.upAfterMs).toBe(UP_AFTER_MS);
  });

  it('never thrashes: whatever the signals, at most one step per settle period, and never outside 0..PRESSURE_LEVELS', () => {
    const sample = fc.record({
      limitation: fc.constantFrom<Limitation>('none', 'cpu', 'bandwidth', 'other'),
      dropped: fc.constantFrom(0, 0.02, 0.05, DROP_BAD, 0.5),
      severe: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(sample, fc.integer({ min: 1, max: 3_000 })), { maxLength: 200 }), (steps) => {
        let s = initialPressure(0);
        let t = 0;
        let lastChange = -Infinity;
        for (const [smp, dt] of steps) {
          t += dt;
          const next = nextPressure(s, smp, t);
          expect(next.level).toBeGreaterThanOrEqual(0);
          expect(next.level).toBeLessThanOrEqual(PRESSURE_LEVELS);
          if (next.level !== s.level) {
            // One rung at a time, except down for a path far over what it carries: straight to the bottom.
            if (smp.severe && next.level > s.level) expect([s.level + 1, PRESSURE_LEVELS]).toContain(next.level);
            else expect(Math.abs(next.level - s.level)).toBe(1);
            expect(t - lastChange).toBeGreaterThanOrEqual(SETTLE_MS);
            lastChange = t;
          }
          s = next;
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('pathLimitation', () => {
  it('takes `bandwidth` as the path only where the estimate is not well above what the link asks', () => {
    // Measured in Chromium: a 270-line plan capped at 119 kbps said `bandwidth` with the estimate at 303 kbps.
    expect(pathLimitation('bandwidth', 303_000, 119_000 + 40_000)).toBe('none');
    expect(pathLimitation('bandwidth', ROOM_FACTOR * 159_000, 159_000)).toBe('none');
    expect(pathLimitation('bandwidth', ROOM_FACTOR * 159_000 - 1, 159_000)).toBe('bandwidth');
    expect(pathLimitation('bandwidth', 120_000, 159_000)).toBe('bandwidth');
  });

  it('keeps the encoder’s word where the report has no estimate, and cpu and other as they are', () => {
    expect(pathLimitation('bandwidth', undefined, 159_000)).toBe('bandwidth');
    expect(pathLimitation('bandwidth', 1e9, 0)).toBe('bandwidth');
    expect(pathLimitation('none', undefined, 159_000)).toBe('none');
    expect(pathLimitation('none', 0, 159_000)).toBe('none'); // no estimate yet
    expect(pathLimitation('cpu', 1e9, 159_000)).toBe('cpu');
    expect(pathLimitation('cpu', 1, 159_000)).toBe('cpu');
    expect(pathLimitation('other', 1e9, 159_000)).toBe('other');
  });

  it('takes an estimate under what the link asks as a short path, though an encoder holding its lines says none', () => {
    expect(pathLimitation('none', 120_000, 159_000)).toBe('bandwidth');
    expect(pathLimitation('none', 159_000 - 1, 159_000)).toBe('bandwidth');
    expect(pathLimitation('none', 159_000, 159_000)).toBe('none');
    expect(pathLimitation('none', 303_000, 159_000)).toBe('none');
    // Fed to the ladder: a short path steps the link down, and it climbs back once the path has room.
    const held = (available: number): PressureSample => ({ limitation: pathLimitation('none', available, 159_000), dropped: 0 });
    const down = feed(settled, held(100_000), START, START + 10_000);
    expect(down.level).toBeGreaterThan(0);
    expect(down.reason).toBe('bandwidth');
    expect(feed(down, held(303_000), START + 11_000, START + 11_000 + 2 * UP_AFTER_MS).level).toBeLessThan(down.level);
  });

  it('keeps a link on its step while its own cap holds the encoder, and lets it step back up', () => {
    const capped = (available: number): PressureSample => ({ limitation: pathLimitation('bandwidth', available, 159_000), dropped: 0 });
    // The path has room: never a step down, however long.
    expect(feed(settled, capped(303_000), START, START + 120_000).level).toBe(0);
    // The path is short: steps down as before.
    expect(feed(settled, capped(150_000), START, START + 10_000).level).toBeGreaterThan(0);
    // Once it has room again, the link climbs back.
    const down = feed(settled, capped(150_000), START, START + 10_000);
    expect(feed(down, capped(303_000), START + 11_000, START + 11_000 + 2 * UP_AFTER_MS).level).toBeLessThan(down.level);
  });
});

describe('resentLimitation (a link whose report has no estimate: Firefox)', () => {
  it('takes a large share of retransmissions as a short path, with a band where the ladder holds', () => {
    expect(resentLimitation('none', RESENT_BAD)).toBe('bandwidth');
    expect(resentLimitation('none', 0.79)).toBe('bandwidth');
    expect(resentLimitation('none', RESENT_BAD - 0.001)).toBe('other');
    expect(resentLimitation('none', RESENT_CLEAR)).toBe('other');
    expect(resentLimitation('none', RESENT_CLEAR - 0.001)).toBe('none');
    expect(resentLimitation('none', 0)).toBe('none');
    // No interval to compare yet, or a broken one: as before.
    expect(resentLimitation('none', undefined)).toBe('none');
    expect(resentLimitation('none', Number.NaN)).toBe('none');
    // What the encoder says itself stands.
    expect(resentLimitation('cpu', 0.5)).toBe('cpu');
    expect(resentLimitation('bandwidth', 0)).toBe('bandwidth');
  });

  it('is what pathLimitation uses without an estimate, and never where there is one', () => {
    expect(pathLimitation('none', undefined, 159_000, 0.5)).toBe('bandwidth');
    // Chromium's estimate already answers to loss: with one, retransmissions change nothing.
    expect(pathLimitation('none', 303_000, 159_000, 0.5)).toBe('none');
    expect(pathLimitation('none', 0, 159_000, 0.5)).toBe('none');
    // The ladder's sample says far over the path only where retransmissions speak for it.
    expect(pathSample('none', undefined, 159_000, 0.75, 0.02)).toEqual({ limitation: 'bandwidth', dropped: 0.02, severe: true });
    expect(pathSample('none', undefined, 159_000, 0.3, 0)).toEqual({ limitation: 'bandwidth', dropped: 0, severe: false });
    expect(pathSample('none', 50_000, 159_000, 0.75, 0)).toEqual({ limitation: 'bandwidth', dropped: 0, severe: false });
  });

  it('steps a link that resends much down, holds it in the band, and climbs back once it clears', () => {
    const resending = (share: number): PressureSample => ({
      limitation: pathLimitation('none', undefined, 159_000, share),
      dropped: 0,
    });
    const down = feed(settled, resending(0.5), START, START + 10_000);
    expect(down.level).toBeGreaterThan(0);
    expect(down.reason).toBe('bandwidth');
    // 10 % resent: neither further down nor back up, however long.
    expect(feed(down, resending(0.1), START + 11_000, START + 11_000 + 120_000).level).toBe(down.level);
    expect(feed(down, resending(0), START + 11_000, START + 11_000 + 2 * UP_AFTER_MS).level).toBeLessThan(down.level);
  });

  it(`goes to the bottom in one step where ${RESENT_SEVERE * 100} % or more is resent, not on one sample, and climbs back one step at a time`, () => {
    expect(resentSevere(RESENT_SEVERE)).toBe(true);
    expect(resentSevere(0.8)).toBe(true);
    expect(resentSevere(RESENT_SEVERE - 0.001)).toBe(false);
    expect(resentSevere(undefined)).toBe(false);
    expect(resentSevere(Number.NaN)).toBe(false);
    const resending = (share: number): PressureSample => ({
      limitation: pathLimitation('none', undefined, 159_000, share),
      dropped: 0,
      severe: resentSevere(share),
    });
    // Firefox over the short path: 70-80 % resent.
    expect(nextPressure(settled, resending(0.75), START).level).toBe(0);
    const at = firstStep(settled, resending(0.75), START);
    expect(at).toBe(START + DOWN_AFTER_MS);
    const down = feed(settled, resending(0.75), START, at ?? 0);
    expect(down.level).toBe(PRESSURE_LEVELS);
    expect(down.reason).toBe('bandwidth');
    // A share past RESENT_BAD but under RESENT_SEVERE steps one rung, as before.
    expect(feed(settled, resending(0.3), START, START + DOWN_AFTER_MS).level).toBe(1);
    // Severe says nothing for a cpu limit: one step.
    expect(feed(settled, { ...CPU, severe: true }, START, START + DOWN_AFTER_MS).level).toBe(1);
    // Back up: one step after the clear wait, not all at once.
    const clearFrom = (at ?? 0) + SETTLE_MS;
    const up = firstStep(down, resending(0), clearFrom);
    expect(up).toBeDefined();
    expect(feed(down, resending(0), clearFrom, up ?? 0).level).toBe(PRESSURE_LEVELS - 1);
  });
});
