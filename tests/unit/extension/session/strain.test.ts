import { describe, expect, it } from 'vitest';
import {
  DECODE_MS_BAD,
  DROPPED_BAD,
  NOT_STRAINED,
  STRAIN_AFTER_MS,
  STRAIN_CLEAR_AFTER_MS,
  STUCK_BAD,
  nextStrain,
  type StrainSample,
  type StrainState,
} from '../../../../extension/session/strain.ts';

const FINE: StrainSample = { encoderStuck: 0, dropped: 0, decodeMsPerFrame: 4 };

function feed(state: StrainState, sample: StrainSample, from: number, to: number): StrainState {
  let s = state;
  for (let t = from; t <= to; t += 1_000) s = nextStrain(s, sample, t);
  return s;
}

describe('strain', () => {
  it.each([
    ['encoders stuck at the bottom step and still CPU-bound', { ...FINE, encoderStuck: STUCK_BAD }],
    ['the decoder dropping frames', { ...FINE, dropped: DROPPED_BAD }],
    ['the decoder slow on every frame', { ...FINE, decodeMsPerFrame: DECODE_MS_BAD }],
  ])('is strained after a spell of %s, not at once', (_, sample) => {
    expect(feed(NOT_STRAINED, sample, 0, STRAIN_AFTER_MS - 1_000).strained).toBe(false);
    expect(feed(NOT_STRAINED, sample, 0, STRAIN_AFTER_MS).strained).toBe(true);
  });

  it('is not strained by a machine that keeps up', () => {
    expect(feed(NOT_STRAINED, FINE, 0, 600_000).strained).toBe(false);
    expect(feed(NOT_STRAINED, { encoderStuck: 0, dropped: 0, decodeMsPerFrame: undefined }, 0, 60_000).strained).toBe(false);
  });

  it('keeps up again only after a long clear spell, and a bad moment in between starts it over', () => {
    const strained = feed(NOT_STRAINED, { ...FINE, dropped: 0.5 }, 0, STRAIN_AFTER_MS);
    let s = feed(strained, FINE, 10_000, 10_000 + STRAIN_CLEAR_AFTER_MS - 2_000);
    expect(s.strained).toBe(true);
    s = nextStrain(s, { ...FINE, dropped: 0.5 }, 30_000);
    s = feed(s, FINE, 31_000, 31_000 + STRAIN_CLEAR_AFTER_MS - 1_000);
    expect(s.strained).toBe(true);
    s = nextStrain(s, FINE, 31_000 + STRAIN_CLEAR_AFTER_MS);
    expect(s.strained).toBe(false);
  });
});
