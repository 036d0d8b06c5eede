import { describe, expect, it } from 'vitest';
import { linkStats, sampleStats, type StatsSample, type VideoMids } from '../../../../extension/session/link-stats.ts';

// Records shaped like Chromium's RTCStatsReport values (only the fields read here, plus noise).
const outbound = (kind: 'audio' | 'video', bytesSent: number, size?: [number, number], mid = kind === 'audio' ? '0' : '1') => ({
  type: 'outbound-rtp',
  kind,
  bytesSent,
  mid,
  ...(size ? { frameWidth: size[0], frameHeight: size[1] } : {}),
  ssrc: 1234,
});
const inbound = (
  kind: 'audio' | 'video',
  bytesReceived: number,
  packetsReceived: number,
  packetsLost: number,
  size?: [number, number],
  mid = kind === 'audio' ? '0' : '1',
) => ({
  type: 'inbound-rtp',
  kind,
  bytesReceived,
  packetsReceived,
  packetsLost,
  mid,
  ...(size ? { frameWidth: size[0], frameHeight: size[1] } : {}),
});
const pair = (rttSeconds: number, nominated: boolean, state = 'succeeded') => ({
  type: 'candidate-pair',
  nominated,
  state,
  currentRoundTripTime: rttSeconds,
});

const sample = (patch: Partial<StatsSample>): StatsSample => ({
  at: 0,
  bytesSent: 0,
  bytesReceived: 0,
  packetsLost: 0,
  packetsReceived: 0,
  sendCamera: undefined,
  sendScreen: undefined,
  receiveCamera: undefined,
  receiveScreen: undefined,
  rttMs: undefined,
  ...patch,
});

/** A link's camera on mid 1 both ways, and no screen either way. */
const CAMERA: VideoMids = { sendCamera: '1', receiveCamera: '1' };
const size = (width: number, height: number) => ({ width, height });

describe('sampleStats with video switched off', () => {
  it('says "no video" where the camera is switched off, and ignores its stale frame size', () => {
    const off = { ...outbound('video', 50_000, [640, 360]), active: false };
    const s = sampleStats([outbound('audio', 1_000), off], 0, CAMERA);
    expect(s.sendCamera).toBe('off');
    expect(linkStats(undefined, s).sendResolution).toBe('no video');
  });

  it('says "no video" where camera and screen are both switched off (a hidden tab)', () => {
    const mids = { ...CAMERA, sendScreen: '3' };
    const camera = { ...outbound('video', 50_000, [640, 360]), active: false };
    const screen = { ...outbound('video', 9_000, [1280, 720], '3'), active: false };
    expect(linkStats(undefined, sampleStats([camera, screen], 0, mids)).sendResolution).toBe('no video');
    expect(linkStats(undefined, sampleStats([screen, camera], 0, mids)).sendResolution).toBe('no video');
  });

  it('gives the screen still on after the camera, where only the camera is switched off', () => {
    const mids = { ...CAMERA, sendScreen: '3' };
    const camera = { ...outbound('video', 50_000, [640, 360]), active: false };
    const screen = { ...outbound('video', 9_000, [1280, 720], '3'), active: true };
    expect(linkStats(undefined, sampleStats([screen, camera], 0, mids)).sendResolution).toBe('no video · screen 1280×720');
  });
});

/** A report's records in either order: the order Chromium lists streams in follows their ids, not their roles. */
const bothOrders = <T>(a: T[], b: T[]): T[][] => [
  [...a, ...b],
  [...b, ...a],
];

