import { describe, expect, it } from 'vitest';
import { linkStats, sampleStats, type StatsSample } from '../../../../extension/session/link-stats.ts';

// Records shaped like Chromium's RTCStatsReport values (only the fields read here, plus noise).
const outbound = (kind: 'audio' | 'video', bytesSent: number, size?: [number, number]) => ({
  type: 'outbound-rtp',
  kind,
  bytesSent,
  ...(size ? { frameWidth: size[0], frameHeight: size[1] } : {}),
  ssrc: 1234,
});
const inbound = (
  kind: 'audio' | 'video',
  bytesReceived: number,
  packetsReceived: number,
  packetsLost: number,
  size?: [number, number],
) => ({
  type: 'inbound-rtp',
  kind,
  bytesReceived,
  packetsReceived,
  packetsLost,
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
  sendWidth: undefined,
  sendHeight: undefined,
  receiveWidth: undefined,
  receiveHeight: undefined,
  rttMs: undefined,
  ...patch,
});

describe('sampleStats with video switched off', () => {
  it('says "no video" where every outbound video is switched off, and ignores its stale frame size', () => {
    const off = { ...outbound('video', 50_000, [640, 360]), active: false };
    const s = sampleStats([outbound('audio', 1_000), off], 0);
    expect(s.sendHeight).toBeUndefined();
    expect(linkStats(undefined, s).sendResolution).toBe('no video');
  });

  it('gives the size of the stream still on where one of two is switched off', () => {
    const off = { ...outbound('video', 50_000, [1920, 1080]), active: false };
    const on = { ...outbound('video', 9_000, [320, 180]), active: true };
    expect(linkStats(undefined, sampleStats([off, on], 0)).sendResolution).toBe('320×180');
    expect(linkStats(undefined, sampleStats([on, off], 0)).sendResolution).toBe('320×180');
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
    const s = sampleStats(report, 42);
    expect(s.at).toBe(42);
    expect(s.bytesSent).toBe(51_000);
    expect(s.bytesReceived).toBe(82_000);
  });

  it('adds up inbound packets received and lost', () => {
    const s = sampleStats(report, 0);
    expect(s.packetsReceived).toBe(500);
    expect(s.packetsLost).toBe(5);
  });

  it('takes the frame size of the video streams each way', () => {
    const s = sampleStats(report, 0);
    expect([s.sendWidth, s.sendHeight]).toEqual([640, 360]);
    expect([s.receiveWidth, s.receiveHeight]).toEqual([426, 240]);
  });

  it('reads the round trip of the nominated, succeeded candidate pair only, in ms', () => {
    expect(sampleStats(report, 0).rttMs).toBeCloseTo(12, 9);
    expect(sampleStats([pair(0.3, true, 'in-progress'), pair(0.2, false)], 0).rttMs).toBeUndefined();
  });

  it('leaves sizes and round trip unknown before any video or connection', () => {
    const s = sampleStats([outbound('audio', 10), inbound('audio', 20, 1, 0)], 0);
    expect(s.sendWidth).toBeUndefined();
    expect(s.sendHeight).toBeUndefined();
    expect(s.receiveWidth).toBeUndefined();
    expect(s.receiveHeight).toBeUndefined();
    expect(s.rttMs).toBeUndefined();
  });

  it('ignores a video stream with no frames yet (frameHeight 0 or absent)', () => {
    const s = sampleStats([outbound('video', 10, [0, 0]), inbound('video', 10, 1, 0)], 0);
    expect(s.sendHeight).toBeUndefined();
    expect(s.receiveHeight).toBeUndefined();
  });

  it('counts negative packetsLost (duplicates) as none', () => {
    expect(sampleStats([inbound('video', 0, 10, -3)], 0).packetsLost).toBe(0);
  });

  it('skips fields that are not finite numbers', () => {
    const s = sampleStats(
      [
        { type: 'outbound-rtp', kind: 'video', bytesSent: '100', frameHeight: NaN },
        { type: 'inbound-rtp', kind: 'audio', bytesReceived: Infinity, packetsReceived: null, packetsLost: undefined },
        { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 'fast' },
      ],
      0,
    );
    expect(s).toMatchObject({
      bytesSent: 0,
      bytesReceived: 0,
      packetsReceived: 0,
      packetsLost: 0,
      sendHeight: undefined,
      rttMs: undefined,
    });
  });

  it('gives an empty report zeros', () => {
    expect(sampleStats([], 7)).toEqual(sample({ at: 7 }));
  });
});

describe('linkStats', () => {
  it('has no rates or loss from a first sample alone, but already sizes and round trip', () => {
    const s = linkStats(
      undefined,
      sample({ at: 1000, bytesSent: 1e6, sendWidth: 640, sendHeight: 360, receiveWidth: 320, receiveHeight: 180, rttMs: 8 }),
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
    const s = linkStats(undefined, sample({ sendWidth: 640, sendHeight: undefined }));
    expect(s.sendResolution).toBeUndefined();
    expect(s.receiveResolution).toBeUndefined();
  });
});
