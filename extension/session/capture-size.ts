// The camera's capture height follows the largest size any link (or the own
// tile) needs, so nobody encodes 720p for 180p tiles: a smaller capture is
// cheaper for the camera, the scaler and every encoder at once. Pure, with the
// clock passed in.
//
// Hysteresis, so it never thrashes: up at once (someone enlarged a tile, they
// should not wait), down only after the need has stayed lower for
// CAPTURE_DOWN_AFTER_MS (a tile shrinking while dragged, a person who
// switches tabs for a moment), and at most one change per CAPTURE_MIN_INTERVAL_MS
// (a real camera may reconfigure on each).

/** Down only once the need stayed lower this long. */
export const CAPTURE_DOWN_AFTER_MS = 5_000;
/** A real camera may pause for a frame or two on each change: at most one a second. */
export const CAPTURE_MIN_INTERVAL_MS = 1_000;
/** Never below this: the own tile and a link that comes back need no new capture for small tiles. */
export const CAPTURE_MIN_HEIGHT = 180;

export interface CaptureState {
  /** The height asked of the camera. */
  readonly height: number;
  readonly lowerSince: number | undefined;
  /** The largest need seen since it went lower: where it comes down to. */
  readonly peak: number;
  readonly changedAt: number;
}

export const initialCapture = (height: number, now: number): CaptureState => ({
  height,
  lowerSince: undefined,
  peak: 0,
  changedAt: now,
});

/** The next capture state for a need of `need` lines, capped by `max` (the person's camera setting). */
export function nextCapture(state: CaptureState, need: number, max: number, now: number): CaptureState {
  const want = Math.min(max, Math.max(CAPTURE_MIN_HEIGHT, need));
  const canChange = now - state.changedAt >= CAPTURE_MIN_INTERVAL_MS;
  if (want > state.height) {
    return canChange ? { height: want, lowerSince: undefined, peak: 0, changedAt: now } : state;
  }
  if (want === state.height) return state.lowerSince === undefined ? state : { ...state, lowerSince: undefined, peak: 0 };
  const lowerSince = state.lowerSince ?? now;
  const peak = Math.max(state.peak, want);
  if (now - lowerSince >= CAPTURE_DOWN_AFTER_MS && canChange) return { height: peak, lowerSince: undefined, peak: 0, changedAt: now };
  return { ...state, lowerSince, peak };
}
