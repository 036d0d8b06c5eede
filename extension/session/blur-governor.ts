// How hard background blur may work: a pure state machine, fed the time each
// composited frame took and told the time (the clock is an argument, so unit
// tests run it in simulated time).
//
// Blur costs the same page that runs the call. When the page falls behind it
// steps down a level (segment less often, on a smaller picture, send fewer
// frames); when it has room again it steps back up. A blurred picture below
// half the camera's frame rate looks broken, so where even the lowest level
// cannot hold that, the governor gives up and the blur turns itself off.
//
// Nor does it composite many more frames than anyone gets: where every link
// sends the camera at 15 fps (a call of four, small tiles), no level goes above
// a little over 15, where the camera gives 30 (setFrameRateCap). A frame may
// still take only what it could at the camera's rate: the cap saves work, it
// is not spent on a finer mask (bench:media measured that spending: a blur at
// a thumbnail's 10 fps took +23 % of a core against +9 % uncapped).

export interface BlurLevel {
  /** Composited frames per second sent. */
  readonly frameRate: number;
  /** Segment every n-th frame; the frames between reuse the last mask. */
  readonly segmentEvery: number;
  /** Width of the picture the segmenter is given (its landscape model works at 256×144). */
  readonly segmentationWidth: number;
}

/** From the full job down to the least that still looks like video: never below half the camera's rate. */
export function blurLevels(cameraFrameRate: number): BlurLevel[] {
  const fps = Math.max(1, cameraFrameRate);
  return [
    { frameRate: fps, segmentEvery: 1, segmentationWidth: 256 },
    { frameRate: fps, segmentEvery: 2, segmentationWidth: 256 },
    { frameRate: (fps * 2) / 3, segmentEvery: 2, segmentationWidth: 192 },
    { frameRate: fps / 2, segmentEvery: 2, segmentationWidth: 160 },
    { frameRate: fps / 2, segmentEvery: 3, segmentationWidth: 128 },
  ];
}

/** Frames are judged over this window: long enough to smooth one slow frame, short enough to react within a few seconds. */
export const BLUR_WINDOW_MS = 2_000;
/** Loading the model and the first frames are slow everywhere; nothing is judged this long after a start or a resume. */
export const BLUR_WARMUP_MS = 3_000;
/** After a change of level, its effect is measured for a full window before the next. */
export const BLUR_HOLD_MS = BLUR_WINDOW_MS;
/** Behind: fewer than this share of the level's frames came out. */
export const BEHIND_FPS_SHARE = 0.85;
/** Behind: the work of a frame took more than this share of its interval (the call needs the rest). */
export const BUSY_SHARE = 0.7;
/** Room to step up: a frame's work used less than this share of the interval of the level above. */
export const ROOM_SHARE = 0.35;
/** Step up only after this long with room to spare: going up and down again is worse than staying. */
export const BLUR_UPGRADE_AFTER_MS = 10_000;
/** At the lowest level, below its rate (half the camera's, or less under a cap) this long, the blur gives up. */
export const BLUR_GIVE_UP_AFTER_MS = 4_000;

/**
 * Frames composited per frame a link may send. A picture that comes exactly at the encoder's
 * maxFramerate loses frames to its rate limiter whenever a timer fires early: bench:media
 * measured 7.8 of a thumbnail's 10 fps at the receiver with the blur at 9.8 fps.
 */
export const CAP_HEADROOM = 1.25;

/**
 * The camera's ladder with no level above the cap (and its headroom): the cap clips the top, and
 * the levels below it keep their own rates, so a step down never takes a blur under what its links
 * send while a level at that rate could still do.
 */
const clipped = (levels: readonly BlurLevel[], cap: number | undefined): BlurLevel[] =>
  cap !== undefined && cap > 0
    ? levels.map((l) => ({ ...l, frameRate: Math.min(l.frameRate, Math.max(1, cap * CAP_HEADROOM)) }))
    : [...levels];

export type BlurVerdict = { readonly kind: 'keep' } | { readonly kind: 'level'; readonly level: BlurLevel } | { readonly kind: 'giveUp' };

interface Frame {
  readonly at: number;
  readonly workMs: number;
}

export class BlurGovernor {
  /** The ladder at the camera's rate: how much work a frame of each level may take. */
  readonly #workLevels: BlurLevel[];
  /** The same ladder clipped at the cap: how many frames each level composites. */
  #levels: BlurLevel[];
  #index = 0;
  #frames: Frame[] = [];
  /** Nothing is judged before this time (warm-up, or a level change settling). */
  #judgeFrom: number;
  /** Since when the frames had room to step up, if they have had it since. */
  #roomSince: number | undefined;
  /** Since when, at the lowest level, they have been under its rate. */
  #starvedSince: number | undefined;
  #paused = false;
  #gaveUp = false;

