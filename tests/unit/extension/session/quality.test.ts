// ViewQuality end to end in Node: two pages' governors joined by an in-memory
// chat channel, links that record what they were told, and a camera track
// that records the capture sizes it was asked for.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VideoEncoding } from '../../../../extension/session/bandwidth.ts';
import type { Channel, ChannelEventMap } from '../../../../extension/session/channel.ts';
import { CAPTURE_DOWN_AFTER_MS } from '../../../../extension/session/capture-size.ts';
import { BANDWIDTH_GRACE_MS } from '../../../../extension/session/pressure.ts';
import type { LinkState } from '../../../../extension/session/peer-link.ts';
import {
  QUALITY_POLL_MS,
  ViewQuality,
  type CameraStats,
  type QualityLink,
  type QualitySnapshot,
} from '../../../../extension/session/quality.ts';
import { STRAIN_AFTER_MS } from '../../../../extension/session/strain.ts';
import { AUDIO_RESERVE_BPS, UNWATCHED_HOLD_MS } from '../../../../extension/session/bandwidth.ts';
import { PAUSE_BELOW_HEIGHT_PX, VIEW_BURST, VIEW_REFILL_MS, type TileReport } from '../../../../extension/session/view-wants.ts';

type Listener = (ev: never) => void;

/** One end of an in-memory, ordered channel; `peer` is the other end. */
class FakeChannel implements Channel {
  readonly label = 'chat';
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'arraybuffer';
  peer: FakeChannel | undefined;
  readonly sent: string[] = [];
  readonly #listeners = new Map<string, Set<Listener>>();

  send(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') throw new Error('views are text');
    this.sent.push(data);
    this.peer?.fire('message', { data } as ChannelEventMap['message']); // all a listener reads of the event
  }

  close(): void {
    this.readyState = 'closed';
  }

  open(): void {
    this.readyState = 'open';
    this.fire('open', {} as Event); // no listener reads the event
  }

  addEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(listener as Listener); // stored by type, called with that type's event
    this.#listeners.set(type, set);
  }

  removeEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void {
    this.#listeners.get(type)?.delete(listener as Listener);
  }

  fire<K extends keyof ChannelEventMap>(type: K, ev: ChannelEventMap[K]): void {
    for (const l of this.#listeners.get(type) ?? []) (l as (e: ChannelEventMap[K]) => void)(ev); // stored under this type
  }
}

