// Who is speaking, from audio levels (0..1, as RTCRtpSynchronizationSource.audioLevel).
// Hysteresis keeps the highlight from flickering between words. Pure.

/** Level above which someone starts counting as speaking (≈ -30 dBov). */
export const SPEAKING_ON_LEVEL = 0.03;
/** Level under which silence starts counting. */
export const SPEAKING_OFF_LEVEL = 0.015;
/** How long a speaker stays highlighted through a pause. */
export const SPEAKING_HOLD_MS = 600;

export interface SpeakingState {
  speaking: boolean;
  /** When the level last dropped under the off level while speaking. */
  quietSince: number | undefined;
}

export const NOT_SPEAKING: SpeakingState = { speaking: false, quietSince: undefined };

export function nextSpeaking(prev: SpeakingState, level: number, now: number): SpeakingState {
  if (level >= SPEAKING_ON_LEVEL) return { speaking: true, quietSince: undefined };
  if (!prev.speaking) return prev;
  if (level > SPEAKING_OFF_LEVEL) return { speaking: true, quietSince: undefined };
  const quietSince = prev.quietSince ?? now;
  return now - quietSince >= SPEAKING_HOLD_MS ? NOT_SPEAKING : { speaking: true, quietSince };
}

/**
 * Levels go out in steps of this much: a level meter shows no finer, and a
 * room where nobody talks then reads the same poll after poll, so nothing is
 * sent on to repaint (see sameActivity).
 */
export const LEVEL_STEP = 1 / 128;

export const quantizeLevel = (level: number): number => Math.round(Math.min(1, Math.max(0, level)) / LEVEL_STEP) * LEVEL_STEP;

/** What the page is told of everyone's sound: level and whether they are speaking, per participant id. */
export interface AudioActivity {
  /** Level 0..1 per participant id, in LEVEL_STEP steps. */
  readonly levels: Readonly<Record<string, number>>;
  readonly speaking: Readonly<Record<string, boolean>>;
}

/** Whether two readings show the same: the same people, levels and speakers. */
export function sameActivity(a: AudioActivity, b: AudioActivity): boolean {
  const ids = Object.keys(a.levels);
  if (ids.length !== Object.keys(b.levels).length) return false;
  return ids.every((id) => a.levels[id] === b.levels[id] && a.speaking[id] === b.speaking[id]);
}
