// The words for every failure, in one table: a missing code is a type error;
// and for a safety code that changed.
import type { ZingError, ZingErrorCode } from '../session/errors.ts';

const ERROR_TEXT: Record<ZingErrorCode, (err: ZingError) => string> = {
  BAD_LINK: (err) => `This call link is not valid. ${err.message}`,
  CAMERA_DENIED: () =>
    'Zing is not allowed to use your camera or microphone, so the others cannot see or hear you. Allow both in the browser’s site settings, then turn the camera on again. You can still see and hear everyone.',
  CAMERA_UNAVAILABLE: () =>
    'No camera or microphone could be opened (none is connected, or another app is using it). The others cannot see or hear you; you can still see and hear them.',
  RELAY_UNREACHABLE: (err) =>
    `Cannot reach the Zing relay at ${err.message}. Check your connection or that the relay is running; Zing keeps trying.`,
  RELAY_REJECTED: () => 'The Zing relay refused this call.',
  ROOM_FULL: () => 'This call is full. Ask the others to make room, or start a new call.',
  PEER_FAILED: () => 'The connection to another participant failed.',
  CRYPTO_UNAVAILABLE: () =>
    'This browser could not make the keys Zing needs to keep the call private (a signing key and a connection certificate). Update it, or try another browser.',
  TAMPERING: (err) =>
    `Zing refused ${err.message} signaling messages that were altered, re-sent or misdirected on the way. Someone may be tampering with the relay; compare safety codes before saying anything private.`,
};

export const errorText = (err: ZingError): string => ERROR_TEXT[err.code](err);

/** The alert naming someone whose safety code changed during the call. */
export const codeAlertText = (alert: { name: string; blocked: boolean }): string =>
  alert.blocked
    ? `The safety code for ${alert.name} changed after you verified it. Until you decide, you and ${alert.name} neither see nor hear each other. Accept the new code only after comparing it with ${alert.name} again.`
    : `The safety code for ${alert.name} changed. Compare it with ${alert.name} again before saying anything private.`;