function channelPair(): [FakeChannel, FakeChannel] {
  const a = new FakeChannel();
  const b = new FakeChannel();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class FakeQualityLink implements QualityLink {
  state: LinkState = 'connected';
  readonly camera: VideoEncoding[] = [];
  stats: CameraStats = { sent: undefined, received: undefined };

  async setVideoEncoding(encoding: VideoEncoding): Promise<void> {
    this.camera.push(encoding);
  }

  readonly screens: (VideoEncoding | undefined)[] = [];
  async setScreenEncoding(encoding: VideoEncoding | undefined): Promise<void> {
    this.screens.push(encoding);
  }

  async cameraStats(): Promise<CameraStats> {
    return this.stats;
  }

  screen: Iterable<Record<string, unknown>> | undefined;
  async screenStats(): Promise<Iterable<Record<string, unknown>> | undefined> {
    return this.screen;
  }

  get last(): VideoEncoding {
    const e = this.camera.at(-1);
    if (!e) throw new Error('no encoding set yet');
    return e;
  }
}

/** A camera track as far as the governor reads it. */
function fakeCamera(height = 720) {
  let h = height;
  const asked: number[] = [];
  const track = {
    readyState: 'live',
    getSettings: () => ({ width: Math.round((h * 16) / 9), height: h }),
  } as unknown as MediaStreamTrack; // the governor reads only these two members
  return {
    track,
    asked,
    capture: async (_t: MediaStreamTrack, height: number) => {
      asked.push(height);
      h = height;
    },
  };
}

const cameraTile = (participant: string, width: number, height: number, visible = true): TileReport => ({
  participant,
  kind: 'camera',
  width,
  height,
  visible,
});

/** What a receiver's link reports after `frames` video frames arrived, `decoded` and `dropped` of them as shares. */
const receivedVideo = (frames: number, decoded: number, dropped: number, decodeSecondsEach = 0) => ({
  sent: undefined,
  received: [
    {
      type: 'inbound-rtp',
      kind: 'video',
      framesReceived: frames,
      framesDecoded: frames * decoded,
      framesDropped: frames * dropped,
      totalDecodeTime: frames * decodeSecondsEach,
    },
  ],
});

describe('ViewQuality', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Ada sends her camera to Bo and Cy; Bo's page tells her how he shows it. */
  function call(budgetBps = 2_500_000) {
    const camera = fakeCamera();
    const ada = new ViewQuality({
      budgetBps,
      maxCameraHeight: 720,
      media: { video: camera.track, screen: null },
      now: Date.now,
      capture: camera.capture,
    });
    const bo = new ViewQuality({ budgetBps: 2_500_000, maxCameraHeight: 720, media: { video: null, screen: null }, now: Date.now });
    const toBo = new FakeQualityLink();
    const toCy = new FakeQualityLink();
    const toAda = new FakeQualityLink();
    ada.addLink('bo', toBo);
    ada.addLink('cy', toCy);
    bo.addLink('ada', toAda);
    const [adaEnd, boEnd] = channelPair();
    ada.addChannel('bo', adaEnd);
    bo.addChannel('ada', boEnd);
    adaEnd.open();
    boEnd.open();
    return { ada, bo, toBo, toCy, toAda, camera, adaEnd, boEnd };
  }

  it('sizes a link from its receiver’s tile: a 160×90 tile gets at most 180 lines while the other link stays larger', () => {
    const { bo, toBo, toCy } = call();
    const tile = {};
    bo.reportTile(tile, 'ada', cameraTile('ada', 160, 90));
    expect(720 / toBo.last.scaleResolutionDownBy).toBeLessThanOrEqual(180);
    expect(toBo.last.active).toBe(true);
    // Cy has said nothing: she gets the full camera, as before.
    expect(toCy.last.scaleResolutionDownBy).toBe(1);
  });

  it('stops the video to a receiver whose tab is hidden at once, and starts it again when it shows', () => {
    const { bo, toBo, boEnd } = call();
    const tile = {};
    bo.reportTile(tile, 'ada', cameraTile('ada', 640, 360));
    vi.advanceTimersByTime(5_000);
    const before = boEnd.sent.length;
    bo.reportTile(tile, 'ada', cameraTile('ada', 640, 360, false));
    // No timer ran: hiding is not debounced.
    expect(boEnd.sent.length).toBe(before + 1);
    expect(toBo.last.active).toBe(false);
    bo.reportTile(tile, 'ada', cameraTile('ada', 640, 360, true));
    expect(toBo.last.active).toBe(true);
  });

  it('keeps every other link as it was while a viewer toggles its tile, and gives them the share once it stays hidden', async () => {
    // An uplink that two 720-line tiles share: one going unwatched leaves the other more.
    const { ada, bo, toBo, toCy } = call(1_000_000);
    const [adaCy, cyEnd] = channelPair();
    ada.addChannel('cy', adaCy);
    adaCy.open();
    cyEnd.readyState = 'open';
    cyEnd.send(JSON.stringify({ type: 'view', camera: { width: 1280, height: 720 }, screen: { width: 0, height: 0 }, dropped: 0 }));
    const tile = {};
    bo.reportTile(tile, 'ada', cameraTile('ada', 1280, 720));
    await vi.advanceTimersByTimeAsync(5_000);
    const watched = toCy.last;
    const before = toCy.camera.length;
    // Bo hides and shows his tab five times a second for two seconds: each hide stops his video at once.
    for (let i = 0; i < 10; i++) {
      bo.reportTile(tile, 'ada', cameraTile('ada', 1280, 720, false));
      expect(toBo.last.active).toBe(false);
      await vi.advanceTimersByTimeAsync(100);
      bo.reportTile(tile, 'ada', cameraTile('ada', 1280, 720, true));
      await vi.advanceTimersByTimeAsync(100);
      expect(toBo.last.active).toBe(true);
    }
    // Cy's link was sized again (the governor sizes every link on each replan) but never differently.
    expect(toCy.camera.length).toBeGreaterThan(before);
    expect(toCy.camera.slice(before).every((e) => JSON.stringify(e) === JSON.stringify(watched))).toBe(true);
    // Hidden for good: once the hold runs out, Cy gets what Bo no longer uses.
    bo.reportTile(tile, 'ada', cameraTile('ada', 1280, 720, false));
    await vi.advanceTimersByTimeAsync(UNWATCHED_HOLD_MS - 100);
    expect(toCy.last).toEqual(watched);
    await vi.advanceTimersByTimeAsync(200);
    expect(toCy.last.maxBitrate).toBeGreaterThan(watched.maxBitrate);
    expect(toBo.last.active).toBe(false);
  });

  it('debounces a tile being resized into one message', () => {
    const { bo, boEnd, toBo } = call();
    const tile = {};
    bo.reportTile(tile, 'ada', cameraTile('ada', 1280, 720));
    const before = boEnd.sent.length;
    for (let w = 1280; w >= 320; w -= 16) {
      bo.reportTile(tile, 'ada', cameraTile('ada', w, Math.round((w * 9) / 16)));
      vi.advanceTimersByTime(16);
    }
    vi.advanceTimersByTime(1_000);
    expect(boEnd.sent.length - before).toBeLessThanOrEqual(2);
    expect(720 / toBo.last.scaleResolutionDownBy).toBe(180);
  });

  it('says nothing of a sender it has no tile for, rather than "not shown"', () => {
    const { boEnd, toBo } = call();
    vi.advanceTimersByTime(5_000);
    expect(boEnd.sent).toEqual([]);
    expect(toBo.last.active).toBe(true);
  });

  it('tells the sender again when the channel reopens (a reconnect)', () => {
    const { ada, bo, adaEnd, boEnd, toBo } = call();
    bo.reportTile({}, 'ada', cameraTile('ada', 160, 90));
    const sent = boEnd.sent.length;
    // The link came back on a new channel; Ada's side forgot nothing, but say it again anyway.
    const [a2, b2] = channelPair();
    ada.addChannel('bo', a2);
    bo.addChannel('ada', b2);
    a2.open();
    b2.open();
    expect(b2.sent).toHaveLength(1);
    expect(boEnd.sent.length).toBe(sent);
    expect(720 / toBo.last.scaleResolutionDownBy).toBeLessThanOrEqual(180);
    expect(adaEnd.readyState).toBe('open');
  });

  it('ignores what is not a view on the channel, a hostile one included', () => {
    const { toBo, boEnd } = call();
    const before = toBo.camera.length;
    boEnd.send('{"type":"view","camera":{"width":1e9,"height":1},"screen":{"width":0,"height":0},"dropped":0}');
    boEnd.send('{"type":"chat","id":"x","text":"hi","sentAt":1}');
    boEnd.send('not json');
    expect(toBo.camera.length).toBe(before);
  });

  it('survives a peer flooding absurd views: a bounded number of replans, within the budget, and the last honest view wins', async () => {
    const { ada, toBo, toCy, camera } = call();
    const [adaCy, cyEnd] = channelPair();
    ada.addChannel('cy', adaCy);
    adaCy.open();
    cyEnd.readyState = 'open';
    const view = (width: number, height: number, dropped = 0) =>
      JSON.stringify({ type: 'view', camera: { width, height }, screen: { width, height }, dropped });
    const replansBefore = toBo.camera.length;
    // One second of a flood from Cy: the largest sizes the parser takes, tiny ones, lies and garbage, 20 per ms.
    for (let ms = 0; ms < 1_000; ms++) {
      for (let i = 0; i < 20; i++) {
        const n = ms * 20 + i;
        cyEnd.send(
          n % 4 === 0
            ? view(16_384, 16_384)
            : n % 4 === 1
              ? view(1, 1, 1)
              : n % 4 === 2
                ? '{"type":"view","camera":{"width":1e308,"height":-1},"screen":null,"dropped":7}'
                : `{"type":"view"${' '.repeat(2_000)}}`,
        );
      }
      await vi.advanceTimersByTimeAsync(1);
    }
    // Every replan sizes every link, Bo's too: that count is the replans the flood caused (and the 1 s poll's).
    const replans = toBo.camera.length - replansBefore;
    expect(replans).toBeLessThanOrEqual(VIEW_BURST + 1_000 / VIEW_REFILL_MS + 2);
    const within = () => {
      const video = [toBo.last, toCy.last].filter((e) => e.active).reduce((sum, e) => sum + e.maxBitrate, 0);
      expect(video + 2 * AUDIO_RESERVE_BPS).toBeLessThanOrEqual(2_500_000);
    };
    within();
    // The capture never went above the person's setting.
    expect(camera.asked.every((h) => h <= 720)).toBe(true);
    // Cy, now honest, shows a small tile: after the flood's backlog that is what she gets.
    cyEnd.send(view(320, 180));
    await vi.advanceTimersByTimeAsync(2 * VIEW_REFILL_MS);
    expect(720 / toCy.last.scaleResolutionDownBy).toBeLessThanOrEqual(180);
    within();
  });

  it('keeps stepping one link down for its busy encoder while another link’s stats never answer, and retries a lost setParameters', async () => {
    const { toBo, toCy } = call();
    // Bo's link is closing and its getStats never settles; Cy's encoder is CPU-bound.
    toBo.cameraStats = () => new Promise<CameraStats>(() => undefined);
    toCy.stats = { sent: [{ type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'cpu', framesEncoded: 1 }], received: undefined };
    expect(toCy.last.maxFramerate).toBe(30);
    await vi.advanceTimersByTimeAsync(10 * QUALITY_POLL_MS);
    expect(toCy.last.maxFramerate).toBeLessThanOrEqual(15);
    // Every poll sizes every link again, Bo's included: an encoding a concurrent setParameters undid is put back.
    const before = toBo.camera.length;
    await vi.advanceTimersByTimeAsync(3 * QUALITY_POLL_MS);
    expect(toBo.camera.length).toBeGreaterThanOrEqual(before + 1);
  });

  /** Our camera's stats on a link whose encoder says `bandwidth`, with the link's estimate at `availableOutgoingBitrate`. */
  const capped = (availableOutgoingBitrate: number) => ({
    sent: [
      { type: 'candidate-pair', id: 'CP1', nominated: true, state: 'succeeded', availableOutgoingBitrate },
      { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'bandwidth', framesEncoded: 1 },
      { type: 'transport', selectedCandidatePairId: 'CP1' },
    ],
    received: undefined,
  });

  it('steps a link down for `bandwidth` only where its estimate has no room for what the link asks', async () => {
    const { toCy } = call();
    const before = { ...toCy.last };
    // The encoder says `bandwidth` for its own cap (WebRTC does for any low target), with the path far roomier.
    toCy.stats = capped(10 * before.maxBitrate);
    await vi.advanceTimersByTimeAsync(20 * QUALITY_POLL_MS);
    expect(toCy.last).toEqual(before);
    // The path itself is short: the link steps down.
    toCy.stats = capped(before.maxBitrate / 2);
    await vi.advanceTimersByTimeAsync(10 * QUALITY_POLL_MS);
    expect(toCy.last.maxFramerate * toCy.last.maxBitrate).toBeLessThan(before.maxFramerate * before.maxBitrate);
  });

  it('says whom a short path gives our video at lower quality, and no longer once that link is back up', async () => {
    const { ada, toCy } = call();
    const told: QualitySnapshot[] = [];
    ada.on('changed', (snapshot) => told.push(snapshot));
    const plan = toCy.last.maxBitrate;
    toCy.stats = capped(plan / 2);
    await vi.advanceTimersByTimeAsync(10 * QUALITY_POLL_MS);
    expect(ada.snapshot.slowPaths).toEqual(['cy']);
    // Said once, not on every poll.
    expect(told.filter((s) => s.slowPaths.length > 0)).toHaveLength(1);
    // The path has room again: once the ladder is back at the top, nobody sees us worse for it.
    toCy.stats = capped(10 * plan);
    await vi.advanceTimersByTimeAsync(60 * QUALITY_POLL_MS);
    expect(toCy.last.maxBitrate).toBe(plan);
    expect(ada.snapshot.slowPaths).toEqual([]);
  });

  /** A screen sender's report with `resent` of `bytes` retransmitted so far; `estimate` as Chromium has one, Firefox none. */
  const screenSent = (bytes: number, resent: number, estimate?: number) => [
    ...(estimate === undefined
      ? []
      : [{ type: 'candidate-pair', id: 'CP1', nominated: true, state: 'succeeded', availableOutgoingBitrate: estimate }]),
    { type: 'outbound-rtp', kind: 'video', framesEncoded: 1, bytesSent: bytes, retransmittedBytesSent: resent },
  ];

  /** Ada shares her screen with Bo and sends no camera (hers is off). */
  function screenCall() {
    const screen = { readyState: 'live', getSettings: () => ({ width: 1920, height: 1080 }) } as unknown as MediaStreamTrack; // all it reads
    const ada = new ViewQuality({ budgetBps: 2_500_000, maxCameraHeight: 720, media: { video: null, screen }, now: Date.now });
    const toBo = new FakeQualityLink();
    ada.addLink('bo', toBo);
    ada.replan();
    return { ada, toBo };
  }

  /** Feeds `toBo` a screen report each poll for `polls` polls, `share` of each interval's 20 KB resent. */
  async function resend(toBo: FakeQualityLink, share: number, polls: number, estimate?: number) {
    for (let i = 0; i < polls; i++) {
      const n = (toBo.screens.length + i) * 20_000;
      toBo.screen = screenSent(n, n * share, estimate);
      await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    }
  }

  it('steps a screen sent alone down where it is mostly resent and the report has no estimate (Firefox), and says so', async () => {
    const { ada, toBo } = screenCall();
    const before = toBo.screens.at(-1);
    expect(before?.active).toBe(true);
    // A screen's first step keeps its 15 fps; the second takes a rung of lines.
    await resend(toBo, 0.6, 20);
    const after = toBo.screens.at(-1);
    expect((after?.maxBitrate ?? 0) * (after?.maxFramerate ?? 0)).toBeLessThan((before?.maxBitrate ?? 0) * (before?.maxFramerate ?? 0));
    expect(ada.snapshot.slowPaths).toEqual(['bo']);
    // Clear again: the screen climbs back to its plan, and nobody is told of a slow path any more.
    await resend(toBo, 0, 60);
    expect(toBo.screens.at(-1)).toEqual(before);
    expect(ada.snapshot.slowPaths).toEqual([]);
  });

  it('takes a screen sent alone down to the bottom at once where half or more is resent (Firefox far over its path)', async () => {
    // Firefox over a ~120 kbps path resent 70-80 %: one step at a time took ~16 s to fit it.
    const steps = async (share: number) => {
      const { toBo } = screenCall();
      const before = toBo.screens.at(-1);
      await resend(toBo, 0, BANDWIDTH_GRACE_MS / QUALITY_POLL_MS); // a new link's estimate ramps up meanwhile
      await resend(toBo, share, 4); // past DOWN_AFTER_MS, within SETTLE_MS of the first step
      return { before, after: toBo.screens.at(-1) };
    };
    const severe = await steps(0.75);
    const bad = await steps(0.3);
    // 30 % resent: the first step, which keeps a screen's lines; 75 %: the bottom, fewer lines and frames.
    expect(bad.after?.scaleResolutionDownBy).toBe(bad.before?.scaleResolutionDownBy);
    expect(severe.after?.scaleResolutionDownBy ?? 0).toBeGreaterThan(severe.before?.scaleResolutionDownBy ?? 0);
    expect(severe.after?.maxBitrate ?? 0).toBeLessThan(bad.after?.maxBitrate ?? 0);
  });

  it('leaves a screen sent alone to the browser where the report has an estimate (Chromium), however much is resent', async () => {
    const { ada, toBo } = screenCall();
    const before = toBo.screens.at(-1);
    await resend(toBo, 0.6, 20, 50_000);
    expect(toBo.screens.at(-1)).toEqual(before);
    expect(ada.snapshot.slowPaths).toEqual([]);
  });

  it('brings the capture down to the largest size wanted, after the need has stayed lower a while', async () => {
    const { ada, bo, camera } = call();
    bo.reportTile({}, 'ada', cameraTile('ada', 320, 180));
    // Cy says so too (in the product, through her own channel).
    const [a3, c3] = channelPair();
    ada.addChannel('cy', a3);
    a3.open();
    c3.readyState = 'open';
    c3.send(JSON.stringify({ type: 'view', camera: { width: 480, height: 270 }, screen: { width: 0, height: 0 }, dropped: 0 }));
    expect(camera.asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(CAPTURE_DOWN_AFTER_MS - QUALITY_POLL_MS);
    expect(camera.asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(3 * QUALITY_POLL_MS);
    expect(camera.asked).toEqual([270]);
  });

  it('says when the most frames a second the camera is sent at changes, and only then', () => {
    const { ada, bo } = call();
    const rates: number[] = [];
    ada.on('cameraFrameRate', (fps) => rates.push(fps));
    // Bo shows Ada in a thumbnail; Cy has said nothing, so she still gets the full rate.
    bo.reportTile({}, 'ada', cameraTile('ada', 160, 90));
    ada.replan();
    expect(rates).toEqual([]); // 30 fps from the first plan on, unchanged: nothing said
    ada.removeLink('cy');
    expect(rates).toEqual([10]); // only Bo's thumbnail is left
    ada.removeLink('bo');
    expect(rates).toEqual([10, 0]); // sent to nobody, and no self view reported
  });

  it('offers to turn off small video when this machine drops frames, and pausing tells the senders', async () => {
    const { bo, toAda, boEnd } = call();
    const snapshots: QualitySnapshot[] = [];
    bo.on('changed', (s) => snapshots.push(s));
    bo.reportTile({}, 'ada', cameraTile('ada', 320, 180));
    // Ada's frames arrive at 30 fps and a third of them are dropped.
    let frames = 0;
    const tick = async () => {
      frames += 30;
      toAda.stats = receivedVideo(frames, 0.66, 1 / 3, 0.005);
      await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    };
    for (let t = 0; t <= STRAIN_AFTER_MS + 2 * QUALITY_POLL_MS; t += QUALITY_POLL_MS) await tick();
    expect(bo.snapshot.offer).toBe(true);
    // Ada heard that her frames are being dropped.
    expect(JSON.parse(boEnd.sent.at(-1)!).dropped).toBeGreaterThan(0);
    bo.pauseSmallVideo();
    expect(bo.snapshot).toMatchObject({ offer: false, pausedBelow: PAUSE_BELOW_HEIGHT_PX, pausedTiles: ['ada'] });
    expect(JSON.parse(boEnd.sent.at(-1)!).camera).toEqual({ width: 0, height: 0 });
    bo.resumeSmallVideo();
    expect(bo.snapshot.pausedTiles).toEqual([]);
    expect(JSON.parse(boEnd.sent.at(-1)!).camera).toEqual({ width: 320, height: 180 });
    expect(snapshots.some((s) => s.offer)).toBe(true);
  });

  /** Ada's frames to Bo arriving at 30 fps with half of them dropped, for `ms` of the test's clock. */
  const straining = (toAda: { stats: unknown }) => {
    let frames = 0;
    return async (ms: number) => {
      for (let t = 0; t < ms; t += QUALITY_POLL_MS) {
        frames += 30;
        toAda.stats = receivedVideo(frames, 1 / 2, 1 / 2);
        await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
      }
    };
  };

  it('does not offer again soon after the person said no', async () => {
    const { bo, toAda } = call();
    bo.reportTile({}, 'ada', cameraTile('ada', 320, 180));
    const strainFor = straining(toAda);
    await strainFor(STRAIN_AFTER_MS + 2_000);
    expect(bo.snapshot.offer).toBe(true);
    bo.declineOffer();
    await strainFor(60_000);
    expect(bo.snapshot.offer).toBe(false);
  });

  it('does not offer again soon after the person turned small video back on', async () => {
    const { bo, toAda } = call();
    bo.reportTile({}, 'ada', cameraTile('ada', 320, 180));
    const strainFor = straining(toAda);
    await strainFor(STRAIN_AFTER_MS + 2_000);
    bo.pauseSmallVideo();
    await strainFor(5_000);
    bo.resumeSmallVideo();
    await strainFor(60_000);
    expect(bo.snapshot).toMatchObject({ offer: false, pausedBelow: undefined });
  });
});
