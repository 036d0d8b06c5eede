// The load generator of bench:relay: pairs of real `ws` clients, each pair in its
// own room, speaking Zing's wire protocol. The same code drives every server.
import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import { timeout, waitUntil } from './time.ts';

/** Room ids must be valid Zing room ids (16-64 base64url characters); unique per run. */
const RUN = Date.now().toString(36);
const roomId = (n: number) => `bench${RUN}r${n.toString().padStart(7, '0')}`;

/** About one SDP offer's worth of text, \r\n line ends included (JSON escapes them, as it does real SDP). */
function sdpLikeFiller(bytes: number): string {
  const lines = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=msid-semantic: WMS',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:9xQb',
    'a=ice-pwd:Jk3nUe2oVwq9bX1cYz7LmN4p',
    'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CD:87:32:BE:DD:8C:66:4B:B0:B0:E2:1B:42:3F:0C:0A:6B:3D:A7:27',
    'a=setup:actpass',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
  ];
  let s = '';
  for (let i = 0; s.length < bytes; i++) s += `${lines[i % lines.length]}\r\n`;
  return s.slice(0, bytes);
}

export interface Violation {
  count: number;
  examples: string[];
}

interface Header {
  seq: number;
  from: number;
  to: number;
  sentAt: number;
}

function parseHeader(data: string): Header | undefined {
  // "<seq> <from index> <to index> <sent at ms> <filler>"
  const parts = data.split(' ', 4);
  if (parts.length < 4) return undefined;
  const [seq, from, to, sentAt] = parts.map(Number) as [number, number, number, number]; // split(' ', 4) gave four parts
  return Number.isFinite(seq + from + to + sentAt) ? { seq, from, to, sentAt } : undefined;
}

const SPACE = 0x20;
const DOT = 0x2e;
const ZERO = 0x30;
const QUOTE = 0x22;
const BRACE = 0x7d;

/**
 * The signal frame every server under test sends (`JSON.stringify({ type, from, data })`), read
 * without decoding it. At 10,000 msg/s, decoding and JSON.parse of each ~1 KB frame was most of the
 * garbage of this process, whose GC pauses show in every latency it measures: reading bytes (and
 * sending from one reused buffer) took it from 11-18 young-generation pauses per 2 s slot to 5-13
 * (5-7 in a calm run); the longest pause stayed about as long.
 * Any frame of another shape, or whose length does not match, goes to JSON.parse and its checks.
 */
const SIGNAL_PREFIX = Buffer.from('{"type":"signal","from":"');
const DATA_KEY = Buffer.from('","data":"');

/** Same fields as parseHeader, from the bytes of a signal frame; undefined where the frame is not exactly one. */
export function readSignalFrame(buf: Buffer, fromId: Buffer, fillerBytes: number): Header | undefined {
  if (buf.length < SIGNAL_PREFIX.length + fromId.length + DATA_KEY.length + 2) return undefined;
  if (buf.compare(SIGNAL_PREFIX, 0, SIGNAL_PREFIX.length, 0, SIGNAL_PREFIX.length) !== 0) return undefined;
  let i = SIGNAL_PREFIX.length;
  if (buf.compare(fromId, 0, fromId.length, i, i + fromId.length) !== 0) return undefined;
  i += fromId.length;
  if (buf.compare(DATA_KEY, 0, DATA_KEY.length, i, i + DATA_KEY.length) !== 0) return undefined;
  i += DATA_KEY.length;
  // Four decimal numbers, the last with a fraction; each ends at a space.
  const fields = [0, 0, 0, 0];
  for (let f = 0; f < 4; f++) {
    let n = 0;
    let scale = 0;
    let digits = 0;
    for (; i < buf.length && buf[i] !== SPACE; i++) {
      const c = buf[i] as number; // i < buf.length
      if (c === DOT && f === 3 && scale === 0) scale = 1;
      else if (c >= ZERO && c <= ZERO + 9) {
        n = n * 10 + (c - ZERO);
        if (scale > 0) scale *= 10;
        digits++;
      } else return undefined;
    }
    if (digits === 0 || i >= buf.length) return undefined;
    fields[f] = scale > 0 ? n / scale : n;
    i++; // the space
  }
  // Then the filler, the closing quote and brace, and nothing else.
  if (buf.length - i !== fillerBytes + 2 || buf[buf.length - 2] !== QUOTE || buf[buf.length - 1] !== BRACE) return undefined;
  const [seq, from, to, sentAt] = fields as [number, number, number, number];
  return { seq, from, to, sentAt };
}

