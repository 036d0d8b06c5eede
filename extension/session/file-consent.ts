// Whether an offered file may come in without asking the person who receives
// it. Pure: FileTransfers keeps the counts and the clock and asks here.
//
// A peer in the call can offer any number of files of any size (issue #13,
// hole 7). Three rules keep that from costing the receiver more than they agreed to:
// - a file above a size waits for the person's yes (the size is a setting);
// - so does every file past the first few from one peer in a short time, so a
//   peer cannot slip a large total through as many files under the size;
// - and no offer is taken, asked or not, while the received files the person
//   has not saved (or dismissed) yet, plus those still arriving, would pass a
//   total: it is declined at once, with the reason, on both sides.
import { formatBytes } from './format-bytes.ts';

const MiB = 1024 * 1024;

// Defined beside the other settings' defaults, which the popup loads without this module.
export { DEFAULT_ASK_ABOVE_BYTES, DEFAULT_MAX_FILE_BYTES } from './setting-defaults.ts';

/**
 * Files from one peer that come in without asking within BURST_WINDOW_MS; the
 * next ones ask. Three covers a person dropping a few photos at once.
 */
export const DEFAULT_BURST_FILES = 3;

/** The window BURST_FILES counts over: ten seconds is a burst, a file a minute is a conversation. */
export const DEFAULT_BURST_WINDOW_MS = 10_000;

/**
 * Received bytes held for the person (arrived or arriving, not yet saved or
 * dismissed) past which offers are declined. Two of the largest files
 * (DEFAULT_MAX_FILE_BYTES is 1 GiB): Chromium pages large Blobs to disk, Firefox
 * keeps them in memory, where more would put the tab at risk.
 */
export const DEFAULT_MAX_UNSAVED_BYTES = 2 * 1024 * MiB;

export interface ConsentPolicy {
  askAboveBytes: number;
  burstFiles: number;
  burstWindowMs: number;
  maxUnsavedBytes: number;
}

export type ConsentWhy = 'size' | 'burst';

/** The reason a person's own decline gives, on both sides. */
export const DECLINED = 'declined';

export type ConsentDecision = { kind: 'accept' } | { kind: 'ask'; why: ConsentWhy } | { kind: 'decline'; reason: string };

/** The reason an offer is declined for want of room; the same words reach both sides. */
export const noRoomReason = (heldBytes: number, maxUnsavedBytes: number): string =>
  `${formatBytes(heldBytes)} of received files are not saved yet, and this one would pass the ${formatBytes(maxUnsavedBytes)} limit`;

/**
 * What to do with an offer of `size` bytes, given what the receiver holds now
 * and how many offers this peer made within the burst window before this one.
 */
export function decideOffer(policy: ConsentPolicy, size: number, state: { heldBytes: number; recentOffers: number }): ConsentDecision {
  if (!hasRoom(policy, size, state.heldBytes)) return { kind: 'decline', reason: noRoomReason(state.heldBytes, policy.maxUnsavedBytes) };
  if (size > policy.askAboveBytes) return { kind: 'ask', why: 'size' };
  if (state.recentOffers >= policy.burstFiles) return { kind: 'ask', why: 'burst' };
  return { kind: 'accept' };
}

/** Whether `size` more bytes fit beside the `heldBytes` already held. */
export const hasRoom = (policy: Pick<ConsentPolicy, 'maxUnsavedBytes'>, size: number, heldBytes: number): boolean =>
  heldBytes + size <= policy.maxUnsavedBytes;

/** A peer's offer times within the window ending at `now`, with this offer's added; oldest first. */
export function recordOffer(times: readonly number[], now: number, windowMs: number): number[] {
  return [...times.filter((t) => now - t < windowMs), now];
}
