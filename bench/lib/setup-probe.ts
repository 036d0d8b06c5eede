// Timestamps from inside Chromium for bench/setup.ts. Installed with
// context.addInitScript, so it runs in every page before the page's own scripts;
// it observes (wraps WebSocket, RTCPeerConnection, getUserMedia and extension
// storage, watches every <video>) and changes no behaviour.
//
// All times are wall-clock milliseconds (performance.timeOrigin + now): the two
// profiles are separate processes on one machine, and their high-resolution
// clocks both follow the system clock, so times from two pages compare directly.

/** What one page recorded, as `globalThis.__zingBench`. */
export interface ProbeRecord {
  /** Mark name → first time it happened. */
  marks: Record<string, number>;
  /** Tile name → its first presented frame. `presentedFrames` above 1 means the probe came late. */
  frames: Record<string, { presented: number; received: number | undefined; width: number; height: number; presentedFrames: number }>;
  /** Timed async calls (peer connection, sender, WebCrypto): when each started and how long it took. */
  calls: { name: string; at: number; ms: number }[];
  /** Main-thread tasks over 50 ms (PerformanceObserver longtask). */
  longTasks: { at: number; ms: number }[];
  /** document.readyState when the probe ran: anything but `loading` means it came after the page's scripts. */
  readyState: string;
}

/**
 * The init script. Self-contained: Playwright ships it to the page as source.
 * `pathHints` limits it to pages whose URL contains one of the strings.
 */