describe('sampleStats with a screen share', () => {
  const camera = [outbound('video', 50_000, [480, 270]), inbound('video', 40_000, 400, 0, [427, 240])];

  it('gives the camera first and the screen after it, each way, whatever the report order', () => {
    const mids = { ...CAMERA, sendScreen: '3', receiveScreen: '4' };
    const screens = [outbound('video', 9_000, [1280, 720], '3'), inbound('video', 8_000, 80, 0, [957, 540], '4')];
    for (const report of bothOrders(camera, screens)) {
      const s = linkStats(undefined, sampleStats(report, 0, mids));
      expect(s.sendResolution).toBe('480×270 · screen 1280×720');
      expect(s.receiveResolution).toBe('427×240 · screen 957×540');
    }
  });

  it('leaves out a stopped share: its stats and last frame size stay, on a mid no longer carrying video', () => {
    // As Chromium reported both ends after a share of 638×360 stopped (its transceiver inactive).
    const stopped = [outbound('video', 7_036, [638, 360], '3'), inbound('video', 7_036, 70, 0, [638, 360], '3')];
    for (const report of bothOrders(camera, stopped)) {
      const s = linkStats(undefined, sampleStats(report, 0, CAMERA));
      expect(s.sendResolution).toBe('480×270');
      expect(s.receiveResolution).toBe('427×240');
    }
    // Its bytes still count: they were sent and received, and no longer grow.
    expect(sampleStats([...camera, ...stopped], 0, CAMERA).bytesSent).toBe(57_036);
  });

  it('says "no video" for a camera switched off while a stopped share stays in the report', () => {
    const off = { ...outbound('video', 50_000, [480, 270]), active: false };
    const stopped = { ...outbound('video', 7_036, [638, 360], '3'), active: true };
    expect(linkStats(undefined, sampleStats([off, stopped], 0, CAMERA)).sendResolution).toBe('no video');
  });

  it('says "no video" for a camera that is off (null), its stale stats ignored, with or without a mid', () => {
    const stale = [outbound('video', 50_000, [480, 270]), inbound('video', 40_000, 400, 0, [427, 240])];
    const off = { sendCamera: null, receiveCamera: null };
    const s = linkStats(undefined, sampleStats(stale, 0, off));
    expect([s.sendResolution, s.receiveResolution]).toEqual(['no video', 'no video']);
    const { mid: _, ...noMid } = stale[0] ?? {};
    expect(linkStats(undefined, sampleStats([noMid], 0, off)).sendResolution).toBe('no video');
    // A screen still flows beside a camera that is off.
    const screen = outbound('video', 9_000, [1280, 720], '3');
    expect(linkStats(undefined, sampleStats([...stale, screen], 0, { ...off, sendScreen: '3' })).sendResolution).toBe(
      'no video · screen 1280×720',
    );
  });

  it('takes a stream without a mid (a browser that leaves it out) for the camera', () => {
    const { mid: _, ...noMid } = outbound('video', 50_000, [480, 270]);
    expect(linkStats(undefined, sampleStats([noMid], 0, {})).sendResolution).toBe('480×270');
  });
});

describe('linkStats on frames that stop', () => {
  const receiving = (at: number, frames: number, screenFrames?: number) =>
    sampleStats(
      [
        { ...inbound('video', 40_000, 400, 0, [427, 240]), framesDecoded: frames },
        ...(screenFrames === undefined ? [] : [{ ...inbound('video', 9_000, 90, 0, [957, 540], '4'), framesDecoded: screenFrames }]),
      ],
      at,
      { ...CAMERA, receiveScreen: '4' },
    );

  it('says "no video" for their camera once no frame was decoded over an interval, and the size again once frames come', () => {
    // Stopped: they switched it off for us (a covered tile, small tiles paused), or nothing gets through.
    expect(linkStats(receiving(0, 300), receiving(1_000, 300)).receiveResolution).toBe('no video');
    expect(linkStats(receiving(1_000, 300), receiving(2_000, 310)).receiveResolution).toBe('427×240');
  });

  it('drops a screen whose frames stopped, and keeps one that flows', () => {
    expect(linkStats(receiving(0, 300, 50), receiving(1_000, 330, 50)).receiveResolution).toBe('427×240');
    expect(linkStats(receiving(0, 300, 50), receiving(1_000, 330, 52)).receiveResolution).toBe('427×240 · screen 957×540');
  });

  it('judges nothing from a first sample, or from two samples at the same time', () => {
    expect(linkStats(undefined, receiving(0, 300)).receiveResolution).toBe('427×240');
    expect(linkStats(receiving(5, 300), receiving(5, 300)).receiveResolution).toBe('427×240');
  });

  it('judges nothing without a frame count (a browser that leaves it out)', () => {
    const noCount = (at: number) => sampleStats([inbound('video', 40_000, 400, 0, [427, 240])], at, CAMERA);
    expect(linkStats(noCount(0), noCount(1_000)).receiveResolution).toBe('427×240');
  });
});