/** One connection of a pair. Sequence numbers are per direction and run on across phases. */
class Peer {
  readonly ws: WebSocket;
  readonly index: number;
  id = '';
  /** `id` as bytes, as it appears in frames from this peer. */
  idBytes = Buffer.alloc(0);
  partner!: Peer; // set right after both sides of the pair exist
  /** Next sequence number this peer will send. */
  nextSeq = 0;
  /** Next sequence number expected from the partner. */
  expectSeq = 0;
  received = 0;
  /** Flood mode: messages sent and not yet received by the partner. */
  inFlight = 0;
  readonly #load: Load;

  constructor(load: Load, index: number, url: string) {
    this.#load = load;
    this.index = index;
    this.ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    this.ws.on('error', (err) => load.violation(`peer ${index} socket error: ${err.message}`));
    this.ws.on('close', (code) => {
      if (!load.closing) load.violation(`peer ${index} closed unexpectedly (${code})`);
    });
  }

  send(now: number): void {
    const seq = this.nextSeq++;
    this.inFlight++;
    // Built by hand, and into one reused buffer, so the generator spends little CPU and makes
    // little garbage of its own: ws copies the bytes into the masked frame before send returns.
    const load = this.#load;
    const head = `{"type":"signal","to":"${this.partner.id}","data":"${seq} ${this.index} ${this.partner.index} ${now.toFixed(3)} `;
    const n = load.scratch.write(head, 'latin1');
    load.fillerAndEnd.copy(load.scratch, n);
    this.ws.send(load.scratch.subarray(0, n + load.fillerAndEnd.length), { binary: false });
  }

  /** Frames after the join handshake: every one must be the partner's next signal to this peer. */
  onTraffic(raw: RawData): void {
    const now = performance.now();
    const h = (Buffer.isBuffer(raw) && readSignalFrame(raw, this.partner.idBytes, this.#load.filler.length)) || this.#parseSlowly(raw);
    if (!h) return;
    if (h.from !== this.partner.index || h.to !== this.index) {
      this.#load.violation(`peer ${this.index} got a signal meant for ${h.to} from ${h.from}`);
    } else if (h.seq !== this.expectSeq) {
      this.#load.violation(
        `peer ${this.index} got seq ${h.seq} from ${h.from}, expected ${this.expectSeq} (${h.seq < this.expectSeq ? 'duplicate or reordered' : 'gap'})`,
      );
    }
    this.expectSeq = Math.max(this.expectSeq, h.seq + 1);
    this.received++;
    this.partner.inFlight--;
    this.#load.delivered(now - h.sentAt, this.partner);
  }

  /** Any frame readSignalFrame does not take: parsed as JSON and checked field by field (a violation is counted here). */
  #parseSlowly(raw: RawData): Header | undefined {
    this.#load.slowFrames++;
    let msg: { type?: unknown; from?: unknown; data?: unknown };
    try {
      msg = JSON.parse(raw.toString());
    } catch {
      this.#load.violation(`peer ${this.index} got non-JSON`);
      return undefined;
    }
    if (msg.type !== 'signal' || typeof msg.data !== 'string') {
      this.#load.violation(`peer ${this.index} got ${String(msg.type)}: ${JSON.stringify(msg).slice(0, 120)}`);
      return undefined;
    }
    const h = parseHeader(msg.data);
    if (!h) this.#load.violation(`peer ${this.index} got a signal without a header`);
    else if (msg.from !== this.partner.id) {
      this.#load.violation(`peer ${this.index} got a signal from ${h.from} that the relay said came from ${String(msg.from)}`);
      return undefined;
    }
    return h;
  }
}

export interface RateResult {
  targetRate: number;
  achievedRate: number;
  measured: number;
  cpuMicrosPerMsg: number;
  serverCpuPercent: number;
  /** The load generator's own CPU, in % of one core. */
  generatorCpuPercent: number;
  /** CPU used by everything else on the machine during the window, in % of one core. */
  foreignCpuPercent: number;
  /** Messages the schedule dropped because the generator fell more than 100 ms behind. */
  skipped: number;
  p50ms: number;
  p99ms: number;
  /** Server CPU over the window, in microseconds. */
  serverMicros: number;
  /** Every one-way latency of the window, in ms, sorted. */
  latencies: number[];
  undelivered: number;
}

/** CPU clocks the rate test reads at the edges of its measurement window, all in microseconds. */
export interface Clocks {
  server: () => number;
  self: () => number;
  machine: () => number;
}

export interface FloodResult {
  msgPerSec: number;
  cpuMicrosPerMsg: number;
  undelivered: number;
}

