// Per-link figures for the stats panel, from two successive getStats() reports.
// Pure: a report is just an iterable of stats records here, so tests need no browser.

export interface StatsSample {
  at: number;
  bytesSent: number;
  bytesReceived: number;
  packetsLost: number;
  packetsReceived: number;
  sendWidth: number | undefined;
  sendHeight: number | undefined;
  receiveWidth: number | undefined;
  receiveHeight: number | undefined;
  rttMs: number | undefined;
  /** Every outbound video stream is switched off (its receiver shows none of it: quality.ts). */
  sendVideoOff?: boolean;
}

export interface LinkStats {
  /** Bits per second over the last interval, all media. */
  sendBps: number | undefined;
  receiveBps: number | undefined;
  sendResolution: string | undefined;
  receiveResolution: string | undefined;
  rttMs: number | undefined;
  /** Share of inbound packets lost over the last interval, in percent. */
  lossPercent: number | undefined;
}

type StatsRecord = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function sampleStats(report: Iterable<StatsRecord>, at: number): StatsSample {
  const sample: StatsSample = {
    at,
    bytesSent: 0,
    bytesReceived: 0,
    packetsLost: 0,
    packetsReceived: 0,
    sendWidth: undefined,
    sendHeight: undefined,
    receiveWidth: undefined,
    receiveHeight: undefined,
    rttMs: undefined,
  };
  for (const s of report) {
    switch (s.type) {
      case 'outbound-rtp':
        sample.bytesSent += num(s.bytesSent) ?? 0;
        if (s.kind === 'video' && s.active === false) {
          // A switched-off stream keeps its last frame size: it is not what is sent now.
          sample.sendVideoOff ??= true;
        } else if (s.kind === 'video') {
          sample.sendVideoOff = false;
          if (num(s.frameHeight)) {
            sample.sendWidth = num(s.frameWidth);
            sample.sendHeight = num(s.frameHeight);
          }
        }
        break;
      case 'inbound-rtp':
        sample.bytesReceived += num(s.bytesReceived) ?? 0;
        sample.packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
        sample.packetsReceived += num(s.packetsReceived) ?? 0;
        if (s.kind === 'video' && num(s.frameHeight)) {
          sample.receiveWidth = num(s.frameWidth);
          sample.receiveHeight = num(s.frameHeight);
        }
        break;
      case 'candidate-pair': {
        const rtt = num(s.currentRoundTripTime);
        if (s.nominated === true && s.state === 'succeeded' && rtt !== undefined) sample.rttMs = rtt * 1000;
        break;
      }
      default:
        break;
    }
  }
  return sample;
}

const resolution = (w: number | undefined, h: number | undefined) => (w && h ? `${w}×${h}` : undefined);

export function linkStats(prev: StatsSample | undefined, cur: StatsSample): LinkStats {
  const seconds = prev ? (cur.at - prev.at) / 1000 : 0;
  const rate = (a: number, b: number) => (prev && seconds > 0 ? Math.max(0, ((b - a) * 8) / seconds) : undefined);
  let lossPercent: number | undefined;
  if (prev) {
    const lost = cur.packetsLost - prev.packetsLost;
    const received = cur.packetsReceived - prev.packetsReceived;
    lossPercent = lost + received > 0 ? (100 * Math.max(0, lost)) / (lost + received) : 0;
  }
  return {
    sendBps: rate(prev?.bytesSent ?? 0, cur.bytesSent),
    receiveBps: rate(prev?.bytesReceived ?? 0, cur.bytesReceived),
    sendResolution: cur.sendVideoOff ? 'no video' : resolution(cur.sendWidth, cur.sendHeight),
    receiveResolution: resolution(cur.receiveWidth, cur.receiveHeight),
    rttMs: cur.rttMs,
    lossPercent,
  };
}
