// Timestamps from inside the call page for bench/transfer.ts. Installed with
// context.addInitScript, so it runs before the page's own scripts. It only
// watches: it wraps RTCDataChannel's send and listeners for `file:` channels,
// Blob reads, the chat box's Enter key, and DOM insertions (chat lines, Save
// links). Times are wall-clock ms (performance.timeOrigin + now), comparable
// between the people's browsers on one machine.

/** One `file:` data channel, seen from one end. */
export interface ChannelTrace {
  label: string;
  /** Sender: binary send() calls; receiver: binary messages. */
  chunks: number;
  bytes: number;
  first: number | undefined;
  last: number | undefined;
  /** Sender: the largest bufferedAmount seen just before a send(). */
  maxBuffered: number;
  /** Sender: sends made with less than the low water mark queued, i.e. when the pipe was close to running dry. */
  sendsNearlyDry: number;
  /** Sender: `bufferedamountlow` events, each one a wait for the channel to drain. */
  lowEvents: number;
  /** Sender: time between sends that ended with a `bufferedamountlow` (waiting for SCTP to drain). */
  drainWaitMs: number;
  /** Sender: other gaps over 1 ms between sends (reading and hashing the next slice, progress events, other work). */
  workGapMs: number;
  /** Sender: time spent inside send() itself (it hands the message to WebRTC's threads). */
  sendCallMs: number;
  /** Receiver: time spent in the page's own message handler (hash, batching, progress). */
  handlerMs: number;
  /** Receiver: gaps over 5 ms between messages. */
  idleGapMs: number;
}

export interface TransferRecord {
  /** A file picked in the page's file input (the `change` event). */
  picked: number | undefined;
  /** `Save <name>` link → when it appeared. */
  saved: Record<string, number>;
  channels: ChannelTrace[];
  /** Blob.arrayBuffer() calls: count and total ms (the sender's reads). */
  reads: { count: number; ms: number };
  longTasks: { at: number; ms: number }[];
  /** Chat text → when the Enter key that sent it went down (sender side). */
  chatSent: Record<string, number>;
  /** Chat text → when its line appeared in the log (every side). */
  chatShown: Record<string, number>;
  /** Bare channels over the call's own connection (bareInCall): label → when the first send was made (sender). */
  bareStarts: Record<string, number>;
  /** label → when its last byte arrived (receiver). */
  bareArrived: Record<string, number>;
}

/**
 * In the call page, from the probe: sends `bytes` of ready-made chunks over a
 * new channel (`bare:<bytes>:<uuid>`) on each of the call's connected connections at once, the way
 * bench/lib/transfer-harness.ts does between harness pages, with no Zing code;
 * the other call page's probe counts them and keeps the channel from Zing.
 * Returns the labels; bareStarts and bareArrived give the times.
 */
export type BareInCall = (opts: { bytes: number; chunkBytes: number; highWaterBytes: number; lowWaterBytes: number }) => string[];

/**
 * The init script; self-contained (Playwright ships it as source). Only pages
 * whose URL contains `pathHint`; `lowWater` is the product's low water mark.
 */