/** A set of connected, joined pairs against one server. */
export class Load {
  readonly peers: Peer[] = [];
  readonly filler: string;
  /** The filler and the frame's closing `"}`, as bytes. */
  readonly fillerAndEnd: Buffer;
  /** Where each frame is assembled before ws copies it (every send is synchronous). */
  readonly scratch: Buffer;
  readonly violations: Violation = { count: 0, examples: [] };
  /** Frames readSignalFrame did not take (another shape or length), parsed as JSON instead. */
  slowFrames = 0;
  closing = false;
  #latencies: LatencyLog | undefined;
  #onDelivered: ((from: Peer) => void) | undefined;
  #delivered = 0;

  private constructor(messageBytes: number) {
    // The frame's fixed part (type, to, header) is about 90 bytes.
    this.filler = JSON.stringify(sdpLikeFiller(Math.max(0, messageBytes - 110))).slice(1, -1);
    this.fillerAndEnd = Buffer.from(`${this.filler}"}`, 'latin1');
    this.scratch = Buffer.alloc(this.fillerAndEnd.length + 256);
  }

  /**
   * Opens `pairs` pairs, each joined into its own room, at most `concurrency` pairs at a time.
   * With two URLs (relay instances sharing rooms), the two peers of each pair connect to one each.
   */
  static async open(
    url: string | readonly [string, string],
    pairs: number,
    opts: { messageBytes: number; concurrency: number; ms: number },
  ): Promise<Load> {
    const load = new Load(opts.messageBytes);
    let next = 0;
    const worker = async () => {
      while (next < pairs) {
        const n = next++;
        await load.#openPair(url, n);
      }
    };
    await timeout(
      Promise.all(Array.from({ length: Math.min(opts.concurrency, pairs) }, worker)),
      opts.ms,
      `opening ${pairs * 2} connections`,
    );
    return load;
  }

