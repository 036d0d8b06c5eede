// The bandwidth governor: a full mesh encodes the camera once per link, so a
// link should carry no more than its receiver shows, and all links together no
// more than the upload budget. Each receiver says how large it shows this
// sender's camera and screen (protocol/data.ts `view`); from that, per link,
// this picks a height, a frame rate and a bitrate, splits the budget fairly
// over what is actually wanted (max-min: nobody gets more than a link that is
// held back, unless it wants less), and names the capture height that serves
// the largest of them. Pure functions; quality.ts applies them.
import type { ViewSize } from '../../protocol/data.ts';

/** Opus speech at 32 kbps plus RTP/SRTP overhead; reserved first on every link, watched or not, so audio is never starved. */
export const AUDIO_RESERVE_BPS = 40_000;
/** A single camera link gains little above this (and the receiver's downlink is shared too). */
export const MAX_LINK_VIDEO_BPS = 1_500_000;
/** A shared screen at 1080p with small text needs more than a face does. */
export const MAX_SCREEN_VIDEO_BPS = 2_500_000;
/** Below this a video link is a slideshow; the budget is exceeded rather than going lower. */
export const MIN_LINK_VIDEO_BPS = 60_000;
// Defined beside the other settings' defaults, which the popup loads without this module.
export { DEFAULT_UPLOAD_BUDGET_KBPS } from './setting-defaults.ts';

/** Frame rate the camera is opened at (local-media.ts) and a large tile gets. */
export const FULL_FRAMERATE = 30;
/** Small tiles and busy senders: a talking head stays readable at half the frames. */
export const REDUCED_FRAMERATE = 15;
/** The lowest step of the pressure ladder (see applyPressure), and a thumbnail's. */
export const LOW_FRAMERATE = 10;
/** A screen share is captured at 15 fps (local-media.ts): text, not motion. */
export const SCREEN_FRAMERATE = 15;
/** Under this a tile gets REDUCED_FRAMERATE: nobody reads lips on a 180-line tile. */
export const SMALL_TILE_HEIGHT = 180;
/**
 * A camera tile that needs no more than the bottom rung (160×90 or less: the
 * strip beside a spotlight on a laptop window, a crowded grid) is a thumbnail:
 * a face to recognise and a nod to notice, not lips to read.
 */
export const THUMBNAIL_HEIGHT = 90;
/**
 * A thumbnail's frame rate: still moving, at two thirds of the encoding work and
 * about four fifths of the bits of 15 fps (measured with bench:call: a 160×90
 * stream took ~35 kbps at 15 fps, uncapped under the 60 kbps floor).
 */
export const THUMBNAIL_FRAMERATE = LOW_FRAMERATE;
/**
 * A thumbnail's floor instead of MIN_LINK_VIDEO_BPS, which is three times what
 * 160×90 at 10 fps needs (bitrateFor(90, 10) ≈ 23 kbps): below this even a
 * thumbnail smears.
 */
export const MIN_THUMBNAIL_VIDEO_BPS = 20_000;
/** Under this bitrate, fewer sharper frames beat many smeared ones. */
const FEW_FRAMES_BELOW_BPS = 150_000;
/** Text needs about half again the bits a face needs at the same size. */
const SCREEN_DETAIL = 1.5;

/**
 * A mesh encodes the camera once per link, so CPU runs out before bandwidth:
 * measured here (bench:call), four people fill two cores at 240p/30 fps and
 * at six tiles fall to a few fps. From these counts of watched camera links
 * each copy gets fewer frames and lines, whatever the tiles would allow.
 */
export const CPU_FRAMERATE_CAP = { fromLinks: 3, fps: REDUCED_FRAMERATE } as const;
export const CPU_HEIGHT_CAP = { fromLinks: 5, height: 180 } as const;

/**
 * Heights a link is sent at. Wanted sizes are rounded up to one of these, so a
 * tile being dragged bigger changes the encoding a few times, not every frame,
 * and the receiver never sees fewer lines than its tile has.
 */
export const HEIGHT_RUNGS = [90, 135, 180, 270, 360, 540, 720, 1080, 1440, 2160] as const;

/** Bits per second a 16:9 picture of each height needs at 30 fps for a fair quality (VP8/H.264 rules of thumb). */
const BITRATE_AT_30: readonly (readonly [height: number, bps: number])[] = [
  [90, 45_000],
  [135, 70_000],
  [180, 100_000],
  [270, 180_000],
  [360, 280_000],
  [540, 550_000],
  [720, 900_000],
  [1080, 1_800_000],
  [1440, 3_000_000],
  [2160, 5_000_000],
];

export interface VideoEncoding {
  /** false: send no video on this link at all (nobody there watches it); audio goes on. */
  active: boolean;
  maxBitrate: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
}

