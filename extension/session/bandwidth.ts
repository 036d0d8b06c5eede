// The bandwidth governor: a full mesh sends one copy of the camera per remote
// peer, so every sender's upload must shrink as the room grows. Peer-to-peer
// products that keep full bitrate per link stall at 4–6 people. Pure functions.

/** Opus speech at 32 kbps plus RTP/SRTP overhead; reserved first so audio is never starved. */
export const AUDIO_RESERVE_BPS = 40_000;
/** A single link gains little above this at 720p (and the receiver's downlink is shared too). */
export const MAX_LINK_VIDEO_BPS = 1_500_000;
/** Below this a video link is a slideshow; the budget is exceeded rather than going lower. */
export const MIN_LINK_VIDEO_BPS = 60_000;
// Defined beside the other settings' defaults, which the popup loads without this module.
export { DEFAULT_UPLOAD_BUDGET_KBPS } from './setting-defaults.ts';

/** Height each bitrate can carry at a fair quality (VP8/H.264 rules of thumb, 30 fps). */
const HEIGHT_LADDER: readonly (readonly [bps: number, height: number])[] = [
  [1_000_000, 720],
  [500_000, 540],
  [250_000, 360],
  [120_000, 240],
  [0, 180],
];

export interface VideoEncoding {
  maxBitrate: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
}

/** The video bitrate each of `links` outgoing links may use within the upload budget. */
export function linkVideoBitrate(links: number, budgetBps: number): number {
  if (links <= 0) return MAX_LINK_VIDEO_BPS;
  const perLink = Math.floor((budgetBps - links * AUDIO_RESERVE_BPS) / links);
  return Math.max(MIN_LINK_VIDEO_BPS, Math.min(MAX_LINK_VIDEO_BPS, perLink));
}

export function targetHeight(bitrate: number): number {
  for (const [bps, height] of HEIGHT_LADDER) if (bitrate >= bps) return height;
  return 180;
}

/**
 * A mesh encodes the camera once per link, so CPU runs out before bandwidth:
 * measured here (bench:call), four people fill two cores at 240p/30 fps and
 * at six tiles fall to a few fps. From these link counts each copy gets fewer
 * frames and lines, whatever the bitrate would allow.
 */
export const CPU_FRAMERATE_CAP = { fromLinks: 3, fps: 15 } as const;
export const CPU_HEIGHT_CAP = { fromLinks: 5, height: 180 } as const;

/** The encoding for every outgoing camera link when there are `links` of them. */
export function videoEncodingFor(links: number, budgetBps: number, sourceHeight: number): VideoEncoding {
  const maxBitrate = linkVideoBitrate(links, budgetBps);
  const byBitrate = targetHeight(maxBitrate);
  const height = links >= CPU_HEIGHT_CAP.fromLinks ? Math.min(byBitrate, CPU_HEIGHT_CAP.height) : byBitrate;
  return {
    maxBitrate,
    // Never upscale: a 360p camera stays 360p on a fat link.
    scaleResolutionDownBy: sourceHeight > height ? sourceHeight / height : 1,
    // Under ~150 kbps, fewer sharper frames beat many smeared ones.
    maxFramerate: maxBitrate < 150_000 || links >= CPU_FRAMERATE_CAP.fromLinks ? 15 : 30,
  };
}

/** While a screen is shared, text on it matters more than faces: it takes this share of each link's video budget. */
export const SCREEN_SHARE_OF_VIDEO = 0.7;

export interface LinkEncodings {
  camera: VideoEncoding;
  screen: { maxBitrate: number } | undefined;
}

/** Camera and (while sharing) screen caps for each of `links` links; screens keep full resolution. */
export function linkEncodingsFor(links: number, budgetBps: number, cameraHeight: number, sharing: boolean): LinkEncodings {
  if (!sharing) return { camera: videoEncodingFor(links, budgetBps, cameraHeight), screen: undefined };
  const perLink = linkVideoBitrate(links, budgetBps);
  const screenBps = Math.max(MIN_LINK_VIDEO_BPS, Math.round(perLink * SCREEN_SHARE_OF_VIDEO));
  // The camera gets the rest, as if the budget were that much smaller.
  const cameraBudget = links * (AUDIO_RESERVE_BPS + Math.max(MIN_LINK_VIDEO_BPS, perLink - screenBps));
  return { camera: videoEncodingFor(links, cameraBudget, cameraHeight), screen: { maxBitrate: screenBps } };
}
