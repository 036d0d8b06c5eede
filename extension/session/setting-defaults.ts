// Defaults of settings whose rules live elsewhere (bandwidth.ts, file-consent.ts),
// in a module of their own: settings.ts needs the numbers, and importing them
// from those modules put the upload governor and the file-consent rules into
// the bundle the popup shares with the call page (0.7 KB of its 15 KB budget).

const MiB = 1024 * 1024;

/** Total camera upload the governor splits between links, in kbps (bandwidth.ts). */
export const DEFAULT_UPLOAD_BUDGET_KBPS = 2_500;

/**
 * The largest file accepted at all (larger ones fail at the offer). Chromium pages
 * received Blobs to disk, Firefox keeps them in memory, so this is what a Firefox
 * tab can safely hold.
 */
export const DEFAULT_MAX_FILE_BYTES = 1024 * MiB;

/** Files above this wait for the receiver's yes, unless the settings say otherwise: a large download is a choice. */
export const DEFAULT_ASK_ABOVE_BYTES = 100 * MiB;

/**
 * The largest recording kept, in bytes: 1 GiB, about 1 h 50 min at recording-state.ts's
 * rates. The chunks are Blobs the browser holds (in memory, then on disk
 * as its blob store fills); past a GiB a page risks the browser refusing more,
 * and a single saved file of that size is already unwieldy. A recording that
 * would pass it stops, keeps what it has and says so.
 */
export const MAX_RECORDING_BYTES = 1024 * 1024 * 1024;
