// One link's pressure ladder: steps down when the encoder says it is held back
// (outbound-rtp `qualityLimitationReason` is `cpu` or `bandwidth`) or the
// receiver says it drops our frames, and back up once that has cleared for a
// while. Pure: the clock comes in with every sample, so tests need no timers.
//
// Hysteresis, so it never thrashes: a step down needs the signal for
// DOWN_AFTER_MS, a step up needs it clear for longer (upAfterMs), nothing moves
// for SETTLE_MS after a step (the encoder adapts over seconds), and a step up
// that is undone soon doubles the wait before the next one. A link that sends
// far more than its path carries goes down to the bottom in one step; up is
// always one step at a time.
import { PRESSURE_LEVELS } from './bandwidth.ts';

export type Limitation = 'none' | 'cpu' | 'bandwidth' | 'other';

export interface PressureSample {
  /** The link's camera encoder, from outbound-rtp. */
  limitation: Limitation;
  /** Share of our camera's frames the receiver says it dropped lately (0..1). */
  dropped: number;
  /**
   * The link sends far more than its path carries (RESENT_SEVERE): a step down
   * for the path goes to the bottom of the ladder at once.
   */
  severe?: boolean;
}

export type PressureReason = 'cpu' | 'bandwidth' | 'dropped';

export interface PressureState {
  /** 0: none; up to PRESSURE_LEVELS (bandwidth.ts applyPressure says what each step does). */
  readonly level: number;
  readonly badSince: number | undefined;
  readonly goodSince: number | undefined;
  /** No step before this: the encoder is still adapting to the last one. */
  readonly holdUntil: number;
  /** How long the signals must stay clear for a step up. */
  readonly upAfterMs: number;
  readonly lastUpAt: number | undefined;
  readonly startedAt: number;
  /** What the last step down answered, while stepped down. */
  readonly reason: PressureReason | undefined;
}

/** Two 1 s samples in a row: one bad sample is noise. */
export const DOWN_AFTER_MS = 2_000;
/** Clear this long before the first step back up. */
export const UP_AFTER_MS = 8_000;
/** A step up undone within this long was too early: the next waits twice as long. */
export const RELAPSE_WITHIN_MS = 20_000;
/** The longest wait before a step up: the link still tries again every two minutes. */
export const MAX_UP_AFTER_MS = 120_000;
/** Clear this long at the top of the ladder: the wait goes back to UP_AFTER_MS. */
export const CALM_AFTER_MS = 120_000;
/** After a step, the encoder needs a few frames at the new size before its signals mean anything. */
export const SETTLE_MS = 3_000;
/**
 * A new link's bandwidth estimate starts low and ramps up for a few seconds,
 * during which the encoder reports `bandwidth` however roomy the path is.
 */
export const BANDWIDTH_GRACE_MS = 6_000;
/** The receiver dropping this share of our frames is a decoder that cannot keep up. */
export const DROP_BAD = 0.1;
/** Under this share the receiver keeps up. */
export const DROP_CLEAR = 0.03;

export const initialPressure = (now: number): PressureState => ({
  level: 0,
  badSince: undefined,
  goodSince: undefined,
  holdUntil: now,
  upAfterMs: UP_AFTER_MS,
  lastUpAt: undefined,
  startedAt: now,
  reason: undefined,
});

/**
 * The link's bandwidth estimate at least this many times what the link asks
 * for (its video caps plus the audio reserve): the path has room.
 */
export const ROOM_FACTOR = 1.25;

/**
 * The encoder's limitation as it bears on the ladder. WebRTC reports
 * `bandwidth` not only when the path is short but whenever the encoder's
 * target is low for the resolution: its per-resolution bitrate limits and its
 * QP-driven scaler both count as "bandwidth". Under Zing's own per-link cap
 * that is every link sized to a tile (measured: a 270-line plan at 119 kbps
 * said `bandwidth` from its first second, with the estimate at 300–1,700
 * kbps), and stepping down for it lowered the cap, which the encoder again
 * called "bandwidth", until a 343×193 tile got 120 lines. With the estimate
 * well above what the link asks, the path is not what holds it back.
 *
 * The other way round too: the camera's encoder holds its resolution
 * (peer-link.ts, CAMERA_DEGRADATION), and one that does never says
 * `bandwidth` (WebRTC's quality scaler only scales resolution), so an estimate
 * under what the link asks is the path being short whatever the encoder says.
 *
 * Where the report has no estimate at all (Firefox: no
 * `availableOutgoingBitrate`, no `qualityLimitationReason`), the share of
 * what the camera sent that was sent again says it (resentLimitation).
 */
export function pathLimitation(
  limitation: Limitation,
  availableBps: number | undefined,
  askedBps: number,
  resentShare?: number,
): Limitation {
  if (availableBps === undefined) return resentLimitation(limitation, resentShare);
  if (!(availableBps > 0) || !(askedBps > 0)) return limitation;
  if (limitation === 'bandwidth') return availableBps >= ROOM_FACTOR * askedBps ? 'none' : 'bandwidth';
  if (limitation === 'none' && availableBps < askedBps) return 'bandwidth';
  return limitation;
}

