// Whether this machine keeps up with the call: its own encoders held back by
// the CPU even after every link stepped down as far as it goes, or its
// decoders falling behind (frames dropped, or slow to decode). When it does
// not, the call offers to turn off incoming video in small tiles (quality.ts).
// Pure, with the clock passed in; hysteresis so the offer does not flicker.

export interface StrainSample {
  /** Share of the watched camera links whose encoder is `cpu`-limited at the bottom of the pressure ladder (0..1). */
  encoderStuck: number;
  /** Share of incoming camera frames dropped before display over the last interval (0..1). */
  dropped: number;
  /** Mean decode time per incoming frame over the last interval, ms; undefined with nothing decoded. */
  decodeMsPerFrame: number | undefined;
}

export interface StrainState {
  readonly strained: boolean;
  readonly badSince: number | undefined;
  readonly goodSince: number | undefined;
}

/** Half the links stuck at the floor and still CPU-bound: the machine, not one link. */
export const STUCK_BAD = 0.5;
/** One frame in seven dropped: visibly jerky. */
export const DROPPED_BAD = 0.15;
export const DROPPED_CLEAR = 0.05;
/** A decoder that needs this long per frame, on average over every stream, cannot keep 30 fps on anything else. */
export const DECODE_MS_BAD = 30;
export const DECODE_MS_CLEAR = 15;
/** Bad this long before the offer: a stall while a tab loads is not a slow machine. */
export const STRAIN_AFTER_MS = 6_000;
/** Clear this long before it counts as keeping up again. */
export const STRAIN_CLEAR_AFTER_MS = 15_000;

export const NOT_STRAINED: StrainState = { strained: false, badSince: undefined, goodSince: undefined };

export function isStrainBad(s: StrainSample): boolean {
  return s.encoderStuck >= STUCK_BAD || s.dropped >= DROPPED_BAD || (s.decodeMsPerFrame ?? 0) >= DECODE_MS_BAD;
}

export function isStrainClear(s: StrainSample): boolean {
  return s.encoderStuck === 0 && s.dropped < DROPPED_CLEAR && (s.decodeMsPerFrame ?? 0) < DECODE_MS_CLEAR;
}

export function nextStrain(state: StrainState, sample: StrainSample, now: number): StrainState {
  if (isStrainBad(sample)) {
    const badSince = state.badSince ?? now;
    return { strained: state.strained || now - badSince >= STRAIN_AFTER_MS, badSince, goodSince: undefined };
  }
  if (!isStrainClear(sample)) return { ...state, badSince: undefined, goodSince: undefined };
  const goodSince = state.goodSince ?? now;
  return { strained: state.strained && now - goodSince < STRAIN_CLEAR_AFTER_MS, badSince: undefined, goodSince };
}