export function installTransferProbe({ pathHint, lowWater }: { pathHint: string; lowWater: number }): void {
  if (!location.href.includes(pathHint)) return;
  const now = () => performance.timeOrigin + performance.now();
  const LOW_WATER = lowWater;
  const record: TransferRecord = {
    picked: undefined,
    saved: {},
    channels: [],
    reads: { count: 0, ms: 0 },
    longTasks: [],
    chatSent: {},
    chatShown: {},
    bareStarts: {},
    bareArrived: {},
  };
  (globalThis as unknown as Record<string, TransferRecord>).__zingTransferBench = record;

  // Every connection the page makes, and bare channels on them kept from the page's own code:
  // this listener comes before the session's `ondatachannel`, and stops the event there.
  const connections: RTCPeerConnection[] = [];
  const NativePeerConnection = RTCPeerConnection;
  class ProbedPeerConnection extends NativePeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      connections.push(this);
      this.addEventListener('datachannel', (e) => {
        const { channel } = e;
        if (!channel.label.startsWith('bare:')) return;
        e.stopImmediatePropagation();
        const total = Number(channel.label.split(':')[1]);
        channel.binaryType = 'arraybuffer';
        let got = 0;
        channel.onmessage = (m: MessageEvent<ArrayBuffer>) => {
          got += m.data.byteLength;
          if (got >= total) {
            record.bareArrived[channel.label] = now();
            channel.close();
          }
        };
      });
    }
  }
  globalThis.RTCPeerConnection = ProbedPeerConnection;
  const bareInCall: BareInCall = (opts) => connections.filter((c) => c.connectionState === 'connected').map((pc) => bareOn(pc, opts));
  const bareOn = (pc: RTCPeerConnection, { bytes, chunkBytes, highWaterBytes, lowWaterBytes }: Parameters<BareInCall>[0]) => {
    const label = `bare:${bytes}:${crypto.randomUUID()}`;
    const channel = pc.createDataChannel(label, { ordered: true });
    channel.bufferedAmountLowThreshold = lowWaterBytes;
    const chunk = new Uint8Array(chunkBytes);
    for (let at = 0; at < chunk.length; at += 65_536) crypto.getRandomValues(chunk.subarray(at, at + 65_536));
    channel.onopen = async () => {
      record.bareStarts[label] = now();
      for (let sent = 0; sent < bytes; sent += chunkBytes) {
        while (channel.bufferedAmount > highWaterBytes) {
          await new Promise<void>((resolve) => channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
        }
        channel.send(chunk.subarray(0, Math.min(chunkBytes, bytes - sent)));
      }
    };
    return label;
  };
  (globalThis as unknown as { __zingBareInCall: BareInCall }).__zingBareInCall = bareInCall;

  const traces = new WeakMap<
    RTCDataChannel,
    ChannelTrace & { lastSend: number; lowSinceSend: boolean; lastMessage: number; handlerStart: number }
  >();
  const traceOf = (dc: RTCDataChannel) => {
    let t = traces.get(dc);
    if (!t) {
      t = {
        label: dc.label,
        chunks: 0,
        bytes: 0,
        first: undefined,
        last: undefined,
        maxBuffered: 0,
        sendsNearlyDry: 0,
        lowEvents: 0,
        drainWaitMs: 0,
        workGapMs: 0,
        sendCallMs: 0,
        handlerMs: 0,
        idleGapMs: 0,
        lastSend: 0,
        lowSinceSend: false,
        lastMessage: 0,
        handlerStart: 0,
      };
      traces.set(dc, t);
      record.channels.push(t);
    }
    return t;
  };
  const isFile = (dc: RTCDataChannel) => dc.label.startsWith('file:');
  const byteLength = (data: unknown) =>
    data instanceof ArrayBuffer ? data.byteLength : ArrayBuffer.isView(data) ? data.byteLength : data instanceof Blob ? data.size : -1;

  // Sender: every binary send, with the queue it joins.
  const send = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: unknown) => void;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: unknown) {
    const bytes = byteLength(data);
    if (isFile(this) && bytes >= 0) {
      const t = traceOf(this);
      const at = now();
      if (t.chunks > 0) {
        const gap = at - t.lastSend;
        if (t.lowSinceSend) t.drainWaitMs += gap;
        else if (gap > 1) t.workGapMs += gap;
      }
      t.maxBuffered = Math.max(t.maxBuffered, this.bufferedAmount);
      if (this.bufferedAmount < LOW_WATER) t.sendsNearlyDry += 1;
      t.chunks += 1;
      t.bytes += bytes;
      t.first ??= at;
      t.last = at;
      t.lowSinceSend = false;
      send.call(this, data);
      const end = now();
      t.sendCallMs += end - at;
      // Gaps count from the end of a send, so time inside send() is not counted twice.
      t.lastSend = end;
      return;
    }
    send.call(this, data);
  } as typeof RTCDataChannel.prototype.send;

  // Both ends: the page's own listeners on file channels, timed around.
  const add = RTCDataChannel.prototype.addEventListener;
  RTCDataChannel.prototype.addEventListener = function (this: RTCDataChannel, type: string, listener: unknown, options?: unknown) {
    if (isFile(this) && type === 'bufferedamountlow') {
      const t = traceOf(this);
      add.call(this, 'bufferedamountlow', () => {
        t.lowEvents += 1;
        t.lowSinceSend = true;
      });
    }
    if (isFile(this) && type === 'message') {
      const t = traceOf(this);
      add.call(this, 'message', (ev: Event) => {
        const data = (ev as MessageEvent).data;
        if (typeof data === 'string') return;
        const at = now();
        if (t.chunks > 0 && at - t.lastMessage > 5) t.idleGapMs += at - t.lastMessage;
        t.chunks += 1;
        t.bytes += byteLength(data);
        t.first ??= at;
        t.last = at;
        t.lastMessage = at;
        t.handlerStart = at;
      });
      add.call(this, type, listener as EventListener, options as AddEventListenerOptions);
      add.call(this, 'message', (ev: Event) => {
        if (typeof (ev as MessageEvent).data !== 'string') t.handlerMs += now() - t.handlerStart;
      });
      return;
    }
    add.call(this, type, listener as EventListener, options as AddEventListenerOptions);
  } as typeof RTCDataChannel.prototype.addEventListener;

  // Sender: reads of the file, slice by slice.
  const arrayBuffer = Blob.prototype.arrayBuffer;
  Blob.prototype.arrayBuffer = function (this: Blob) {
    const at = now();
    const result = arrayBuffer.call(this);
    void result.then(() => {
      record.reads.count += 1;
      record.reads.ms += now() - at;
    });
    return result;
  };

  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) record.longTasks.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no longtask support: the list stays empty
  }

  addEventListener(
    'change',
    (e) => {
      if (e.target instanceof HTMLInputElement && e.target.type === 'file') record.picked = now();
    },
    true,
  );
  addEventListener(
    'keydown',
    (e) => {
      const box = e.target;
      if (e.key === 'Enter' && box instanceof HTMLTextAreaElement && box.getAttribute('aria-label') === 'Message')
        record.chatSent[box.value] = now();
    },
    true,
  );
  new MutationObserver((mutations) => {
    const at = now();
    for (const m of mutations) {
      for (const node of m.addedNodes) {
        // Text filled in after its element was attached shows up as an added Text node: look at its element.
        const root = node instanceof Element ? node : node.parentElement?.closest('a, .text');
        if (!root) continue;
        for (const el of [root, ...root.querySelectorAll('a, .text')]) {
          const text = el.textContent ?? '';
          if (el.tagName === 'A' && text.startsWith('Save ')) record.saved[text.slice(5)] ??= at;
          if (el.classList.contains('text')) record.chatShown[text] ??= at;
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
}
