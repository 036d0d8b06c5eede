// The receiving side of "quality follows the viewer": what this page shows of
// each sender (the largest visible tile of their camera and of their screen),
// and when to tell them. Pure: the UI reports tiles (extension/call/tile-views.ts),
// quality.ts owns the timers and the channels.
import { NOT_SHOWN, type ViewMessage, type ViewSize } from '../../protocol/data.ts';
import { DROP_BAD, DROP_CLEAR } from './pressure.ts';

/** One tile on the stage (or in the pop-out window), as the UI measured it. */
export interface TileReport {
  /** The participant shown, or `self` for the own tile. */
  participant: string;
  kind: 'camera' | 'screen';
  /** Device pixels (CSS px × devicePixelRatio). */
  width: number;
  height: number;
  /** false: its document is hidden (tab in the background, window minimised), or the tile is off-screen or covered. */
  visible: boolean;
  /** The tile in the spotlight (pinned, or a screen shown large): what the person chose to watch. */
  spotlit?: boolean;
}

/** What this page wants of one sender: a `view` message without its tag. */
export type Want = Omit<ViewMessage, 'type'>;

export const NO_WANT: Want = { camera: NOT_SHOWN, screen: NOT_SHOWN, dropped: 0 };

/** While the person has turned off video in small tiles: tiles shorter than this get none. */
export const PAUSE_BELOW_HEIGHT_PX = 360;

/**
 * Whether a tile is visible but its video turned off because it is small (the
 * audio-only fallback). The spotlight never is, however small the window: it
 * is what the person chose to watch, and "small videos" are the others.
 */
export const isPaused = (tile: TileReport, pauseBelow: number | undefined): boolean =>
  pauseBelow !== undefined && tile.visible && tile.spotlit !== true && tile.height < pauseBelow;

const larger = (a: ViewSize, b: ViewSize): ViewSize => (b.width * b.height > a.width * a.height ? b : a);

/**
 * Per participant, the largest visible tile of their camera and of their
 * screen: a sender has one encoding per link, so the largest tile decides.
 * Paused tiles (the audio-only fallback) count as not shown.
 */
export function viewsOf(tiles: Iterable<TileReport>, pauseBelow: number | undefined): Map<string, { camera: ViewSize; screen: ViewSize }> {
  const out = new Map<string, { camera: ViewSize; screen: ViewSize }>();
  for (const tile of tiles) {
    const entry = out.get(tile.participant) ?? { camera: NOT_SHOWN, screen: NOT_SHOWN };
    if (tile.visible && !isPaused(tile, pauseBelow) && tile.width > 0 && tile.height > 0) {
      const size = { width: Math.round(tile.width), height: Math.round(tile.height) };
      entry[tile.kind] = larger(entry[tile.kind], size);
    }
    out.set(tile.participant, entry);
  }
  return out;
}

/**
 * Dropped shares as sent: a sender only asks whether it is past DROP_BAD or
 * under DROP_CLEAR, so the receiver need not tell every wobble in between.
 */
export function quantizeDropped(share: number): number {
  if (!(share >= DROP_CLEAR)) return 0; // NaN too
  if (share < DROP_BAD) return DROP_CLEAR;
  if (share < 0.25) return DROP_BAD;
  return share < 0.5 ? 0.25 : 0.5;
}

const sameSize = (a: ViewSize, b: ViewSize) => a.width === b.width && a.height === b.height;
export const sameWant = (a: Want, b: Want): boolean =>
  sameSize(a.camera, b.camera) && sameSize(a.screen, b.screen) && a.dropped === b.dropped;
const shownChanged = (a: Want, b: Want): boolean =>
  a.camera.height > 0 !== b.camera.height > 0 || a.screen.height > 0 !== b.screen.height > 0;

/** Size changes wait for this quiet spell: a tile being dragged bigger sends one message, not sixty a second. */
export const VIEW_DEBOUNCE_MS = 250;
/** ...but never longer than this while the changes keep coming. */
export const VIEW_MAX_DELAY_MS = 1_000;

/**
 * A sender applies at most this many views from one receiver back to back...
 * (an honest receiver sends a few a second at most: hiding, showing, one size
 * change per VIEW_DEBOUNCE_MS),
 */
export const VIEW_BURST = 4;
/**
 * ...and then one per this long: a receiver flooding views (broken, or hostile)
 * costs its sender ten replans a second, not one per message.
 */
export const VIEW_REFILL_MS = 100;

/** A token bucket for one receiver's views. */
export interface ViewBucket {
  readonly tokens: number;
  readonly at: number;
}

export const fullViewBucket = (now: number): ViewBucket => ({ tokens: VIEW_BURST, at: now });

/** Takes a token for a view if there is one (wait 0); else how long until there is, and nothing taken. */
export function takeViewToken(bucket: ViewBucket, now: number): { bucket: ViewBucket; waitMs: number } {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(VIEW_BURST, bucket.tokens + elapsed / VIEW_REFILL_MS);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, waitMs: 0 };
  return { bucket: { tokens, at: now }, waitMs: Math.ceil((1 - tokens) * VIEW_REFILL_MS) };
}

interface Pending {
  want: Want;
  /** When it is sent, unless more changes push it (up to `latest`). */
  at: number;
  latest: number;
}

/**
 * What to send to whom and when. A tile appearing or disappearing (a tab
 * hidden or shown again) is sent at once: the sender should stop or start
 * without delay. Size changes are debounced. Only the latest want per peer
 * matters: each message is the whole view.
 */
export class ViewOutbox {
  readonly #sent = new Map<string, Want>();
  readonly #pending = new Map<string, Pending>();

  /** The want for `peer` is now `want`. */
  set(peer: string, want: Want, now: number): void {
    const last = this.#pending.get(peer)?.want ?? this.#sent.get(peer);
    if (last && sameWant(last, want)) return;
    const sent = this.#sent.get(peer);
    if (sent && sameWant(sent, want)) {
      this.#pending.delete(peer); // back to what they have: nothing to say
      return;
    }
    const urgent = !sent || shownChanged(sent, want);
    const old = this.#pending.get(peer);
    const latest = old?.latest ?? now + VIEW_MAX_DELAY_MS;
    this.#pending.set(peer, { want, at: urgent ? now : Math.min(latest, now + VIEW_DEBOUNCE_MS), latest });
  }

  /** Sends the current want to `peer` again at once (its channel reopened, the link came back). */
  resend(peer: string, now: number): void {
    const want = this.#pending.get(peer)?.want ?? this.#sent.get(peer);
    if (want) this.#pending.set(peer, { want, at: now, latest: now });
  }

  /** The wants due by `now`, each marked as sent. */
  due(now: number): [peer: string, want: Want][] {
    const out: [string, Want][] = [];
    for (const [peer, p] of this.#pending) {
      if (p.at > now) continue;
      out.push([peer, p.want]);
      this.#sent.set(peer, p.want);
      this.#pending.delete(peer);
    }
    return out;
  }

  /** When the next want falls due, if any is waiting. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const p of this.#pending.values()) next = next === undefined ? p.at : Math.min(next, p.at);
    return next;
  }

  /** The last want sent to `peer`, for the stats panel. */
  sentTo(peer: string): Want | undefined {
    return this.#sent.get(peer);
  }

  forget(peer: string): void {
    this.#sent.delete(peer);
    this.#pending.delete(peer);
  }
}
