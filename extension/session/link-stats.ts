// Per-link figures for the stats panel, from two successive getStats() reports.
// Pure: a report is just an iterable of stats records here, so tests need no browser.

/** A video stream's last frame size, or `off`: switched off (its receiver shows none of it: quality.ts). */
export type StreamSize = { width: number; height: number } | 'off' | undefined;

export interface StatsSample {
  at: number;
  bytesSent: number;
  bytesReceived: number;
  packetsLost: number;
  packetsReceived: number;
  sendCamera: StreamSize;
  sendScreen: StreamSize;
  receiveCamera: StreamSize;
  receiveScreen: StreamSize;
  /** Frames decoded so far of their camera and their screen: a count that stops means none arrive. */
  cameraFramesDecoded?: number;
  screenFramesDecoded?: number;
  rttMs: number | undefined;
}

/**
 * Which transceivers (by mid) carry video on a link now, each way. A screen
 * share that stopped keeps its RTP stats, last frame size included, on a
 * transceiver that went inactive: sizes come only from the streams named here.
 * A camera that is off is `null`: its stream, stale size and all, says `no video`.
 */
export interface VideoMids {
  sendCamera?: string | null;
  sendScreen?: string;
  receiveCamera?: string | null;
  receiveScreen?: string;
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

export function sampleStats(report: Iterable<StatsRecord>, at: number, mids: VideoMids): StatsSample {
  const sample: StatsSample = {
    at,
    bytesSent: 0,
    bytesReceived: 0,
    packetsLost: 0,
    packetsReceived: 0,
    sendCamera: mids.sendCamera === null ? 'off' : undefined,
    sendScreen: undefined,
    receiveCamera: mids.receiveCamera === null ? 'off' : undefined,
    receiveScreen: undefined,
    rttMs: undefined,
  };
  // A stream without a mid (a browser that leaves it out) is taken for the camera, unless that is off.
  const which = (s: StatsRecord, camera: string | null | undefined, screen: string | undefined) => {
    if (typeof s.mid !== 'string') return camera === null ? undefined : 'camera';
    return s.mid === camera ? 'camera' : s.mid === screen ? 'screen' : undefined;
  };
  for (const s of report) {
    switch (s.type) {
      case 'outbound-rtp': {
        sample.bytesSent += num(s.bytesSent) ?? 0;
        const stream = s.kind === 'video' ? which(s, mids.sendCamera, mids.sendScreen) : undefined;
        // A switched-off stream keeps its last frame size: it is not what is sent now.
        if (stream === 'camera') sample.sendCamera = s.active === false ? 'off' : (frameSize(s) ?? sample.sendCamera);
        if (stream === 'screen') sample.sendScreen = s.active === false ? 'off' : (frameSize(s) ?? sample.sendScreen);
        break;
      }
      case 'inbound-rtp': {
        sample.bytesReceived += num(s.bytesReceived) ?? 0;
        sample.packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
        sample.packetsReceived += num(s.packetsReceived) ?? 0;
        const stream = s.kind === 'video' ? which(s, mids.receiveCamera, mids.receiveScreen) : undefined;
        if (stream === 'camera') {
          sample.receiveCamera = frameSize(s) ?? sample.receiveCamera;
          sample.cameraFramesDecoded = num(s.framesDecoded);
        }
        if (stream === 'screen') {
          sample.receiveScreen = frameSize(s) ?? sample.receiveScreen;
          sample.screenFramesDecoded = num(s.framesDecoded);
        }
        break;
      }
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

/** The stream's last frame size; undefined before its first frame. */
function frameSize(s: StatsRecord): { width: number; height: number } | undefined {
  const width = num(s.frameWidth);
  const height = num(s.frameHeight);
  return width && height ? { width, height } : undefined;
}

/**
 * `640×360`, `no video`, or undefined (no frame yet) for the camera; a live
 * screen follows as `· screen 1280×720`, as the panel's "They show us" says it.
 */
function sizes(camera: StreamSize, screen: StreamSize): string | undefined {
  const text = (size: StreamSize) => (size === 'off' ? 'no video' : size ? `${size.width}×${size.height}` : undefined);
  const shown = text(camera);
  if (!screen || screen === 'off') return shown;
  return `${shown ?? '—'} · screen ${text(screen)}`;
}

export function linkStats(prev: StatsSample | undefined, cur: StatsSample): LinkStats {
  const seconds = prev ? (cur.at - prev.at) / 1000 : 0;
  const rate = (a: number, b: number) => (prev && seconds > 0 ? Math.max(0, ((b - a) * 8) / seconds) : undefined);
  // No frame decoded between the two samples (not known from a first sample, or a browser without the count).
  const stalled = (before: number | undefined, now: number | undefined) =>
    seconds > 0 && before !== undefined && now !== undefined && now <= before;
  let lossPercent: number | undefined;
  if (prev) {
    const lost = cur.packetsLost - prev.packetsLost;
    const received = cur.packetsReceived - prev.packetsReceived;
    lossPercent = lost + received > 0 ? (100 * Math.max(0, lost)) / (lost + received) : 0;
  }
  return {
    sendBps: rate(prev?.bytesSent ?? 0, cur.bytesSent),
    receiveBps: rate(prev?.bytesReceived ?? 0, cur.bytesReceived),
    sendResolution: sizes(cur.sendCamera, cur.sendScreen),
    // A stream whose frames stopped keeps its last size: the sender switched it off because we show none
    // of it (a covered tile, small tiles paused), or nothing gets through. Either way no video is coming.
    receiveResolution: sizes(
      stalled(prev?.cameraFramesDecoded, cur.cameraFramesDecoded) ? 'off' : cur.receiveCamera,
      stalled(prev?.screenFramesDecoded, cur.screenFramesDecoded) ? 'off' : cur.receiveScreen,
    ),
    rttMs: cur.rttMs,
    lossPercent,
  };
}
