// Quality that follows the viewer, for one call: both sides of it.
//
// As a receiver: the UI reports every tile it shows (tile-views.ts measures
// them); from those this tells each sender, over the link's `chat` data
// channel, how large it shows their camera and screen (view-wants.ts decides
// what and when), and how many of their frames its decoder dropped.
//
// As a sender: each receiver's `view` sizes that link's encoding, the budget
// is split over what is wanted (bandwidth.ts), each link steps down when its
// encoder or its receiver cannot keep up (pressure.ts), and the camera's
// capture follows the largest size wanted (capture-size.ts); the blur, the
// most frames a second any link is sent.
//
// And when this machine cannot keep up however far its links stepped down
// (strain.ts), it offers to turn off incoming video in small tiles.
//
// The pure parts take the clock; this class owns the timers, the channels and
// the stats polling, and is what CallSession and the UI talk to.
import type { LinkState } from './peer-link.ts';
import { encodeViewMessage, parseViewMessage } from '../../protocol/data.ts';
import {
  PRESSURE_LEVELS,
  heldAt,
  heldViews,
  linkAskBps,
  plan,
  type HeldViews,
  type LinkPlan,
  type Source,
  type StreamPlan,
  type VideoEncoding,
} from './bandwidth.ts';
import { initialCapture, nextCapture, type CaptureState } from './capture-size.ts';
import type { Channel, ChannelEventMap } from './channel.ts';
import { cameraConstraints } from './local-media.ts';
import { initialPressure, nextPressure, pathSample, type PressureReason, type PressureState } from './pressure.ts';
import { NOT_STRAINED, nextStrain, type StrainState } from './strain.ts';
import { TypedEmitter } from './typed-emitter.ts';
import { decodeBetween, readSent, receivedVideo, type ReceivedVideo, type SentVideo } from './video-stats.ts';
import {
  PAUSE_BELOW_HEIGHT_PX,
  ViewOutbox,
  fullViewBucket,
  isPaused,
  quantizeDropped,
  sameWant,
  takeViewToken,
  viewsOf,
  type TileReport,
  type ViewBucket,
  type Want,
} from './view-wants.ts';

type StatsRecord = Record<string, unknown>;

/** Our camera going to one peer, and theirs coming to us, as getStats() gives them. */
export interface CameraStats {
  sent: Iterable<StatsRecord> | undefined;
  received: Iterable<StatsRecord> | undefined;
}

/** What this needs of a media link: PeerLink. */
export interface QualityLink {
  readonly state: LinkState;
  setVideoEncoding(encoding: VideoEncoding): Promise<void>;
  setScreenEncoding(encoding: VideoEncoding | undefined): Promise<void>;
  cameraStats(): Promise<CameraStats>;
  /** Our screen going to this peer (the screen sender's own report), or undefined while nothing is shared. */
  screenStats(): Promise<Iterable<StatsRecord> | undefined>;
}

/** What this needs of the local media: LocalMedia. */
export interface QualityMedia {
  readonly video: MediaStreamTrack | null;
  readonly screen: MediaStreamTrack | null;
}

export interface QualityOptions {
  budgetBps: number;
  /** The person's camera setting: the capture never goes above it. */
  maxCameraHeight: number;
  media: QualityMedia;
  now?: () => number;
  /** Stats are read and the plan reconsidered this often. */
  pollMs?: number;
  /** Sets the camera's capture height; the default asks the track with applyConstraints. */
  capture?: (track: MediaStreamTrack, height: number) => Promise<void>;
}

/** Once a second: the pressure ladder counts in seconds, and getStats on 7 links that often is cheap. */
export const QUALITY_POLL_MS = 1_000;
/** One link's getStats may take this long; past it that link is skipped for the round (a page under load answers within it). */
export const STATS_TIMEOUT_MS = 2 * QUALITY_POLL_MS;

