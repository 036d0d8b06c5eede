import { describe, expect, it } from 'vitest';
import { decodeBetween, receivedVideo, resentBetween, sentVideo } from '../../../../extension/session/video-stats.ts';

describe('sentVideo', () => {
  it('reads why the camera encoder is held back, and ignores audio', () => {
    const report = [
      { type: 'outbound-rtp', kind: 'audio', bytesSent: 100 },
      { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'cpu', frameHeight: 180, framesEncoded: 42 },
    ];
    expect(sentVideo(report)).toEqual({
      limitation: 'cpu',
      frameHeight: 180,
      framesEncoded: 42,
      availableOutgoingBps: undefined,
      bytesSent: 0,
      retransmittedBytesSent: 0,
    });
  });

  it('reads the link’s bandwidth estimate from the candidate pair its transport uses', () => {
    const video = { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'bandwidth', framesEncoded: 1 };
    const old = { type: 'candidate-pair', id: 'CPold', nominated: true, state: 'succeeded', availableOutgoingBitrate: 90_000 };
    const used = { type: 'candidate-pair', id: 'CPnew', nominated: true, state: 'succeeded', availableOutgoingBitrate: 507_280 };
    // As Chromium's sender report lists them: the pairs before the outbound-rtp, the transport last.
    expect(sentVideo([old, used, video, { type: 'transport', selectedCandidatePairId: 'CPnew' }])?.availableOutgoingBps).toBe(507_280);
    // Without a transport that names one, the nominated pair that succeeded.
    expect(sentVideo([{ ...old, nominated: false }, used, video])?.availableOutgoingBps).toBe(507_280);
    expect(sentVideo([{ ...used, availableOutgoingBitrate: undefined }, video])?.availableOutgoingBps).toBeUndefined();
  });

  it('gives the share of what the camera sent between two reports that was sent again', () => {
    // Shaped as firefox-esr 153's outbound-rtp (no qualityLimitationReason, no estimate anywhere).
    const at = (bytesSent: number, retransmittedBytesSent: number) =>
      sentVideo([{ type: 'outbound-rtp', kind: 'video', frameHeight: 270, framesEncoded: 1, bytesSent, retransmittedBytesSent }]);
    const first = at(859_033, 621_650);
    const second = at(941_717, 687_372);
    if (!first || !second) throw new Error('no video read');
    // Measured through a TURN server passing ~120 kbps: 79 % of a second's bytes were repeats.
    expect(resentBetween(first, second)).toBeCloseTo(65_722 / 82_684, 6);
    expect(resentBetween(undefined, second)).toBeUndefined();
    // Too little sent to say anything (the link's video off, or a frozen report), or a new stream.
    expect(resentBetween(first, first)).toBeUndefined();
    expect(resentBetween(second, first)).toBeUndefined();
    const reset = at(5_000, 0);
    if (!reset) throw new Error('no video read');
    expect(resentBetween(second, reset)).toBeUndefined();
    const clean = at(941_717 + 20_000, 687_372);
    if (!clean) throw new Error('no video read');
    expect(resentBetween(second, clean)).toBe(0);
  });

  it('takes a reason it does not know, or none, as no limitation', () => {
    expect(sentVideo([{ type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'gremlins' }])?.limitation).toBe('none');
    expect(sentVideo([{ type: 'outbound-rtp', kind: 'video' }])?.limitation).toBe('none');
    expect(sentVideo([{ type: 'inbound-rtp', kind: 'video' }])).toBeUndefined();
  });
});

describe('receivedVideo and decodeBetween', () => {
  const at = (received: number, decoded: number, dropped: number, seconds: number) =>
    receivedVideo([
      {
        type: 'inbound-rtp',
        kind: 'video',
        framesReceived: received,
        framesDecoded: decoded,
        framesDropped: dropped,
        totalDecodeTime: seconds,
      },
    ])!;

  it('gives the share of frames dropped and the decode time per frame over an interval', () => {
    const f = decodeBetween(at(100, 95, 5, 0.5), at(200, 175, 25, 1.3));
    expect(f.received).toBe(100);
    expect(f.decoded).toBe(80);
    expect(f.droppedShare).toBeCloseTo(0.2);
    expect(f.decodeMsPerFrame).toBeCloseTo(10);
  });

  it('gives no decode time and no drops over an interval where nothing arrived', () => {
    const f = decodeBetween(at(100, 95, 5, 0.5), at(100, 95, 5, 0.5));
    expect(f.droppedShare).toBe(0);
    expect(f.decodeMsPerFrame).toBeUndefined();
  });

  it('never gives a negative figure or a share above one when counters reset (a new stream)', () => {
    const f = decodeBetween(at(1000, 990, 10, 9), at(5, 2, 3, 0.01));
    expect(f.received).toBe(0);
    expect(f.droppedShare).toBe(0);
    const g = decodeBetween(at(0, 0, 0, 0), at(2, 0, 50, 0));
    expect(g.droppedShare).toBe(1);
  });
});
