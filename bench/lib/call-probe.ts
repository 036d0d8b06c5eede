// Decoded-frame timestamps from inside each call page, for bench/call.ts.
// Installed with context.addInitScript, so it runs in the call page before its
// own scripts; it only watches (requestVideoFrameCallback on every remote
// tile's <video>, and a list of the page's RTCPeerConnections for getStats)
// and changes no behaviour.
//
// Times are wall-clock milliseconds (performance.timeOrigin + now): each person
// is a separate Chromium on one machine, and their high-resolution clocks
// follow the same system clock, so times from different pages compare directly.

/** What one call page recorded, as `globalThis.__zingCallBench`. */
export interface FrameRecord {
  /** When this page's navigation started: the moment this person joined. */
  nav: number;
  /** Remote tile label → first presented frame with a real size. */
  first: Record<string, number>;
  /** Remote tile label → presentedFrames of its <video> so far. */
  presented: Record<string, number>;
  /** Remote tile label → the last frame's size, `W×H`. */
  size: Record<string, string>;
  /** When this page last became hidden (its own visibilitychange), if it has. */
  hiddenAt?: number;
}

/**
 * The init script. Self-contained: Playwright ships it to the page as source.
 * Only pages whose URL contains `pathHint` are watched.
 */
export function installFrameProbe(pathHint: string): void {
  if (!location.href.includes(pathHint)) return;
  const now = () => performance.timeOrigin + performance.now();
  const record: FrameRecord = { nav: performance.timeOrigin, first: {}, presented: {}, size: {} };
  (globalThis as unknown as Record<string, FrameRecord>).__zingCallBench = record;
  // The moment the person's tab went to the back, as the page saw it (bench/lib/hidden-tab.ts times from it).
  document.addEventListener('visibilitychange', (e) => {
    if (document.visibilityState === 'hidden') record.hiddenAt = performance.timeOrigin + e.timeStamp;
  });
  // Keep every peer connection the page makes, for measureUpload; a subclass changes nothing else.
  const pcs: RTCPeerConnection[] = [];
  (globalThis as unknown as Record<string, RTCPeerConnection[]>).__zingCallBenchPcs = pcs;
  const Native = RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
    }
  };
  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (label: string, video: HTMLVideoElement) => {
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      if (meta.width > 0 && meta.height > 0) {
        if (!(label in record.first)) record.first[label] = now();
        record.presented[label] = meta.presentedFrames;
        record.size[label] = `${meta.width}×${meta.height}`;
      }
      if (video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  // Tiles come and go with people; a cheap scan catches each new <video> within 50 ms,
  // and its first frame is timed by the callback itself, not by the scan.
  setInterval(() => {
    for (const group of document.querySelectorAll('[role="group"]')) {
      const label = group.getAttribute('aria-label') ?? '';
      if (label === '' || label.endsWith('(you)') || label.endsWith("'s screen")) continue;
      const video = group.querySelector('video');
      if (!video || watched.has(video)) continue;
      watched.add(video);
      watch(label, video);
    }
  }, 50);
}

export interface UploadMeasure {
  /** Outbound RTP payload, audio and video, all links (what the Stats panel totals), kbps. */
  payloadKbps: number;
  /** The audio part of it. */
  audioKbps: number;
  /** The same with RTP headers and padding. */
  withHeadersKbps: number;
  /** Each outbound camera stream at the end: why the encoder held back, its frame rate and height, and its payload rate over the window. */
  video: { limitation: string; fps: number; height: number; encoder: string; kbps: number }[];
}

/**
 * Runs in the page: outbound bytes of every open peer connection over `windowMs`,
 * timed with each report's own `timestamp` (when the stats were gathered, not
 * when the promise resolved, which on a busy main thread can be much later).
 */
export async function measureUpload(windowMs: number): Promise<UploadMeasure> {
  const all = (globalThis as unknown as Record<string, RTCPeerConnection[] | undefined>).__zingCallBenchPcs ?? [];
  const pcs = all.filter((pc) => pc.connectionState !== 'closed');
  type Stream = { kind: string; payload: number; headers: number; limitation: string; fps: number; height: number; encoder: string };
  type Sample = { at: number; streams: Map<string, Stream> };
  const read = async (pc: RTCPeerConnection): Promise<Sample> => {
    const sample: Sample = { at: 0, streams: new Map() };
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'outbound-rtp') return;
      const n = (v: unknown) => (typeof v === 'number' ? v : 0);
      const str = (v: unknown) => (typeof v === 'string' ? v : '?');
      sample.at = Math.max(sample.at, n(s.timestamp));
      sample.streams.set(str(s.id), {
        kind: str(s.kind),
        payload: n(s.bytesSent),
        headers: n(s.headerBytesSent),
        limitation: str(s.qualityLimitationReason),
        fps: n(s.framesPerSecond),
        height: n(s.frameHeight),
        encoder: str(s.encoderImplementation),
      });
    });
    return sample;
  };
  const before = await Promise.all(pcs.map(read));
  await new Promise((r) => setTimeout(r, windowMs));
  const after = await Promise.all(pcs.map(read));
  const out: UploadMeasure = { payloadKbps: 0, audioKbps: 0, withHeadersKbps: 0, video: [] };
  after.forEach((b, i) => {
    const a = before[i]!; // same pcs, same order
    const ms = b.at - a.at;
    if (ms <= 0) return;
    for (const [id, s] of b.streams) {
      const was = a.streams.get(id);
      const payloadKbps = ((s.payload - (was?.payload ?? 0)) * 8) / ms;
      out.payloadKbps += payloadKbps;
      out.withHeadersKbps += ((s.payload + s.headers - (was?.payload ?? 0) - (was?.headers ?? 0)) * 8) / ms;
      if (s.kind === 'audio') out.audioKbps += payloadKbps;
      else if (s.kind === 'video') {
        out.video.push({ limitation: s.limitation, fps: s.fps, height: s.height, encoder: s.encoder, kbps: payloadKbps });
      }
    }
  });
  return out;
}