describe('sampleStats', () => {
  const report = [
    { type: 'codec', mimeType: 'video/VP8' },
    outbound('audio', 1_000),
    outbound('video', 50_000, [640, 360]),
    inbound('audio', 2_000, 100, 1),
    inbound('video', 80_000, 400, 4, [426, 240]),
    pair(0.5, false),
    pair(0.012, true),
    { type: 'transport', bytesSent: 999_999 },
  ];

  it('adds up bytes sent and received over audio and video', () => {
    const s = sampleStats(report, 42, CAMERA);
    expect(s.at).toBe(42);
    expect(s.bytesSent).toBe(51_000);
    expect(s.bytesReceived).toBe(82_000);
  });

  it('adds up inbound packets received and lost', () => {
    const s = sampleStats(report, 0, CAMERA);
    expect(s.packetsReceived).toBe(500);
    expect(s.packetsLost).toBe(5);
  });

  it('takes the frame size of the video streams each way', () => {
    const s = sampleStats(report, 0, CAMERA);
    expect(s.sendCamera).toEqual(size(640, 360));
    expect(s.receiveCamera).toEqual(size(426, 240));
  });

  it('reads the round trip of the nominated, succeeded candidate pair only, in ms', () => {
    expect(sampleStats(report, 0, CAMERA).rttMs).toBeCloseTo(12, 9);
    expect(sampleStats([pair(0.3, true, 'in-progress'), pair(0.2, false)], 0, CAMERA).rttMs).toBeUndefined();
  });

  it('leaves sizes and round trip unknown before any video or connection', () => {
    const s = sampleStats([outbound('audio', 10), inbound('audio', 20, 1, 0)], 0, CAMERA);
    expect(s.sendCamera).toBeUndefined();
    expect(s.receiveCamera).toBeUndefined();
    expect(s.rttMs).toBeUndefined();
  });

  it('ignores a video stream with no frames yet (frameHeight 0 or absent)', () => {
    const s = sampleStats([outbound('video', 10, [0, 0]), inbound('video', 10, 1, 0)], 0, CAMERA);
    expect(s.sendCamera).toBeUndefined();
    expect(s.receiveCamera).toBeUndefined();
  });

  it('counts negative packetsLost (duplicates) as none', () => {
    expect(sampleStats([inbound('video', 0, 10, -3)], 0, CAMERA).packetsLost).toBe(0);
  });

  it('skips fields that are not finite numbers', () => {
    const s = sampleStats(
      [
        { type: 'outbound-rtp', kind: 'video', bytesSent: '100', frameHeight: NaN },
        { type: 'inbound-rtp', kind: 'audio', bytesReceived: Infinity, packetsReceived: null, packetsLost: undefined },
        { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 'fast' },
      ],
      0,
      CAMERA,
    );
    expect(s).toMatchObject({
      bytesSent: 0,
      bytesReceived: 0,
      packetsReceived: 0,
      packetsLost: 0,
      sendCamera: undefined,
      rttMs: undefined,
    });
  });

  it('gives an empty report zeros', () => {
    expect(sampleStats([], 7, CAMERA)).toEqual(sample({ at: 7 }));
  });
});

describe('linkStats', () => {
  it('has no rates or loss from a first sample alone, but already sizes and round trip', () => {
    const s = linkStats(
      undefined,
      sample({ at: 1000, bytesSent: 1e6, sendCamera: size(640, 360), receiveCamera: size(320, 180), rttMs: 8 }),
    );
    expect(s.sendBps).toBeUndefined();
    expect(s.receiveBps).toBeUndefined();
    expect(s.lossPercent).toBeUndefined();
    expect(s.sendResolution).toBe('640×360');
    expect(s.receiveResolution).toBe('320×180');
    expect(s.rttMs).toBe(8);
  });

  it('turns byte counts into bits per second over the interval between samples', () => {
    const prev = sample({ at: 1_000, bytesSent: 100_000, bytesReceived: 50_000 });
    const cur = sample({ at: 3_000, bytesSent: 350_000, bytesReceived: 175_000 });
    const s = linkStats(prev, cur);
    expect(s.sendBps).toBe(1_000_000); // 250 kB in 2 s
    expect(s.receiveBps).toBe(500_000);
  });

  it('reports a counter that went backwards (a renegotiated stream) as zero, not negative', () => {
    const s = linkStats(sample({ at: 0, bytesSent: 900 }), sample({ at: 1000, bytesSent: 100 }));
    expect(s.sendBps).toBe(0);
  });

  it('has no rate when two samples carry the same time', () => {
    expect(linkStats(sample({ at: 5 }), sample({ at: 5, bytesSent: 10 })).sendBps).toBeUndefined();
  });

  it('computes loss over the interval only, not since the start of the call', () => {
    // 100 lost of 1000 before; in the interval 5 lost and 95 received: 5 %.
    const prev = sample({ at: 0, packetsLost: 100, packetsReceived: 900 });
    const cur = sample({ at: 1000, packetsLost: 105, packetsReceived: 995 });
    expect(linkStats(prev, cur).lossPercent).toBeCloseTo(5, 9);
  });

  it('says 0 % loss when no packets moved in the interval', () => {
    const same = sample({ at: 0, packetsLost: 3, packetsReceived: 300 });
    expect(linkStats(same, { ...same, at: 1000 }).lossPercent).toBe(0);
  });

  it('shows no resolution while a direction has no video', () => {
    const s = linkStats(undefined, sample({}));
    expect(s.sendResolution).toBeUndefined();
    expect(s.receiveResolution).toBeUndefined();
  });
});