  async #openPair(url: string | readonly [string, string], n: number): Promise<void> {
    const [urlA, urlB] = typeof url === 'string' ? [url, url] : url;
    const a = new Peer(this, 2 * n, urlA);
    const b = new Peer(this, 2 * n + 1, urlB);
    a.partner = b;
    b.partner = a;
    this.peers.push(a, b);
    const room = roomId(n);
    const aJoined = await join(a, room);
    a.id = aJoined.self;
    a.idBytes = Buffer.from(a.id);
    const aSawB = nextFrame(a.ws);
    const bJoined = await join(b, room);
    b.id = bJoined.self;
    b.idBytes = Buffer.from(b.id);
    const seen = await aSawB;
    if (seen.type !== 'peerJoined' || seen.peer !== b.id || bJoined.peers[0] !== a.id) {
      throw new Error(`room ${room}: unexpected join sequence`);
    }
    for (const p of [a, b]) p.ws.on('message', (raw: RawData) => p.onTraffic(raw));
  }

  violation(text: string): void {
    this.violations.count++;
    if (this.violations.examples.length < 10) this.violations.examples.push(text);
  }

  delivered(latencyMs: number, from: Peer): void {
    this.#delivered++;
    this.#latencies?.push(latencyMs);
    this.#onDelivered?.(from);
  }

  get sent(): number {
    return this.peers.reduce((n, p) => n + p.nextSeq, 0);
  }

  /** Fixed total rate, round robin over every peer; CPU and latency from the measurement window only. */
  async rate(opts: { rate: number; warmupMs: number; measureMs: number; clocks: Clocks }): Promise<RateResult> {
    const n = this.peers.length;
    // Never catch up more than 100 ms of schedule at once: a generator that was
    // starved would otherwise fire a burst that measures the burst, not the relay.
    const maxBurst = Math.ceil(opts.rate / 10);
    let rr = 0;
    let scheduled = 0;
    let skipped = 0;
    let sent = 0;
    const start = performance.now();
    const end = start + opts.warmupMs + opts.measureMs;
    const c0 = { server: 0, self: 0, machine: 0 };
    let sent0 = 0;
    let skipped0 = 0;
    let t0 = 0;
    let measuring = false;
    await new Promise<void>((resolve) => {
      // 1 ms ticks with catch-up: the long-run rate is exact even when a tick runs late.
      const tick = setInterval(() => {
        const now = performance.now();
        if (!measuring && now - start >= opts.warmupMs) {
          measuring = true;
          c0.server = opts.clocks.server();
          c0.self = opts.clocks.self();
          c0.machine = opts.clocks.machine();
          sent0 = sent;
          skipped0 = skipped;
          t0 = now;
          this.#latencies = new LatencyLog(Math.ceil((opts.rate * opts.measureMs) / 1000) + maxBurst);
        }
        if (now >= end) {
          clearInterval(tick);
          resolve();
          return;
        }
        const due = Math.floor(((now - start) * opts.rate) / 1000);
        if (due - scheduled > maxBurst) {
          skipped += due - scheduled - maxBurst;
          scheduled = due - maxBurst;
        }
        for (; scheduled < due; scheduled++, sent++) {
          this.peers[rr]?.send(now);
          rr = (rr + 1) % n;
        }
      }, 1);
    });
    const t1 = performance.now();
    const server = opts.clocks.server() - c0.server;
    const self = opts.clocks.self() - c0.self;
    const machine = opts.clocks.machine() - c0.machine;
    const measured = sent - sent0;
    const latencies = this.#latencies?.sorted() ?? [];
    this.#latencies = undefined;
    await waitUntil(() => this.#delivered >= this.sent, 5_000);
    const percentOfCore = (micros: number) => (micros / 1000 / (t1 - t0)) * 100;
    return {
      targetRate: opts.rate,
      achievedRate: (measured * 1000) / (t1 - t0),
      measured,
      cpuMicrosPerMsg: server / measured,
      serverMicros: server,
      latencies,
      serverCpuPercent: percentOfCore(server),
      generatorCpuPercent: percentOfCore(self),
      foreignCpuPercent: percentOfCore(Math.max(0, machine - server - self)),
      skipped: skipped - skipped0,
      p50ms: percentile(latencies, 0.5),
      p99ms: percentile(latencies, 0.99),
      undelivered: this.sent - this.#delivered,
    };
  }

  /** As fast as the pairs can go, each sender with at most `window` messages in flight. */
  async flood(opts: { pairs: number; window: number; ms: number; cpuMicros: () => number }): Promise<FloodResult> {
    const senders = this.peers.slice(0, opts.pairs * 2);
    let running = true;
    this.#onDelivered = (from) => {
      if (running && from.inFlight < opts.window) from.send(performance.now());
    };
    const cpu0 = opts.cpuMicros();
    const delivered0 = this.#delivered;
    const t0 = performance.now();
    for (const p of senders) for (let i = 0; i < opts.window; i++) p.send(t0);
    await new Promise((r) => setTimeout(r, opts.ms));
    const delivered = this.#delivered - delivered0;
    const t1 = performance.now();
    const cpu1 = opts.cpuMicros();
    running = false;
    this.#onDelivered = undefined;
    await waitUntil(() => this.#delivered >= this.sent, 5_000);
    return {
      msgPerSec: (delivered * 1000) / (t1 - t0),
      cpuMicrosPerMsg: (cpu1 - cpu0) / delivered,
      undelivered: this.sent - this.#delivered,
    };
  }

  /** Drops every connection without a close handshake (the fastest way to free 10,000 sockets). */
  close(): void {
    this.closing = true;
    for (const p of this.peers) p.ws.terminate();
  }
}

/**
 * Latencies of one measurement window, in a typed array sized for the window up front: a plain
 * array of 20,000 numbers grows by copying itself while the window runs, which is garbage (and GC
 * pauses) in the process whose pauses every latency includes.
 */
class LatencyLog {
  #values: Float64Array;
  #length = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(Math.max(16, capacity));
  }

  push(ms: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = ms;
  }

  /** Every value, ascending. */
  sorted(): number[] {
    return Array.from(this.#values.subarray(0, this.#length).sort());
  }
}

type Frame = { type?: unknown; self?: unknown; peers?: unknown; peer?: unknown };

function nextFrame(ws: WebSocket): Promise<Frame> {
  return timeout(
    new Promise<Frame>((resolve) => ws.once('message', (raw: RawData) => resolve(JSON.parse(raw.toString()) as Frame))), // the relay sends JSON objects
    10_000,
    'next frame',
  );
}

async function join(p: Peer, room: string): Promise<{ self: string; peers: string[] }> {
  if (p.ws.readyState !== WebSocket.OPEN) await timeout(new Promise((r) => p.ws.once('open', r)), 10_000, 'open');
  const answer = nextFrame(p.ws);
  p.ws.send(JSON.stringify({ type: 'join', room }));
  const m = await answer;
  if (m.type !== 'joined' || typeof m.self !== 'string' || !Array.isArray(m.peers)) {
    throw new Error(`join answered with ${JSON.stringify(m)}`);
  }
  return { self: m.self, peers: m.peers.map(String) };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
