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