/** This share or more of what our camera sends being retransmissions: the path drops what we send. */
export const RESENT_BAD = 0.25;
/** Under this share the path carries what we send (a little loss is any network's). */
export const RESENT_CLEAR = 0.05;
/**
 * Half or more of what the link sends is sent again: the path carries under
 * half of it, and one step (fewer frames first: about a fifth fewer bits)
 * cannot fit it. Measured with firefox-esr over the ~120 kbps TURN server:
 * 70-80 % resent, and one step at a time took three steps and ~16 s from the
 * first to fit the path, sending four to five times what it carries meanwhile
 * (the other side's video frozen and half its audio lost).
 */
export const RESENT_SEVERE = 0.5;

/** Whether a link's resent share says it sends far more than its path carries (RESENT_SEVERE). */
export const resentSevere = (resentShare: number | undefined): boolean =>
  resentShare !== undefined && Number.isFinite(resentShare) && resentShare >= RESENT_SEVERE;

/**
 * The ladder's sample for one link from its sender's report: what holds it
 * back (pathLimitation), and, where the report has no estimate so that
 * retransmissions speak for the path, whether it is far over it.
 */
export function pathSample(
  limitation: Limitation,
  availableBps: number | undefined,
  askedBps: number,
  resentShare: number | undefined,
  dropped: number,
): PressureSample {
  return {
    limitation: pathLimitation(limitation, availableBps, askedBps, resentShare),
    dropped,
    severe: availableBps === undefined && resentSevere(resentShare),
  };
}

/**
 * A short path told by retransmissions, for a link whose report has no
 * estimate. Measured with firefox-esr sending through a TURN server that
 * passes ~120 kbps: its own congestion control kept it at 400-800 kbps against
 * a 180 kbps plan, 70-80 % of it retransmissions; the receiver lost half of
 * its audio and decoded almost no video, and nothing stepped the link down.
 * With the caps lowered to 60 kbps of video, Firefox kept to them and the
 * other side decoded it at 15 fps. (The receiver's loss reports do not say
 * it: Chromium's `fractionLost` read 0 while most of what arrived were
 * repeats.) Between the two thresholds the ladder holds (`other`: neither a
 * step down nor clear for a step up).
 */
export function resentLimitation(limitation: Limitation, resentShare: number | undefined): Limitation {
  if (limitation !== 'none' || resentShare === undefined || !Number.isFinite(resentShare)) return limitation;
  if (resentShare >= RESENT_BAD) return 'bandwidth';
  return resentShare < RESENT_CLEAR ? 'none' : 'other';
}

/** Why the sample says "too much", if it does. */
function badReason(sample: PressureSample, age: number): PressureReason | undefined {
  if (sample.limitation === 'cpu') return 'cpu';
  if (sample.limitation === 'bandwidth' && age >= BANDWIDTH_GRACE_MS) return 'bandwidth';
  if (sample.dropped >= DROP_BAD) return 'dropped';
  return undefined;
}

const isClear = (sample: PressureSample): boolean => sample.limitation === 'none' && sample.dropped < DROP_CLEAR;

export function nextPressure(state: PressureState, sample: PressureSample, now: number): PressureState {
  if (now < state.holdUntil) return state;
  const reason = badReason(sample, now - state.startedAt);
  if (reason !== undefined) {
    const badSince = state.badSince ?? now;
    if (now - badSince < DOWN_AFTER_MS || state.level >= PRESSURE_LEVELS) return { ...state, badSince, goodSince: undefined };
    const relapse = state.lastUpAt !== undefined && now - state.lastUpAt < RELAPSE_WITHIN_MS;
    return {
      ...state,
      level: reason === 'bandwidth' && sample.severe ? PRESSURE_LEVELS : state.level + 1,
      badSince: undefined,
      goodSince: undefined,
      holdUntil: now + SETTLE_MS,
      upAfterMs: relapse ? Math.min(MAX_UP_AFTER_MS, state.upAfterMs * 2) : state.upAfterMs,
      reason,
    };
  }
  if (!isClear(sample)) return { ...state, badSince: undefined, goodSince: undefined };
  const goodSince = state.goodSince ?? now;
  const clearFor = now - goodSince;
  if (state.level === 0) {
    return clearFor >= CALM_AFTER_MS
      ? { ...state, badSince: undefined, goodSince, upAfterMs: UP_AFTER_MS }
      : { ...state, badSince: undefined, goodSince };
  }
  if (clearFor < state.upAfterMs) return { ...state, badSince: undefined, goodSince };
  const level = state.level - 1;
  return {
    ...state,
    level,
    badSince: undefined,
    goodSince: undefined,
    holdUntil: now + SETTLE_MS,
    lastUpAt: now,
    reason: level === 0 ? undefined : state.reason,
  };
}
