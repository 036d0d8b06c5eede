// The words for what the effects tell the person, in one table: a missing
// notice is a type error.
import type { EffectsNotice } from '../session/call-session.ts';

const NOTICE_TEXT: Record<EffectsNotice, string> = {
  noiseSuppressionFailed: 'Noise suppression could not start in this browser: your microphone goes out as it is.',
  blurTooSlow:
    'Background blur turned itself off: this computer could not keep it up at half your camera’s frame rate during the call. Your camera is off, so your room stays hidden: turn it on to go out unblurred.',
  blurCanvasBlocked:
    'Background blur cannot work here: the browser’s fingerprinting protection (Firefox’s resistFingerprinting) hides this page’s own drawing from it. Allow canvas access for this page in the browser’s site permissions, or use the Zing extension. Your camera is off, so your room stays hidden: turn it on to go out unblurred.',
  blurFailed:
    'Background blur could not start in this browser (it needs WebGL 2 and WebAssembly SIMD). Your camera is off, so your room stays hidden: turn it on to go out unblurred.',
};

export const effectsText = (notice: EffectsNotice): string => NOTICE_TEXT[notice];