/** `p`, or undefined once `ms` have passed without it settling. */
function withinMs<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Declined: not offered again for this long, however much the machine struggles. */
export const OFFER_AGAIN_AFTER_MS = 10 * 60_000;

/** One link as the stats panel shows it. */
export interface LinkQuality {
  /** What that receiver asked of us; undefined until it said. */
  asked: Want | undefined;
  /** What we send them. */
  camera: StreamPlan | undefined;
  screen: StreamPlan | undefined;
  /** Steps down from the encoder's or the receiver's signals, and why. */
  level: number;
  reason: PressureReason | undefined;
  /** What we asked of them. */
  showing: Want | undefined;
}

export interface QualitySnapshot {
  /** This machine cannot keep up and the person has not answered the offer yet. */
  readonly offer: boolean;
  /** While video in small tiles is off: tiles shorter than this (device px) get none. */
  readonly pausedBelow: number | undefined;
  /** The tiles (participant view ids) whose video is off for it. */
  readonly pausedTiles: readonly string[];
  /**
   * The peers whose link sends our camera stepped down because the path to
   * them is short (pressure reason `bandwidth`): they see us at lower quality.
   */
  readonly slowPaths: readonly string[];
}

export type QualityEvents = {
  changed: [QualitySnapshot];
  /** The most frames a second the camera is sent at now changed (0: it is sent nowhere, nor shown). */
  cameraFrameRate: [number];
};

interface Entry {
  readonly link: QualityLink;
  channel: Channel | undefined;
  detachChannel: () => void;
  asked: Want | undefined;
  pressure: PressureState;
  lastReceived: ReceivedVideo | undefined;
  lastSent: SentVideo | undefined;
  lastScreenSent: SentVideo | undefined;
  /** Share of their camera's frames we dropped lately, as we tell them. */
  dropped: number;
  plan: LinkPlan | undefined;
  /** Their views apply at once up to a burst, then at a bounded rate (takeViewToken). */
  views: ViewBucket;
  /** A replan waiting for a token: it applies whatever they said last. */
  viewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Streams they stopped showing a moment ago, which keep their place in the split (UNWATCHED_HOLD_MS). */
  held: HeldViews;
  /** The replan at the end of the earliest hold. */
  holdTimer: ReturnType<typeof setTimeout> | undefined;
}

const sourceOf = (track: MediaStreamTrack, fallbackHeight: number): Source => {
  const { width, height } = track.getSettings();
  return height && width ? { width, height } : { width: Math.round((fallbackHeight * 16) / 9), height: fallbackHeight };
};

export class ViewQuality extends TypedEmitter<QualityEvents> {
  readonly #opts: QualityOptions;
  readonly #now: () => number;
  readonly #links = new Map<string, Entry>();
  readonly #tiles = new Map<object, { tile: string; report: TileReport }>();
  readonly #outbox = new ViewOutbox();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  #capture: CaptureState | undefined;
  #captureTrack: MediaStreamTrack | undefined;
  /** Lines the camera gave at most when asked for more; the ceiling until the track changes. */
  #cameraLimit: number | undefined;
  #strain: StrainState = NOT_STRAINED;
  #declinedAt: number | undefined;
  #cameraFrameRate = 0;
  #snapshot: QualitySnapshot = { offer: false, pausedBelow: undefined, pausedTiles: [], slowPaths: [] };
  #closed = false;

  constructor(opts: QualityOptions) {
    super();
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
  }

  get snapshot(): QualitySnapshot {
    return this.#snapshot;
  }

