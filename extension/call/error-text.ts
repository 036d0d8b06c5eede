// The words for every failure, in one table: a missing code is a type error.
// The call page loads them with the first failure it shows (CallPage.tsx).
import type { ZingError, ZingErrorCode } from '../session/errors.ts';
import { invalidLinkText } from '../session/share-link.ts';

/** Where the words differ by browser: how to allow the camera and microphone again. */
export type BrowserFamily = 'chromium' | 'firefox' | 'other';

/** The browser this page runs in, from its user agent (only to pick the right words). */
export function browserFamily(userAgent: string): BrowserFamily {
  if (/Firefox\//.test(userAgent)) return 'firefox';
  if (/Chrom(e|ium)\//.test(userAgent)) return 'chromium';
  return 'other';
}

const HERE: BrowserFamily = typeof navigator === 'undefined' ? 'other' : browserFamily(navigator.userAgent);

/** How to undo a denied camera or microphone, in the browser's own terms. */
const ALLOW_AGAIN: Record<BrowserFamily, string> = {
  chromium:
    'To allow them, click the crossed-out camera icon at the right end of the address bar and choose to always allow (or click the icon at the left of the address bar, open Site settings and set Camera and Microphone to Allow), then reload this page.',
  firefox:
    'To allow them, click the crossed-out camera or microphone icon at the left of the address bar and clear the “Blocked” permissions (the ×), then reload this page.',
  other: 'Allow both for this page in the browser’s site settings, then reload this page.',
};

const lost = (what: string, label: string) =>
  `Your ${what}${label ? ` (${label})` : ''} stopped: it was unplugged, or another app took it. Zing switched to the default ${what}; you can pick another one in Settings.`;

const ERROR_TEXT: Record<ZingErrorCode, (err: ZingError, family: BrowserFamily) => string> = {
  BAD_LINK: (err) => invalidLinkText(err.message),
  CAMERA_DENIED: (_err, family) =>
    `Zing is not allowed to use your camera or microphone, so the others cannot see or hear you. ${ALLOW_AGAIN[family]} You can still see and hear everyone.`,
  CAMERA_UNAVAILABLE: () =>
    'No camera or microphone could be opened (none is connected, or another app is using it). The others cannot see or hear you; you can still see and hear them.',
  CAMERA_LOST: (err) => lost('camera', err.message),
  MICROPHONE_LOST: (err) => lost('microphone', err.message),
  SCREEN_UNAVAILABLE: () =>
    'Your screen could not be shared: the browser or the system did not allow it. On a Mac, allow screen recording for this browser in System Settings, Privacy & Security, Screen Recording, then try again.',
  DEVICE_MISSING: (err) =>
    `${err.message || 'The camera or microphone you chose'} is not plugged in, so Zing uses the default one. It comes back by itself once plugged in; Settings lists what there is.`,
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

export const errorText = (err: ZingError, family: BrowserFamily = HERE): string => ERROR_TEXT[err.code](err, family);

/** Reload page found the page's own address unreachable, so it did not reload (missing-code.ts). */
export const PAGE_UNREACHABLE_TEXT =
  'The page cannot be fetched right now, so it was not reloaded: the network or the relay is down. The call goes on; try again in a moment.';

/** Code the page asked for did not load (missing-code.ts): the network dropped, or the relay was redeployed. */
export const MISSING_CODE_TEXT =
  'Part of Zing did not load, so what you just opened cannot show. The network may have dropped, or Zing was updated since this page opened. Reload the page to get it (the relay’s page asks you to join the call again).';
