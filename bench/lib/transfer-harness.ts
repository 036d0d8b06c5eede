// Zing's file transfer code alone, between browsers, for bench/transfer.ts.
//
// bench/transfer.ts bundles this file with esbuild and evaluates it in a page
// of each person's Chromium. Each page makes one RTCPeerConnection per other
// person (the bench carries the descriptions and candidates between them) and
// can then send over it:
// - `zing`: FileTransfers from extension/session/file-transfer.ts, the product's
//   own code (offer, accept, shared reads, block hash both sides, Blob assembly),
//   with a FilePacing given per run, and no call page, video or UI around it;
// - `bare`: the same bytes already in memory through a plain data channel, with
//   the same chunk size and water marks, and nothing else.
// Both cross between two browser processes, as a call does, so their ratio is
// the cost of Zing's own code at that pacing. Times are wall-clock ms
// (performance.timeOrigin + now), comparable between browsers on one machine.
import { FileTransfers, type FilePacing } from '../../extension/session/file-transfer.ts';

const now = () => performance.timeOrigin + performance.now();

export class TransferHarness {
  readonly self: string;
  readonly #pcs = new Map<string, RTCPeerConnection>();
  readonly #candidates = new Map<string, RTCIceCandidateInit[]>();
  /** Receiving: when each file (by transfer id or bare label) arrived whole, by sender. */
  readonly arrived = new Map<string, number>();
  readonly #receiver: FileTransfers;
  #file: Blob | undefined;

  constructor(self: string) {
    this.self = self;
    this.#receiver = new FileTransfers({
      openChannel: () => {
        throw new Error('the receiving side opens no channels');
      },
      askAboveBytes: 2 ** 30,
      burstFiles: 1_000,
      maxUnsavedBytes: 2 ** 40,
    });
    this.#receiver.on('completed', (t) => {
      this.arrived.set(t.id, now());
      this.#receiver.dismiss(t.id, t.peer);
    });
  }

  /** Starts the connection to `peer`; the offerer also opens the first channel, so SCTP is up before any transfer. */
  connect(peer: string, offerer: boolean): void {
    const pc = new RTCPeerConnection();
    this.#pcs.set(peer, pc);
    this.#candidates.set(peer, []);
    pc.onicecandidate = (e) => {
      if (e.candidate) this.#candidates.get(peer)?.push(e.candidate.toJSON());
    };
    pc.ondatachannel = ({ channel }) => {
      if (channel.label.startsWith('file:')) this.#receiver.acceptChannel(peer, channel);
      else if (channel.label.startsWith('bare:')) this.#countBare(channel);
    };
    if (offerer) pc.createDataChannel('warmup');
  }

  async describe(peer: string, remote?: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit | undefined> {
    const pc = this.#pc(peer);
    if (remote) await pc.setRemoteDescription(remote);
    if (remote?.type === 'answer') return undefined;
    await pc.setLocalDescription();
    return pc.localDescription?.toJSON();
  }

  candidates(peer: string): RTCIceCandidateInit[] {
    return this.#candidates.get(peer) ?? [];
  }

  async addCandidates(peer: string, list: RTCIceCandidateInit[]): Promise<void> {
    for (const c of list) await this.#pc(peer).addIceCandidate(c);
  }

  connected(peer: string): boolean {
    return this.#pc(peer).sctp?.state === 'connected';
  }

  gathered(peer: string): boolean {
    return this.#pc(peer).iceGatheringState === 'complete';
  }

  /** Makes the file to send: `bytes` of random data, once. */
  makeFile(bytes: number): void {
    const part = new Uint8Array(1024 * 1024);
    for (let at = 0; at < part.length; at += 65_536) crypto.getRandomValues(part.subarray(at, at + 65_536));
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (let left = bytes; left > 0; left -= part.length) parts.push(part.subarray(0, Math.min(part.length, left)));
    this.#file = new Blob(parts);
  }

  /** Sends the file to `peers` with Zing's FileTransfers at `pacing`; returns its id and start time. */
  sendZing(peers: string[], pacing: FilePacing): { id: string; start: number } {
    const file = this.#file;
    if (!file) throw new Error('makeFile first');
    const sender = new FileTransfers({
      openChannel: (peer, label) => this.#pc(peer).createDataChannel(label, { ordered: true }),
      pacing,
    });
    sender.on('completed', () => undefined);
    const start = now();
    return { id: sender.send(file, peers, 'bench.bin'), start };
  }

  /**
   * Sends `bytes` (the file's size unless given) in ready-made chunks over a
   * plain channel to `peer`, from the moment it opens (bareStarts gives that
   * time); returns its label.
   */
  sendBare(peer: string, pacing: Pick<FilePacing, 'chunkBytes' | 'highWaterBytes' | 'lowWaterBytes'>, bytes?: number): string {
    const total = bytes ?? this.#file?.size ?? 0;
    const label = `bare:${total}:${crypto.randomUUID()}`;
    const channel = this.#pc(peer).createDataChannel(label, { ordered: true });
    channel.bufferedAmountLowThreshold = pacing.lowWaterBytes;
    const chunk = new Uint8Array(pacing.chunkBytes);
    for (let at = 0; at < chunk.length; at += 65_536) crypto.getRandomValues(chunk.subarray(at, at + 65_536));
    channel.onopen = async () => {
      this.bareStarts.set(label, now());
      for (let sent = 0; sent < total; sent += pacing.chunkBytes) {
        while (channel.bufferedAmount > pacing.highWaterBytes) {
          await new Promise<void>((resolve) => channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
        }
        channel.send(chunk.subarray(0, Math.min(pacing.chunkBytes, total - sent)));
      }
    };
    return label;
  }

  /** Sending: when each bare channel opened and began sending, by label. */
  readonly bareStarts = new Map<string, number>();

  #countBare(channel: RTCDataChannel): void {
    const total = Number(channel.label.split(':')[1]);
    channel.binaryType = 'arraybuffer';
    let got = 0;
    channel.onmessage = (e: MessageEvent<ArrayBuffer>) => {
      got += e.data.byteLength;
      if (got >= total) {
        this.arrived.set(channel.label, now());
        channel.close();
      }
    };
  }

  #pc(peer: string): RTCPeerConnection {
    const pc = this.#pcs.get(peer);
    if (!pc) throw new Error(`no connection to ${peer}`);
    return pc;
  }
}

(globalThis as unknown as { ZingHarness: typeof TransferHarness }).ZingHarness = TransferHarness;