export function installProbe(pathHints: string[]): void {
  if (!pathHints.some((hint) => location.href.includes(hint))) return;
  const now = () => performance.timeOrigin + performance.now();
  const record: ProbeRecord = {
    marks: { nav: performance.timeOrigin },
    frames: {},
    calls: [],
    longTasks: [],
    readyState: document.readyState,
  };
  (globalThis as unknown as Record<string, ProbeRecord>).__zingBench = record;
  const mark = (name: string, at = now()) => {
    if (!(name in record.marks)) record.marks[name] = at;
  };

  mark('probe');
  document.addEventListener('DOMContentLoaded', () => mark('domContentLoaded'));
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) record.longTasks.push({ at: performance.timeOrigin + e.startTime, ms: Math.round(e.duration) });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no longtask support: the list stays empty
  }

  /** Times an async method on a prototype or object: a mark for the first start and end, and every call listed. */
  const timed = <T extends object>(target: T, method: string, name: (self: T, args: unknown[]) => string) => {
    const original = (target as Record<string, unknown>)[method];
    if (typeof original !== 'function') return;
    (target as Record<string, unknown>)[method] = function (this: T, ...args: unknown[]) {
      const label = name(this, args);
      const at = now();
      mark(`${label}Start`, at);
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      const done = () => {
        mark(`${label}End`);
        record.calls.push({ name: label, at, ms: Math.round(now() - at) });
      };
      if (result instanceof Promise) void result.then(done, done);
      else done();
      return result;
    };
  };
  addEventListener('load', () => mark('load'));
  // The product's own join marks (extension/session/join-marks.ts): `zing:<name>`.
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name.startsWith('zing:')) mark(e.name, performance.timeOrigin + e.startTime);
    }).observe({ type: 'mark', buffered: true });
  } catch {
    // no User Timing observer: the product's marks are left out
  }

  // Camera and microphone.
  const media = navigator.mediaDevices;
  if (media) {
    const gum = media.getUserMedia.bind(media);
    media.getUserMedia = async (constraints) => {
      mark('gumStart');
      const stream = await gum(constraints);
      mark('gumEnd');
      return stream;
    };
  }

  // Extension storage (the polyfill calls chrome.storage.local.get with a callback or a promise).
  const ext = (globalThis as unknown as { chrome?: { storage?: { local?: { get: (...a: unknown[]) => unknown } } } }).chrome;
  const local = ext?.storage?.local;
  if (local) {
    const get = local.get.bind(local);
    let reads = 0;
    local.get = (...args: unknown[]) => {
      const n = ++reads;
      mark(`storageGet${n}Start`);
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (...r: unknown[]) => {
          mark(`storageGet${n}End`);
          (last as (...r: unknown[]) => void)(...r);
        };
        return get(...args);
      }
      const result = get(...args);
      if (result instanceof Promise) void result.then(() => mark(`storageGet${n}End`));
      return result;
    };
  }

  // Relay socket: creation, open, join, and the first offer/answer each way.
  // Zing seals peer messages (sealed-signaling.ts), so their kind shows only as `signal`;
  // the offer and answer show in the sld_/srd_ marks of the peer connection instead.
  const describe = (raw: unknown): string | undefined => {
    if (typeof raw !== 'string') return undefined;
    let msg: { type?: string; data?: string };
    try {
      msg = JSON.parse(raw) as { type?: string; data?: string };
    } catch {
      return undefined;
    }
    if (msg.type !== 'signal' || typeof msg.data !== 'string') return msg.type;
    try {
      const inner = JSON.parse(msg.data) as { t?: string; description?: { type?: string } };
      return inner.t === 'description' ? inner.description?.type : (inner.t ?? 'signal');
    } catch {
      return 'signal';
    }
  };
  const NativeSocket = globalThis.WebSocket;
  globalThis.WebSocket = class extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      mark('wsCreate');
      this.addEventListener('open', () => mark('wsOpen'));
      this.addEventListener('message', (ev) => {
        const what = describe(ev.data);
        if (what) mark(`${what}In`);
      });
    }
    override send(data: Parameters<WebSocket['send']>[0]): void {
      const what = describe(data);
      if (what) mark(`${what}Out`);
      super.send(data);
    }
  };

  // Peer connection: ICE and DTLS progress, tracks.
  const NativePc = globalThis.RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends NativePc {
    constructor(config?: RTCConfiguration) {
      super(config);
      mark('pcCreate');
      this.addEventListener('icegatheringstatechange', () => mark(`gather_${this.iceGatheringState}`));
      this.addEventListener('icecandidate', (ev) => {
        if (ev.candidate) mark('firstLocalCandidate');
      });
      this.addEventListener('iceconnectionstatechange', () => mark(`ice_${this.iceConnectionState}`));
      this.addEventListener('connectionstatechange', () => mark(`conn_${this.connectionState}`));
      this.addEventListener('track', (ev) => mark(`track_${ev.track.kind}`));
      this.addEventListener('datachannel', () => mark('datachannel'));
    }
  };
  const descType = (self: RTCPeerConnection, args: unknown[]) => {
    const d = args[0] as { type?: string } | undefined;
    // setLocalDescription() without arguments makes an offer in `stable`, else an answer.
    return d?.type ?? (self.signalingState === 'stable' || self.signalingState === 'have-local-offer' ? 'offer' : 'answer');
  };
  timed(NativePc.prototype, 'setRemoteDescription', (self, args) => `srd_${descType(self, args)}`);
  timed(NativePc.prototype, 'setLocalDescription', (self, args) => `sld_${descType(self, args)}`);
  timed(NativePc.prototype, 'addIceCandidate', () => 'addIceCandidate');
  timed(NativePc.prototype, 'getStats', () => 'pcGetStats');
  timed(NativePc.prototype, 'createDataChannel', () => 'createDataChannel');
  if (globalThis.RTCRtpSender) {
    timed(RTCRtpSender.prototype, 'setParameters', () => 'setParameters');
    timed(RTCRtpSender.prototype, 'replaceTrack', () => 'replaceTrack');
    timed(RTCRtpSender.prototype, 'getStats', () => 'senderGetStats');
  }
  if (globalThis.RTCRtpReceiver) timed(RTCRtpReceiver.prototype, 'getStats', () => 'receiverGetStats');
  // Sealing and opening signaling payloads, and deriving the room key.
  if (globalThis.SubtleCrypto) {
    for (const method of ['importKey', 'deriveBits', 'deriveKey', 'encrypt', 'decrypt', 'digest', 'sign']) {
      timed(SubtleCrypto.prototype, method, () => method);
    }
  }

  // First presented frame of every <video>, by the name of its tile.
  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (video: HTMLVideoElement) => {
    if (watched.has(video)) return;
    watched.add(video);
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      const label = video.closest('[role="group"]')?.getAttribute('aria-label') ?? '';
      if (label in record.frames) return; // counted: stop watching, so the probe costs nothing per frame
      if (label === '' || meta.width === 0) {
        video.requestVideoFrameCallback(onFrame); // not in a named tile yet
        return;
      }
      // receiveTime: when the last packet of this frame arrived (WebRTC sources only).
      const received = (meta as VideoFrameCallbackMetadata & { receiveTime?: number }).receiveTime;
      const frame = {
        presented: performance.timeOrigin + meta.presentationTime,
        received: received === undefined ? undefined : performance.timeOrigin + received,
        width: meta.width,
        height: meta.height,
        presentedFrames: meta.presentedFrames,
      };
      record.frames[label] = frame;
      if (label.endsWith('(you)')) mark('firstLocalFrame', frame.presented);
      else {
        mark('firstRemoteFrame', frame.presented);
        if (frame.received !== undefined) mark('firstRemoteFrameReceived', frame.received);
      }
    };
    video.requestVideoFrameCallback(onFrame);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      for (const node of r.addedNodes) {
        if (node instanceof HTMLVideoElement) watch(node);
        else if (node instanceof Element) node.querySelectorAll('video').forEach(watch);
      }
    }
  }).observe(document, { childList: true, subtree: true });
}