/** What the governor sends on one link, and why, for the stats panel. */
export interface StreamPlan {
  encoding: VideoEncoding;
  /** Lines the encoder is asked for (0 while inactive); the encoder may send fewer on its own. */
  height: number;
}

export interface Source {
  width: number;
  height: number;
}

/** One receiver, as far as this sender knows it. */
export interface LinkWant {
  /** The largest tile showing our camera there, device px; undefined until the receiver has said (an older Zing never does): full size. */
  camera: ViewSize | undefined;
  screen: ViewSize | undefined;
  /** Steps down that link's own signals asked for (pressure.ts): 0 is none. */
  level: number;
  /**
   * What that receiver showed until a moment ago (heldViews): the stream is
   * not sent, but keeps its place in the split and in the count of watched
   * links, so the other links keep their encodings.
   */
  held?: HeldSizes;
}

export interface HeldSizes {
  camera?: ViewSize;
  screen?: ViewSize;
}

/**
 * How long a stream its receiver stopped showing keeps its place in the split.
 * A viewer who toggles a tile (or a tab) every few hundred ms would otherwise
 * move the fair split, and the CPU caps by watched links, on every toggle: a
 * setParameters on every other link up to ten times a second (the view rate
 * limit). The stream itself stops at once, so a hidden tab still costs nothing.
 */
export const UNWATCHED_HOLD_MS = 2_000;

/** A stream's last shown size, and until when it is held (heldViews). */
export interface HeldView {
  view: ViewSize;
  until: number;
}

export interface HeldViews {
  camera?: HeldView;
  screen?: HeldView;
}

/**
 * The held views after a receiver's want went from `before` to `after` at `now`:
 * a stream that went from shown to not shown is held for UNWATCHED_HOLD_MS at the
 * size it had (a hold running keeps its size and end); one shown again is not held.
 */
export function heldViews(
  held: HeldViews,
  before: { camera: ViewSize; screen: ViewSize } | undefined,
  after: { camera: ViewSize; screen: ViewSize },
  now: number,
): HeldViews {
  const next: HeldViews = {};
  for (const kind of ['camera', 'screen'] as const) {
    const running = held[kind] !== undefined && now < held[kind].until ? held[kind] : undefined;
    if (isShown(after[kind])) continue;
    const was = before?.[kind];
    if (running) next[kind] = running;
    else if (was && isShown(was)) next[kind] = { view: was, until: now + UNWATCHED_HOLD_MS };
  }
  return next;
}

/** The sizes of `held` still held at `now`, as plan() takes them. */
export function heldAt(held: HeldViews, now: number): HeldSizes | undefined {
  const camera = held.camera && now < held.camera.until ? held.camera.view : undefined;
  const screen = held.screen && now < held.screen.until ? held.screen.view : undefined;
  return camera || screen ? { camera, screen } : undefined;
}

export interface PlanInput {
  budgetBps: number;
  /** The camera as captured now, or undefined while it is off. */
  camera: Source | undefined;
  screen: Source | undefined;
  /** The person's camera setting: the capture never goes above it. */
  maxCameraHeight: number;
  /** Our own tile's size (device px): the capture serves the self view too. */
  selfView: ViewSize | undefined;
  links: ReadonlyMap<string, LinkWant>;
}

export interface LinkPlan {
  camera: StreamPlan;
  /** undefined while not sharing. */
  screen: StreamPlan | undefined;
}

/** What a link asks of its path: its active video caps, and the audio reserve. */
export function linkAskBps(link: LinkPlan): number {
  const video = [link.camera, link.screen].reduce((sum, p) => sum + (p?.encoding.active ? p.encoding.maxBitrate : 0), 0);
  return video + AUDIO_RESERVE_BPS;
}

export interface Plan {
  links: Map<string, LinkPlan>;
  /** The capture height the links and the self view need (quality.ts adds hysteresis before applying it). */
  captureHeight: number;
  /**
   * The most frames a second any link sends the camera at; where none sends it, the self view's
   * full rate while it shows, else 0. Nothing downstream of the camera (the blur) needs more.
   */
  cameraFrameRate: number;
}

const aspectOf = (s: Source): number => (s.height > 0 && s.width > 0 ? s.width / s.height : 16 / 9);

/** Whether a view shows anything. */
export const isShown = (v: ViewSize): boolean => v.width > 0 && v.height > 0;

/**
 * Lines a video of aspect `aspect` needs to fill `view` pixel for pixel:
 * a camera tile is covered (object-fit: cover, cropped), a screen is contained (letterboxed).
 */
export function neededHeight(view: ViewSize, aspect: number, fit: 'cover' | 'contain'): number {
  const byWidth = view.width / aspect;
  return fit === 'cover' ? Math.max(byWidth, view.height) : Math.min(byWidth, view.height);
}