  /**
   * Starts governing the link to `peer`: until its receiver says, it gets full
   * size. A link that replaces another to the same peer keeps what they said.
   */
  addLink(peer: string, link: QualityLink): void {
    if (this.#closed) return;
    const old = this.#links.get(peer);
    old?.detachChannel();
    clearTimeout(old?.viewTimer);
    clearTimeout(old?.holdTimer);
    this.#links.set(peer, {
      link,
      channel: undefined,
      detachChannel: () => undefined,
      asked: old?.asked,
      pressure: initialPressure(this.#now()),
      lastReceived: undefined,
      lastSent: undefined,
      lastScreenSent: undefined,
      dropped: 0,
      plan: undefined,
      views: old?.views ?? fullViewBucket(this.#now()),
      viewTimer: undefined,
      held: {},
      holdTimer: undefined,
    });
    this.#pollTimer ??= setInterval(() => void this.#poll(), this.#opts.pollMs ?? QUALITY_POLL_MS);
    this.#refreshWants();
    this.replan();
  }

  /** The link is (back) up: whatever it missed meanwhile, the receiver gets our view again. */
  linkConnected(peer: string): void {
    if (!this.#links.has(peer)) return;
    this.#outbox.resend(peer, this.#now());
    this.#flush();
  }

  removeLink(peer: string): void {
    const entry = this.#links.get(peer);
    if (!entry) return;
    entry.detachChannel();
    clearTimeout(entry.viewTimer);
    clearTimeout(entry.holdTimer);
    this.#links.delete(peer);
    this.#outbox.forget(peer);
    if (this.#links.size === 0) {
      clearInterval(this.#pollTimer);
      this.#pollTimer = undefined;
    }
    this.#noteSlowPaths();
    this.replan();
  }

  /** Says which links are stepped down for a short path, when that changed. */
  #noteSlowPaths(): void {
    const slowPaths = [...this.#links].filter(([, e]) => e.pressure.level > 0 && e.pressure.reason === 'bandwidth').map(([peer]) => peer);
    const old = this.#snapshot.slowPaths;
    if (slowPaths.length !== old.length || slowPaths.some((peer, i) => peer !== old[i])) this.#update({ slowPaths });
  }

  /** The `chat` channel to `peer` (opened by either side; may still be connecting): views go both ways on it. */
  addChannel(peer: string, channel: Channel): void {
    const entry = this.#links.get(peer);
    if (!entry || entry.channel === channel) return;
    entry.detachChannel();
    const onMessage = (ev: ChannelEventMap['message']) => {
      if (typeof ev.data === 'string') this.#heard(peer, ev.data);
    };
    const onOpen = () => this.linkConnected(peer);
    channel.addEventListener('message', onMessage);
    channel.addEventListener('open', onOpen);
    entry.channel = channel;
    entry.detachChannel = () => {
      channel.removeEventListener('message', onMessage);
      channel.removeEventListener('open', onOpen);
    };
    if (channel.readyState === 'open') this.linkConnected(peer);
  }

  /** Stops views going either way with `peer` (the link is blocked); its link keeps what it was last told. */
  dropChannel(peer: string): void {
    const entry = this.#links.get(peer);
    if (!entry) return;
    entry.detachChannel();
    entry.detachChannel = () => undefined;
    entry.channel = undefined;
  }

  /** A tile is shown (or changed); `token` stands for that tile element until removeTile. */
  reportTile(token: object, tile: string, report: TileReport): void {
    if (this.#closed) return;
    this.#tiles.set(token, { tile, report });
    this.#refreshWants();
  }

  /**
   * Whether some tile of `participant`'s camera can be seen now (in this tab or
   * the pop-out window; paused video counts, since its tile still shows who
   * speaks). The session reads sound levels only for those: the meter and the
   * speaking ring are drawn on that tile.
   */
  showsCamera(participant: string): boolean {
    for (const { report } of this.#tiles.values())
      if (report.participant === participant && report.kind === 'camera' && report.visible) return true;
    return false;
  }

  removeTile(token: object): void {
    if (this.#tiles.delete(token)) this.#refreshWants();
  }

  /** The person took the offer: video off in tiles smaller than PAUSE_BELOW_HEIGHT_PX. */
  pauseSmallVideo(): void {
    this.#update({ offer: false, pausedBelow: PAUSE_BELOW_HEIGHT_PX });
  }

  /** The person said no to the offer: not again for OFFER_AGAIN_AFTER_MS. */
  declineOffer(): void {
    this.#declinedAt = this.#now();
    this.#update({ offer: false });
  }

  /**
   * Video in small tiles back on, at the person's word: like a no to the offer,
   * it is not made again for OFFER_AGAIN_AFTER_MS (the machine is still as slow
   * as it was, and they chose video).
   */
  resumeSmallVideo(): void {
    this.#declinedAt = this.#now();
    this.#update({ pausedBelow: undefined });
  }

  /** The link to `peer` as the stats panel shows it. */
  describe(peer: string): LinkQuality | undefined {
    const e = this.#links.get(peer);
    if (!e) return undefined;
    return {
      asked: e.asked,
      camera: e.plan?.camera,
      screen: e.plan?.screen,
      level: e.pressure.level,
      reason: e.pressure.reason,
      showing: this.#outbox.sentTo(peer),
    };
  }

  /** Sizes every link again from what its receiver wants, the budget and the media now. */
  replan(): void {
    if (this.#closed) return;
    const { media, budgetBps } = this.#opts;
    const maxCamera = Math.min(this.#opts.maxCameraHeight, this.#cameraLimit ?? Infinity);
    const camera = media.video ? sourceOf(media.video, maxCamera) : undefined;
    const screen = media.screen ? sourceOf(media.screen, 1080) : undefined;
    const now = this.#now();
    const self = viewsOf(
      [...this.#tiles.values()].map((t) => t.report).filter((r) => r.participant === 'self'),
      undefined,
    ).get('self');
    const result = plan({
      budgetBps,
      camera,
      screen,
      maxCameraHeight: maxCamera,
      selfView: self?.camera,
      links: new Map(
        [...this.#links].map(([peer, e]) => [
          peer,
          { camera: e.asked?.camera, screen: e.asked?.screen, level: e.pressure.level, held: heldAt(e.held, now) },
        ]),
      ),
    });
    for (const [peer, e] of this.#links) {
      const p = result.links.get(peer);
      if (!p) continue;
      e.plan = p;
      void e.link.setVideoEncoding(p.camera.encoding);
      void e.link.setScreenEncoding(p.screen?.encoding);
    }
    this.#followCapture(result.captureHeight, maxCamera);
    if (result.cameraFrameRate !== this.#cameraFrameRate) {
      this.#cameraFrameRate = result.cameraFrameRate;
      this.emit('cameraFrameRate', result.cameraFrameRate);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#flushTimer);
    for (const e of this.#links.values()) {
      e.detachChannel();
      clearTimeout(e.viewTimer);
      clearTimeout(e.holdTimer);
    }
    this.#links.clear();
    this.#tiles.clear();
    this.removeAllListeners();
  }

  #heard(peer: string, raw: string): void {
    const view = parseViewMessage(raw);
    const entry = this.#links.get(peer);
    if (!view || !entry) return;
    const asked: Want = { camera: view.camera, screen: view.screen, dropped: view.dropped };
    if (entry.asked && sameWant(entry.asked, asked)) return;
    entry.held = heldViews(entry.held, entry.asked, asked, this.#now());
    this.#armHold(peer, entry);
    entry.asked = asked;
    // A replan already waits for a token: it will apply this latest view.
    if (entry.viewTimer !== undefined) return;
    const { bucket, waitMs } = takeViewToken(entry.views, this.#now());
    entry.views = bucket;
    if (waitMs === 0) {
      this.replan();
      return;
    }
    entry.viewTimer = setTimeout(() => {
      entry.viewTimer = undefined;
      if (this.#links.get(peer) !== entry) return;
      entry.views = takeViewToken(entry.views, this.#now()).bucket;
      this.replan();
    }, waitMs);
  }

  // When the earliest hold still running ends, the split moves what that stream held to the others
  // (a hold that ended counts for nothing: heldAt, heldViews).
  #armHold(peer: string, entry: Entry): void {
    clearTimeout(entry.holdTimer);
    entry.holdTimer = undefined;
    const now = this.#now();
    const ends = [entry.held.camera?.until, entry.held.screen?.until].filter((t): t is number => t !== undefined && t > now);
    if (ends.length === 0) return;
    entry.holdTimer = setTimeout(
      () => {
        entry.holdTimer = undefined;
        if (this.#links.get(peer) !== entry) return;
        this.#armHold(peer, entry);
        this.replan();
      },
      Math.min(...ends) - now,
    );
  }

  // The capture follows the largest height wanted, with hysteresis (capture-size.ts).
  #followCapture(need: number, max: number): void {
    const track = this.#opts.media.video;
    if (!track || track.readyState === 'ended') {
      this.#captureTrack = undefined;
      return;
    }
    const now = this.#now();
    if (track !== this.#captureTrack || !this.#capture) {
      // A camera (re)opened at the setting's size; whatever it could not do before, it may now.
      this.#captureTrack = track;
      this.#cameraLimit = undefined;
      this.#capture = initialCapture(track.getSettings().height ?? max, now);
    }
    const next = nextCapture(this.#capture, need, max, now);
    const changed = next.height !== this.#capture.height;
    this.#capture = next;
    if (changed) void this.#applyCapture(track, next.height);
  }

  async #applyCapture(track: MediaStreamTrack, height: number): Promise<void> {
    try {
      await (this.#opts.capture ?? ((t, h) => t.applyConstraints(cameraConstraints(h))))(track, height);
    } catch (err) {
      console.warn(`zing: could not capture the camera at ${height} lines`, err);
      return;
    }
    const got = track.getSettings().height;
    // A camera that cannot give what was asked caps every plan at what it gives, until it is reopened.
    if (got !== undefined && got < height) this.#cameraLimit = got;
    this.replan();
  }

  // What to tell each sender: recomputed whenever a tile or a dropped share changes.
  #refreshWants(): void {
    if (this.#closed) return;
    const pausedBelow = this.#snapshot.pausedBelow;
    const reports = [...this.#tiles.values()];
    const views = viewsOf(
      reports.map((t) => t.report),
      pausedBelow,
    );
    const now = this.#now();
    for (const [peer, e] of this.#links) {
      const view = views.get(peer);
      // No tile of theirs reported at all (yet, or between two layouts): say nothing rather than "not shown".
      if (!view) continue;
      this.#outbox.set(peer, { camera: view.camera, screen: view.screen, dropped: e.dropped }, now);
    }
    this.#flush();
    const pausedTiles = reports.filter((t) => isPaused(t.report, pausedBelow)).map((t) => t.tile);
    const old = this.#snapshot.pausedTiles;
    if (pausedTiles.length !== old.length || pausedTiles.some((t, i) => t !== old[i])) this.#update({ pausedTiles });
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#closed) return;
    const now = this.#now();
    for (const [peer, want] of this.#outbox.due(now)) {
      const channel = this.#links.get(peer)?.channel;
      // A channel that is not open yet gets it when it opens (addChannel's `open` resends).
      if (channel?.readyState !== 'open') continue;
      try {
        channel.send(encodeViewMessage({ type: 'view', ...want }));
      } catch (err) {
        console.warn(`zing: could not tell ${peer} how we show them`, err);
      }
    }
    const next = this.#outbox.nextDue();
    if (next !== undefined) this.#flushTimer = setTimeout(() => this.#flush(), Math.max(0, next - now));
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    try {
      await this.#readStats();
    } catch (err) {
      console.warn('zing: could not read the links’ video stats', err);
    } finally {
      this.#polling = false;
    }
    // Whatever the stats did, every link is sized again: a setParameters lost to a concurrent one is retried here.
    this.replan();
  }

  /**
   * A link that carries our screen and not our camera (the camera off, or its
   * tile replaced by the screen's spotlight at their end) steps down on one
   * signal only: the share of the screen's bytes resent where the report has no
   * estimate (Firefox, whose congestion control does not hold a short path:
   * pressure.ts, resentLimitation). Where there is one (Chromium), its own
   * congestion control sizes the screen, and a mostly still screen sends too
   * little for its estimate to say whether the path has room.
   */
  async #watchScreenAlone(e: Entry, now: number): Promise<void> {
    const report = await withinMs(e.link.screenStats(), STATS_TIMEOUT_MS).catch(() => undefined);
    const { sent, resent } = readSent(report, e.lastScreenSent);
    e.lastScreenSent = sent;
    if (!sent || sent.availableOutgoingBps !== undefined) return;
    e.pressure = nextPressure(e.pressure, pathSample('none', undefined, 0, resent, 0), now);
  }

  async #readStats(): Promise<void> {
    let watched = 0;
    let stuck = 0;
    let received = 0;
    let dropped = 0;
    let decoded = 0;
    let decodeMs = 0;
    let droppedChanged = false;
    await Promise.all(
      [...this.#links.values()].map(async (e) => {
        if (e.link.state !== 'connected') return;
        // A link closing meanwhile has none, and a getStats that never settles must not stop the governor.
        const stats = await withinMs(e.link.cameraStats(), STATS_TIMEOUT_MS).catch(() => undefined);
        const now = this.#now();
        const { sent, resent } = readSent(stats?.sent, e.lastSent);
        e.lastSent = sent;
        if (sent && e.plan?.camera.encoding.active) {
          const sample = pathSample(sent.limitation, sent.availableOutgoingBps, linkAskBps(e.plan), resent, e.asked?.dropped ?? 0);
          e.pressure = nextPressure(e.pressure, sample, now);
          watched += 1;
          if (sent.limitation === 'cpu' && e.pressure.level >= PRESSURE_LEVELS) stuck += 1;
        } else if (e.plan?.screen?.encoding.active && sent?.availableOutgoingBps === undefined) {
          // (The camera's report names the link's estimate where there is one: no screen read then.)
          await this.#watchScreenAlone(e, now);
        }
        const got = stats?.received ? receivedVideo(stats.received) : undefined;
        if (got) {
          const figures = decodeBetween(e.lastReceived, got);
          e.lastReceived = got;
          received += figures.received;
          dropped += figures.droppedShare * figures.received;
          decoded += figures.decoded;
          decodeMs += (figures.decodeMsPerFrame ?? 0) * figures.decoded;
          const share = figures.received > 0 ? quantizeDropped(figures.droppedShare) : 0;
          if (share !== e.dropped) {
            e.dropped = share;
            droppedChanged = true;
          }
        }
      }),
    );
    if (this.#closed) return;
    const now = this.#now();
    this.#strain = nextStrain(
      this.#strain,
      {
        encoderStuck: watched > 0 ? stuck / watched : 0,
        dropped: received > 0 ? dropped / received : 0,
        decodeMsPerFrame: decoded > 0 ? decodeMs / decoded : undefined,
      },
      now,
    );
    const s = this.#snapshot;
    const mayOffer = this.#declinedAt === undefined || now - this.#declinedAt >= OFFER_AGAIN_AFTER_MS;
    const offer = this.#strain.strained && s.pausedBelow === undefined && (s.offer || mayOffer);
    if (offer !== s.offer) this.#update({ offer });
    this.#noteSlowPaths();
    if (droppedChanged) this.#refreshWants();
  }

  #update(patch: Partial<QualitySnapshot>): void {
    const before = this.#snapshot.pausedBelow;
    this.#snapshot = { ...this.#snapshot, ...patch };
    this.emit('changed', this.#snapshot);
    // Pausing or resuming changes what every sender is told, and which tiles say so.
    if (this.#snapshot.pausedBelow !== before) this.#refreshWants();
  }
}