  constructor(opts: { cameraFrameRate: number; frameRateCap?: number | undefined; now: number }) {
    this.#workLevels = blurLevels(opts.cameraFrameRate);
    this.#levels = clipped(this.#workLevels, opts.frameRateCap);
    this.#judgeFrom = opts.now + BLUR_WARMUP_MS;
  }

  /**
   * The most frames a second anyone is sent (undefined: no cap, the camera's rate): no level
   * composites more (clipped). The level stays, since what a frame may take does not change, and
   * the new rate is measured for a full window before anything is judged of it.
   */
  setFrameRateCap(cap: number | undefined, now: number): void {
    const levels = clipped(this.#workLevels, cap);
    if (levels.every((l, i) => l.frameRate === this.#levels[i]?.frameRate)) return;
    this.#levels = levels;
    this.#frames = [];
    this.#roomSince = undefined;
    this.#starvedSince = undefined;
    this.#judgeFrom = Math.max(this.#judgeFrom, now + BLUR_HOLD_MS);
  }

  get level(): BlurLevel {
    return this.#levels[this.#index] as BlurLevel; // the index stays within the levels
  }

  get levelIndex(): number {
    return this.#index;
  }

  /** One composited frame: when it was sent and how long its work took. */
  frameDone(now: number, workMs: number): void {
    if (this.#paused || this.#gaveUp) return;
    this.#frames.push({ at: now, workMs });
  }

  /**
   * A hidden tab's timers are throttled by the browser, which says nothing
   * about this machine: while hidden nothing is measured, and after it the
   * warm-up starts again.
   */
  setPaused(paused: boolean, now: number): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    this.#frames = [];
    this.#roomSince = undefined;
    this.#starvedSince = undefined;
    if (!paused) this.#judgeFrom = now + BLUR_WARMUP_MS;
  }

  /** What to do now; call it about once a frame. */
  judge(now: number): BlurVerdict {
    if (this.#gaveUp) return { kind: 'giveUp' };
    this.#frames = this.#frames.filter((f) => f.at > now - BLUR_WINDOW_MS);
    if (this.#paused || now < this.#judgeFrom) return { kind: 'keep' };
    const level = this.level;
    const fps = (this.#frames.length * 1000) / BLUR_WINDOW_MS;
    const workMs =
      this.#frames.length === 0 ? Number.POSITIVE_INFINITY : this.#frames.reduce((s, f) => s + f.workMs, 0) / this.#frames.length;
    const behind = fps < BEHIND_FPS_SHARE * level.frameRate || workMs > BUSY_SHARE * this.#intervalMs(this.#index);

    if (this.#index === this.#levels.length - 1) {
      if (fps < this.#lowestRate() * BEHIND_FPS_SHARE) {
        this.#starvedSince ??= now;
        if (now - this.#starvedSince >= BLUR_GIVE_UP_AFTER_MS) {
          this.#gaveUp = true;
          return { kind: 'giveUp' };
        }
      } else {
        this.#starvedSince = undefined;
      }
      if (behind) return { kind: 'keep' };
    }
    if (behind && this.#index < this.#levels.length - 1) return this.#move(this.#index + 1, now);

    if (this.#index > 0 && !behind && workMs < ROOM_SHARE * this.#intervalMs(this.#index - 1)) {
      this.#roomSince ??= now;
      if (now - this.#roomSince >= BLUR_UPGRADE_AFTER_MS) return this.#move(this.#index - 1, now);
    } else {
      this.#roomSince = undefined;
    }
    return { kind: 'keep' };
  }

  /** The lowest level's rate: a blur that cannot hold it there gives up. */
  #lowestRate(): number {
    return this.#levels.at(-1)?.frameRate ?? 1;
  }

  /** A frame's interval at level `index` at the camera's rate: what its work is held to, capped or not. */
  #intervalMs(index: number): number {
    return 1000 / (this.#workLevels[index]?.frameRate ?? 1);
  }

  #move(index: number, now: number): BlurVerdict {
    this.#index = index;
    this.#frames = [];
    this.#roomSince = undefined;
    this.#starvedSince = undefined;
    this.#judgeFrom = now + BLUR_HOLD_MS;
    return { kind: 'level', level: this.level };
  }
}