/** The smallest rung at or above `height` (the top rung past it). */
export function rungAtLeast(height: number): number {
  return HEIGHT_RUNGS.find((r) => r >= height - 0.5) ?? HEIGHT_RUNGS[HEIGHT_RUNGS.length - 1]!;
}

/** The rung below `height`'s rung (the bottom rung stays). */
export function rungBelow(height: number): number {
  const lower = HEIGHT_RUNGS.filter((r) => r < height - 0.5);
  return lower.at(-1) ?? HEIGHT_RUNGS[0];
}

/** Bits per second `height` lines need at `fps` (interpolated between table rows; fewer frames need less, not proportionally). */
export function bitrateFor(height: number, fps: number): number {
  const rows = BITRATE_AT_30;
  let at30 = rows[rows.length - 1]![1];
  if (height <= rows[0]![0]) at30 = (rows[0]![1] * height) / rows[0]![0];
  else {
    for (let i = 1; i < rows.length; i++) {
      const [h1, b1] = rows[i]!;
      const [h0, b0] = rows[i - 1]!;
      if (height <= h1) {
        at30 = b0 + ((b1 - b0) * (height - h0)) / (h1 - h0);
        break;
      }
    }
  }
  return Math.round(at30 * (Math.min(fps, FULL_FRAMERATE) / FULL_FRAMERATE) ** 0.6);
}

/** The largest rung `bps` carries at `fps` (the bottom rung if none). */
export function heightFor(bps: number, fps: number): number {
  let best: number = HEIGHT_RUNGS[0];
  for (const r of HEIGHT_RUNGS) if (bitrateFor(r, fps) <= bps) best = r;
  return best;
}

/** How many steps the pressure ladder has (pressure.ts climbs it). */
export const PRESSURE_LEVELS = 3;

/**
 * One link's steps down when its encoder or its receiver cannot keep up:
 * first fewer frames (cheapest to see), then fewer lines, then both again.
 */
export function applyPressure(height: number, fps: number, level: number): { height: number; fps: number } {
  let h = height;
  let f = fps;
  if (level >= 1) f = Math.min(f, REDUCED_FRAMERATE);
  if (level >= 2) h = rungBelow(h);
  if (level >= 3) {
    h = rungBelow(h);
    f = Math.min(f, LOW_FRAMERATE);
  }
  return { height: h, fps: f };
}

/**
 * Max-min fair split of `total` over `demands`: each gets its demand or an
 * equal share of what is left, whichever is less; what one does not need goes
 * to the others. Whole bits per second; the sum never exceeds `total`.
 */
export function fairSplit(demands: readonly number[], total: number): number[] {
  const out = demands.map(() => 0);
  const order = demands.map((d, i) => [d, i] as const).sort((a, b) => a[0] - b[0]);
  let left = Math.max(0, total);
  let count = order.length;
  for (const [demand, i] of order) {
    const share = Math.floor(left / count);
    const got = Math.min(demand, share);
    out[i] = got;
    left -= got;
    count -= 1;
  }
  return out;
}

interface Stream {
  link: string;
  /** Not shown there since a moment ago: counted in the split, not sent. */
  held: boolean;
  kind: 'camera' | 'screen';
  /** Wanted height before the budget, capped by the source. */
  height: number;
  fps: number;
  demand: number;
  /** The least this stream is sent at, budget or not. */
  floor: number;
  source: Source;
}

/** The least a camera stream of `height` lines is sent at: a thumbnail needs far less than a face tile. */
export const cameraFloor = (height: number): number => (height <= THUMBNAIL_HEIGHT ? MIN_THUMBNAIL_VIDEO_BPS : MIN_LINK_VIDEO_BPS);

const INACTIVE: StreamPlan = {
  encoding: { active: false, maxBitrate: MIN_LINK_VIDEO_BPS, scaleResolutionDownBy: 1, maxFramerate: REDUCED_FRAMERATE },
  height: 0,
};

/** Every link's camera and screen encoding, and the capture height that serves them. */
export function plan(input: PlanInput): Plan {
  const { camera, screen } = input;
  // A receiver that has not said yet counts as watching, as before receivers said anything; one that
  // stopped a moment ago still does (UNWATCHED_HOLD_MS).
  const viewOf = (w: LinkWant, kind: 'camera' | 'screen'): { view: ViewSize | undefined; held: boolean } => {
    const [asked, held] = [w[kind], w.held?.[kind]];
    return asked !== undefined && !isShown(asked) && held ? { view: held, held: true } : { view: asked, held: false };
  };
  const watched = camera
    ? [...input.links.values()].filter((w) => {
        const { view } = viewOf(w, 'camera');
        return view === undefined || isShown(view);
      }).length
    : 0;
  // The capture follows the links (quality.ts), up to the setting: links are sized against that, then clamped to the capture now.
  const cameraCeiling = camera ? input.maxCameraHeight : 0;
  const streams: Stream[] = [];
  for (const [link, want] of input.links) {
    if (camera) {
      const { view, held } = viewOf(want, 'camera');
      if (view === undefined || isShown(view)) {
        let height = view === undefined ? cameraCeiling : rungAtLeast(neededHeight(view, aspectOf(camera), 'cover'));
        height = Math.min(height, cameraCeiling);
        if (watched >= CPU_HEIGHT_CAP.fromLinks) height = Math.min(height, CPU_HEIGHT_CAP.height);
        let fps = height <= SMALL_TILE_HEIGHT || watched >= CPU_FRAMERATE_CAP.fromLinks ? REDUCED_FRAMERATE : FULL_FRAMERATE;
        if (height <= THUMBNAIL_HEIGHT) fps = THUMBNAIL_FRAMERATE;
        ({ height, fps } = applyPressure(height, fps, want.level));
        height = Math.min(height, cameraCeiling);
        // Every stream's cap is at least the floor, so the split counts the floor: lifting a small stream to it afterwards would overrun the budget.
        const floor = cameraFloor(height);
        const demand = Math.max(floor, Math.min(MAX_LINK_VIDEO_BPS, bitrateFor(height, fps)));
        streams.push({ link, kind: 'camera', held, height, fps, demand, floor, source: camera });
      }
    }
    if (screen) {
      const { view, held } = viewOf(want, 'screen');
      if (view === undefined || isShown(view)) {
        let height = view === undefined ? screen.height : rungAtLeast(neededHeight(view, aspectOf(screen), 'contain'));
        height = Math.min(height, screen.height);
        let fps = SCREEN_FRAMERATE;
        ({ height, fps } = applyPressure(height, fps, want.level));
        height = Math.min(height, screen.height);
        const demand = Math.max(MIN_LINK_VIDEO_BPS, Math.min(MAX_SCREEN_VIDEO_BPS, Math.round(bitrateFor(height, fps) * SCREEN_DETAIL)));
        streams.push({ link, kind: 'screen', held, height, fps, demand, floor: MIN_LINK_VIDEO_BPS, source: screen });
      }
    }
  }
  const videoBudget = input.budgetBps - input.links.size * AUDIO_RESERVE_BPS;
  const allotted = fairSplit(
    streams.map((s) => s.demand),
    videoBudget,
  );

  const links = new Map<string, LinkPlan>();
  for (const link of input.links.keys()) links.set(link, { camera: INACTIVE, screen: screen ? INACTIVE : undefined });
  let captureHeight = 0;
  let cameraFrameRate = 0;
  streams.forEach((s, i) => {
    if (s.held) return; // its share stays unused, and its link sends nothing: INACTIVE
    const got = allotted[i]!; // one allotment per stream
    let { height, fps } = s;
    let bitrate = s.demand;
    if (got < s.demand) {
      bitrate = Math.max(s.floor, got);
      if (bitrate < FEW_FRAMES_BELOW_BPS) fps = Math.min(fps, REDUCED_FRAMERATE);
      const detail = s.kind === 'screen' ? SCREEN_DETAIL : 1;
      height = Math.min(height, heightFor(bitrate / detail, fps));
    }
    if (s.kind === 'camera') {
      captureHeight = Math.max(captureHeight, height);
      cameraFrameRate = Math.max(cameraFrameRate, fps);
    }
    // Never upscale: a 360p camera stays 360p on a fat link.
    const sent = Math.min(height, s.source.height);
    const streamPlan: StreamPlan = {
      encoding: {
        active: true,
        maxBitrate: Math.max(s.floor, bitrate),
        scaleResolutionDownBy: s.source.height > sent && sent > 0 ? s.source.height / sent : 1,
        maxFramerate: fps,
      },
      height: sent,
    };
    const entry = links.get(s.link)!; // every stream's link was entered above
    links.set(s.link, s.kind === 'camera' ? { ...entry, camera: streamPlan } : { ...entry, screen: streamPlan });
  });
  if (camera && input.selfView && isShown(input.selfView)) {
    captureHeight = Math.max(captureHeight, rungAtLeast(neededHeight(input.selfView, aspectOf(camera), 'cover')));
    // The self view shows what is sent, at the rate it is sent; with nothing sent, at the camera's.
    if (cameraFrameRate === 0) cameraFrameRate = FULL_FRAMERATE;
  }
  return { links, captureHeight: camera ? Math.min(cameraCeiling, captureHeight) : 0, cameraFrameRate: camera ? cameraFrameRate : 0 };
}
