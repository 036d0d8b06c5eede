// Sending files to the peers of a call, straight over data channels.
//
// Each transfer to each peer gets its own ordered, reliable channel labelled
// `file:<id>` (the protocol is in protocol/data.ts): the sender opens it through
// the caller's `openChannel`, the receiving side's caller hands it to
// `acceptChannel`. A channel per transfer keeps simultaneous transfers apart
// without any framing, and lets either side stop one without touching the rest.
//
// Consent: the sender offers, and sends nothing more until the receiver accepts.
// The receiver accepts at once, asks its person (a large file, a burst of
// files: file-consent.ts) or declines (no room for more unsaved files).
// A received file is kept, with an object URL to save it from, until the person
// saves or dismisses it or the call ends; then the URL is revoked.
//
// Sending to several peers reads and hashes the file once (file-source.ts):
// each peer's transfer takes slices from a shared window at its own channel's
// pace, with reads kept in flight ahead of it.
//
// Memory: the sender holds the shared window (at most SHARED_WINDOW_READS
// slices) and READ_AHEAD slices per receiver, plus what each channel has
// buffered (at most HIGH_WATER_BYTES + one chunk); the receiver gathers chunks
// into blocks of FILE_HASH_BLOCK_BYTES, each hashed and kept as a Blob part, and
// the browser keeps Blob bytes in its blob store (Chromium pages large ones to
// disk). Both sides hash block by block with WebCrypto (block-hash.ts), so no
// side ever needs the whole file as one buffer.
import type { ParticipantId } from '../../protocol/ids.ts';
import {
  encodeDataMessage,
  fileChannelLabel,
  parseDataMessage,
  transferIdOfLabel,
  type DataMessage,
  type FileControl,
} from '../../protocol/data.ts';
import type { Channel, ChannelEventMap } from './channel.ts';
import {
  DEFAULT_ASK_ABOVE_BYTES,
  DEFAULT_BURST_FILES,
  DEFAULT_BURST_WINDOW_MS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_UNSAVED_BYTES,
  DECLINED,
  decideOffer,
  hasRoom,
  noRoomReason,
  recordOffer,
  type ConsentDecision,
  type ConsentPolicy,
  type ConsentWhy,
} from './file-consent.ts';
import { BlockHasher } from './block-hash.ts';
import { FileSource, type SliceReader } from './file-source.ts';
import { formatBytes } from './format-bytes.ts';
import { TypedEmitter } from './typed-emitter.ts';

// The pacing below was chosen with `npm run bench:transfer`'s sweep: Zing's
// transfer code alone between two headless Chromiums (2 cores, loopback), next
// to a bare data channel at the same chunk and water marks, 20 MB per run, on
// 2026-12-03 on a machine shared with other work (load average 7 to 16), so
// noisy. MB/s, bare | Zing (Zing ÷ bare):
//   medians of 5 alternating runs:
//     16 KiB chunks, 256 KiB reads, high/low 1 MiB/256 KiB:  15.2 | 12.0 (0.79)
//     64 KiB chunks, 1 MiB reads,   high/low 4 MiB/1 MiB:    11.4 | 13.5 (1.19)
//   medians of 2, the bench's own sweep (20 MB runs; then 5 MB runs, earlier):
//     64 KiB, 4 MiB/1 MiB:   10.1 |  9.6 (0.96);   13.9 | 11.2
//     16 KiB, 1 MiB/256 KiB:  7.1 |  6.5 (0.92);   16.1 | 10.3
//     16 KiB, 4 MiB/1 MiB:    8.6 | 11.2 (1.30);   12.6 | 14.1
//     64 KiB, 1 MiB/256 KiB: 13.1 | 10.0 (0.77);   21.6 | 14.0
//     64 KiB, 8 MiB/2 MiB:   15.4 |  9.8 (0.64);   17.1 | 12.3
//     256 KiB, 4 MiB/1 MiB:   9.7 |  7.6 (0.78);   22.9 | 12.3
// Zing kept closest to bare with 64 KiB chunks and a 4 MiB high water mark, and
// fewer, larger messages cost both pages' main threads less. Without its
// SHA-256 (both sides) Zing's code ran at 0.96 of bare where it ran at 0.79 with
// it (16 KiB chunks), so hashing is most of what is left.

/**
 * Bytes per binary message: a quarter of the fewest messages per byte that every
 * browser takes. Chromium advertises a max-message-size of 256 KiB and Firefox
 * 1 GiB, and both reassemble large messages (SCTP EOR) since 2018 (MDN, "Using
 * WebRTC data channels", Understanding message size limits); 16 KiB was the old
 * interoperable size. Four times fewer messages than 16 KiB chunks means four
 * times fewer sends and message events on both pages' main threads.
 */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Bytes read from the Blob at a time, then sent as 16 chunks. Each Blob read is
 * an asynchronous round trip to the browser's blob store; one per chunk would be
 * 16384 of them for 1 GB. 1 MiB is still a small, constant amount of memory.
 */
export const READ_BYTES = 16 * CHUNK_BYTES;

/**
 * Reads each receiver keeps in flight beyond the slice it is sending, so the
 * next slice is there when the channel drains: a Blob read on a busy machine
 * took up to 15 ms (bench:transfer's `reads`), during which the channel ran dry.
 */
export const READ_AHEAD = 4;

/**
 * Slices the fastest receiver of a file may run ahead of the slowest before the
 * slowest reads on its own (file-source.ts): 16 MiB of a file held for sharing.
 */
export const SHARED_WINDOW_READS = 16;

/**
 * Stop sending while the channel buffers more than this: 4 MiB is 0.3 s at
 * 15 MB/s, enough for the page to hash, read and render meanwhile without the
 * channel running dry, and a quarter of the 16 MiB at which Chromium's send()
 * throws and closes the channel.
 */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/** Resume when the buffer drains to this (`bufferedamountlow`): 70 ms of sending at 15 MB/s still queued. */
export const LOW_WATER_BYTES = 1024 * 1024;

/** How a file is cut and paced onto a channel; the defaults are the constants above. */
export interface FilePacing {
  chunkBytes: number;
  readBytes: number;
  readAhead: number;
  windowReads: number;
  highWaterBytes: number;
  lowWaterBytes: number;
}

export const DEFAULT_PACING: FilePacing = {
  chunkBytes: CHUNK_BYTES,
  readBytes: READ_BYTES,
  readAhead: READ_AHEAD,
  windowReads: SHARED_WINDOW_READS,
  highWaterBytes: HIGH_WATER_BYTES,
  lowWaterBytes: LOW_WATER_BYTES,
};

/**
 * Progress is emitted at most this often per transfer (and at the end): ten
 * updates a second move a progress bar smoothly, where one per 256 KiB was 40 a
 * second at 10 MB/s, each re-rendering its row.
 */
export const PROGRESS_INTERVAL_MS = 100;

/** Incoming transfers from one peer at once; a peer opening hundreds of channels is refused. */
export const DEFAULT_MAX_INCOMING_PER_PEER = 8;

/**
 * Transfer ids one peer may use in a call. An id is never taken twice from a
 * peer, since a second file under it would take the place of the first one
 * kept, whose URL would then never be revoked; so every id is remembered for
 * the call, and a peer past this many is refused rather than remembered without
 * end. Ten thousand files is far more than a call sends.
 */
export const DEFAULT_MAX_IDS_PER_PEER = 10_000;

/**
 * After sending the last word of a transfer (done, failed, cancel) a side waits
 * this long for the other to close the channel, then closes it itself. The side
 * that hears the last word closes first, so the word is never cut off by the close.
 */
export const CLOSE_GRACE_MS = 5_000;

/**
 * A channel a peer opened to us carries nothing but its offer until we answer,
 * and a sender offers as its channel opens. One that has not offered within
 * this long is closed: a hostile peer could otherwise open channels that never
 * offer, each held (and its data channel with it) for the rest of the call.
 */
export const OFFER_WAIT_MS = 10_000;

/**
 * How long a saved file's object URL lives after the Save click: the browser
 * reads the Blob for the download after the click returns, so revoking at
 * once can fail it. 40 s, as FileSaver.js does (its issue #205).
 */
export const SAVED_URL_GRACE_MS = 40_000;

// The reason a person's own decline gives, on both sides (in file-consent.ts, which the UI reads eagerly).
export { DECLINED } from './file-consent.ts';

export type TransferDirection = 'send' | 'receive';

export interface TransferInfo {
  /** The same id for every peer a file is sent to. */
  id: string;
  peer: ParticipantId;
  direction: TransferDirection;
  name: string;
  size: number;
  mime: string;
}

export interface TransferProgress extends TransferInfo {
  /** Bytes handed to the channel (sending) or received (receiving). */
  transferred: number;
}

export interface CompletedTransfer extends TransferInfo {
  /** The received file, or for a sender the file that was sent. */
  blob: Blob;
  /**
   * Receiving: an object URL of `blob` to save it from, alive until saved(),
   * dismiss() or close(). Sending: undefined.
   */
  url: string | undefined;
  /** Always true: a file whose size or block hash does not match is `failed`, never `completed`. */
  verified: true;
}

/** An offer waiting for the receiving person's accept() or decline(). */
export interface ConsentRequest extends TransferInfo {
  /** A file above the ask size, or one of many in a short time. */
  why: ConsentWhy;
}

export interface DeclinedTransfer extends TransferInfo {
  /** `self`: this side declined (its person, or no room); `peer`: the receiver did. */
  by: 'self' | 'peer';
  /** DECLINED for a person's no, else why it was declined without asking. */
  reason: string;
}

export interface FailedTransfer extends TransferInfo {
  reason: string;
}

export interface CancelledTransfer extends TransferInfo {
  by: 'self' | 'peer';
  reason: string;
}

/**
 * Every transfer emits `transferStarted`; a receiver may then emit
 * `consentAsked`; both sides emit `accepted` once the bytes may flow, then any
 * number of `progress`; each ends with exactly one of the last four.
 */
export type FileTransferEvents = {
  transferStarted: [TransferInfo];
  /** Receiving: the offer waits for this person's accept() or decline(); nothing but the offer has crossed. */
  consentAsked: [ConsentRequest];
  /** Both sides: the receiver took the offer (its person or without asking); the bytes flow. */
  accepted: [TransferInfo];
  progress: [TransferProgress];
  completed: [CompletedTransfer];
  failed: [FailedTransfer];
  cancelled: [CancelledTransfer];
  declined: [DeclinedTransfer];
};

type EndEvent = 'completed' | 'failed' | 'cancelled' | 'declined';

export interface FileTransfersOptions {
  /** Opens an ordered, reliable data channel with this label on the connection to `peer`. */
  openChannel: (peer: ParticipantId, label: string) => Channel;
  maxFileBytes?: number;
  maxIncomingPerPeer?: number;
  /** Transfer ids one peer may use in the call (DEFAULT_MAX_IDS_PER_PEER). */
  maxIdsPerPeer?: number;
  /** Files above this many bytes wait for the person's yes (DEFAULT_ASK_ABOVE_BYTES). */
  askAboveBytes?: number;
  burstFiles?: number;
  burstWindowMs?: number;
  /** Offers are declined while received files not saved yet would pass this many bytes. */
  maxUnsavedBytes?: number;
  closeGraceMs?: number;
  offerWaitMs?: number;
  savedUrlGraceMs?: number;
  /** Chunk and read sizes, read-ahead and water marks; DEFAULT_PACING for what is not given. */
  pacing?: Partial<FilePacing>;
  progressIntervalMs?: number;
  newId?: () => string;
  /** Milliseconds, for the burst window and progress. */
  now?: () => number;
  /** Where received files get their URLs; URL.createObjectURL and revokeObjectURL unless given. */
  objectUrls?: { create(blob: Blob): string; revoke(url: string): void };
}

type Emit = <K extends keyof FileTransferEvents>(event: K, ...args: FileTransferEvents[K]) => void;

interface Host {
  emit: Emit;
  forget(transfer: Transfer): void;
  closeGraceMs: number;
  offerWaitMs: number;
  pacing: FilePacing;
  progressIntervalMs: number;
  now(): number;
  /** What to do with `offer`, which arrived just now. */
  consider(offer: TransferInfo): ConsentDecision;
  /** Whether `size` more bytes still fit beside what is held (for an answer given later). */
  hasRoom(size: number): boolean;
  /** The reason to decline for want of room, now. */
  noRoom(): string;
  /**
   * Keeps a received file until it is saved or dismissed; returns its URL, or
   * undefined if a file from the same peer under the same id is still held.
   */
  keep(info: TransferInfo, blob: Blob): string | undefined;
}

const keyOf = (id: string, peer: ParticipantId): string => `${id} ${peer}`;

interface Kept {
  bytes: number;
  url: string;
}

export class FileTransfers extends TypedEmitter<FileTransferEvents> {
  readonly #transfers = new Set<Transfer>();
  readonly #openChannel: (peer: ParticipantId, label: string) => Channel;
  readonly #maxFileBytes: number;
  readonly #maxIncomingPerPeer: number;
  readonly #maxIdsPerPeer: number;
  readonly #policy: ConsentPolicy;
  readonly #newId: () => string;
  readonly #now: () => number;
  readonly #urls: { create(blob: Blob): string; revoke(url: string): void };
  readonly #savedUrlGraceMs: number;
  readonly #host: Host;
  /** Per peer: when its recent offers came, for the burst rule. */
  readonly #offers = new Map<ParticipantId, number[]>();
  /**
   * Per peer: every transfer id it has opened a channel for in this call, at
   * most maxIdsPerPeer. Kept when the peer leaves: coming back it is the same
   * participant, and the files it sent are still kept under their ids.
   */
  readonly #usedIds = new Map<ParticipantId, Set<string>>();
  /** Received files not yet saved or dismissed, by keyOf(id, peer). */
  readonly #kept = new Map<string, Kept>();
  /** URLs of saved files, revoked when their grace ends or on close(). */
  readonly #saving = new Map<string, { timer: ReturnType<typeof setTimeout>; url: string }>();
  #closed = false;

  constructor(opts: FileTransfersOptions) {
    super();
    this.#openChannel = opts.openChannel;
    this.#maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#maxIncomingPerPeer = opts.maxIncomingPerPeer ?? DEFAULT_MAX_INCOMING_PER_PEER;
    this.#maxIdsPerPeer = opts.maxIdsPerPeer ?? DEFAULT_MAX_IDS_PER_PEER;
    this.#policy = {
      askAboveBytes: opts.askAboveBytes ?? DEFAULT_ASK_ABOVE_BYTES,
      burstFiles: opts.burstFiles ?? DEFAULT_BURST_FILES,
      burstWindowMs: opts.burstWindowMs ?? DEFAULT_BURST_WINDOW_MS,
      maxUnsavedBytes: opts.maxUnsavedBytes ?? DEFAULT_MAX_UNSAVED_BYTES,
    };
    this.#newId = opts.newId ?? (() => crypto.randomUUID());
    this.#now = opts.now ?? (() => performance.now());
    this.#urls = opts.objectUrls ?? { create: (blob) => URL.createObjectURL(blob), revoke: (url) => URL.revokeObjectURL(url) };
    this.#savedUrlGraceMs = opts.savedUrlGraceMs ?? SAVED_URL_GRACE_MS;
    this.#host = {
      emit: (event, ...args) => this.emit(event, ...args),
      forget: (transfer) => this.#transfers.delete(transfer),
      closeGraceMs: opts.closeGraceMs ?? CLOSE_GRACE_MS,
      offerWaitMs: opts.offerWaitMs ?? OFFER_WAIT_MS,
      pacing: { ...DEFAULT_PACING, ...opts.pacing },
      progressIntervalMs: opts.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
      now: () => this.#now(),
      consider: (offer) => {
        const times = recordOffer(this.#offers.get(offer.peer) ?? [], this.#now(), this.#policy.burstWindowMs);
        this.#offers.set(offer.peer, times);
        return decideOffer(this.#policy, offer.size, { heldBytes: this.heldBytes, recentOffers: times.length - 1 });
      },
      hasRoom: (size) => hasRoom(this.#policy, size, this.heldBytes),
      noRoom: () => noRoomReason(this.heldBytes, this.#policy.maxUnsavedBytes),
      keep: (info, blob) => {
        const key = keyOf(info.id, info.peer);
        // acceptChannel takes no id twice from a peer; should one slip past it, the file
        // already held keeps its place, as replacing it would lose its URL unrevoked.
        if (this.#kept.has(key) || this.#saving.has(key)) return undefined;
        const url = this.#urls.create(blob);
        this.#kept.set(key, { bytes: info.size, url });
        return url;
      },
    };
  }

  /**
   * Received bytes held for the person: files not yet saved or dismissed, and
   * the full size of those accepted and still arriving.
   */
  get heldBytes(): number {
    let held = 0;
    for (const kept of this.#kept.values()) held += kept.bytes;
    for (const t of this.#transfers) if (t instanceof Incoming) held += t.heldBytes;
    return held;
  }

  /**
   * Sends `file` to each of `peers` and returns the transfer id (`id` when given).
   * Each peer gets its own channel and pace, so a slow peer never holds up a fast
   * one; the file is read and hashed once for all of them (file-source.ts).
   */
  send(file: Blob, peers: readonly ParticipantId[], name = fileNameOf(file), id = this.#newId()): string {
    if (this.#closed) return id;
    const { readBytes, readAhead, windowReads } = this.#host.pacing;
    const source = new FileSource(file, { readBytes, readAhead, windowReads });
    for (const peer of new Set(peers)) {
      const info: TransferInfo = { id, peer, direction: 'send', name, size: file.size, mime: file.type };
      const outgoing = new Outgoing(this.#host, info, source, file, this.#openChannel(peer, fileChannelLabel(id)));
      this.#transfers.add(outgoing);
      outgoing.start();
    }
    return id;
  }

  /**
   * Takes a channel `peer` opened to us (its label starts with FILE_CHANNEL_PREFIX).
   * The caller hands it over in `ondatachannel`, before any message can arrive.
   */
  acceptChannel(peer: ParticipantId, channel: Channel): void {
    const id = transferIdOfLabel(channel.label);
    if (this.#closed || id === undefined) {
      channel.close();
      return;
    }
    const used = this.#usedIds.get(peer) ?? new Set<string>();
    this.#usedIds.set(peer, used);
    const fromPeer = [...this.#transfers].filter((t): t is Incoming => t instanceof Incoming && t.active && t.info.peer === peer);
    const running = fromPeer.filter((t) => !t.refused);
    // An id used before, running or over, is refused: its file may still be kept, and its row still shown.
    const refusal = used.has(id)
      ? 'a transfer with this id was already made in this call'
      : used.size >= this.#maxIdsPerPeer
        ? `too many files in this call (at most ${this.#maxIdsPerPeer})`
        : running.length >= this.#maxIncomingPerPeer
          ? `too many files at once (at most ${this.#maxIncomingPerPeer})`
          : undefined;
    if (used.size < this.#maxIdsPerPeer) used.add(id);
    // A refusal waits for the offer, to tell the sender why; a peer that keeps opening channels past it is not told.
    if (refusal !== undefined && fromPeer.length - running.length >= this.#maxIncomingPerPeer) {
      channel.close();
      return;
    }
    const transfer = new Incoming(this.#host, peer, id, channel, this.#maxFileBytes, refusal);
    this.#transfers.add(transfer);
    transfer.start();
  }

  /** The person takes the offer of `id` from `peer` that asked them; it is declined instead if there is no room now. */
  accept(id: string, peer: ParticipantId): void {
    this.#incoming(id, peer)?.answer(true);
  }

  /** The person does not take the offer of `id` from `peer`; both sides let go of it. */
  decline(id: string, peer: ParticipantId): void {
    this.#incoming(id, peer)?.answer(false);
  }

  /**
   * The person saved the received file `id` from `peer`: its bytes no longer
   * count against the unsaved total, and its URL is revoked after SAVED_URL_GRACE_MS.
   */
  saved(id: string, peer: ParticipantId): void {
    const key = keyOf(id, peer);
    const kept = this.#kept.get(key);
    if (!kept) return;
    this.#kept.delete(key);
    const timer = setTimeout(() => {
      this.#saving.delete(key);
      this.#urls.revoke(kept.url);
    }, this.#savedUrlGraceMs);
    this.#saving.set(key, { timer, url: kept.url });
  }

  /** The person is done with the received file `id` from `peer`, saved or not: its URL is revoked now. */
  dismiss(id: string, peer: ParticipantId): void {
    const key = keyOf(id, peer);
    const kept = this.#kept.get(key);
    this.#kept.delete(key);
    if (kept) this.#urls.revoke(kept.url);
  }

  #incoming(id: string, peer: ParticipantId): Incoming | undefined {
    for (const t of this.#transfers) if (t instanceof Incoming && t.info.id === id && t.info.peer === peer && !t.refused) return t;
    return undefined;
  }

  /** Cancels transfer `id` (to or from every peer, or only `peer`) and tells the other side. */
  cancel(id: string, peer?: ParticipantId): void {
    for (const t of [...this.#transfers]) {
      if (t.info.id === id && (peer === undefined || t.info.peer === peer)) t.cancel('cancelled');
    }
  }

  /** Fails every transfer with `peer`, who has left the call; its channels are closing anyway. */
  removePeer(peer: ParticipantId): void {
    this.#offers.delete(peer);
    for (const t of [...this.#transfers]) {
      if (t.info.peer !== peer) continue;
      t.abandon('the peer left the call');
      t.dispose(); // also a finished one still waiting out its grace period
    }
  }

  /**
   * Cancels every transfer, closes their channels, revokes every received
   * file's URL and forgets all listeners; safe to call twice.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.#transfers]) t.cancel('the call ended');
    for (const t of [...this.#transfers]) t.dispose();
    this.#transfers.clear();
    for (const kept of this.#kept.values()) this.#urls.revoke(kept.url);
    this.#kept.clear();
    for (const { timer, url } of this.#saving.values()) {
      clearTimeout(timer);
      this.#urls.revoke(url);
    }
    this.#saving.clear();
    this.#offers.clear();
    this.#usedIds.clear();
    this.removeAllListeners();
  }
}

const fileNameOf = (blob: Blob): string => ('name' in blob && typeof blob.name === 'string' && blob.name) || 'file';

/** Sends a control frame if the channel can still take it; false if it could not. */
function sendQuietly(channel: Channel, msg: FileControl): boolean {
  if (channel.readyState !== 'open') return false;
  try {
    channel.send(encodeDataMessage(msg));
    return true;
  } catch (err) {
    console.warn(`zing: could not send ${msg.type}`, err);
    return false;
  }
}

/** Only these types become the received Blob's type; HTML, SVG and the like could run script if opened. */
const INERT_MIME = /^(image\/(png|jpeg|gif|webp|avif|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|text\/plain|application\/pdf)$/;
const inertBlobType = (mime: string): string => (INERT_MIME.test(mime) ? mime : 'application/octet-stream');

/**
 * One transfer with one peer over one channel: its listeners, the last word,
 * and closing. It stays with its FileTransfers until the channel is closed, so
 * FileTransfers.close() can end a grace timer that is still running.
 */
abstract class Transfer {
  abstract readonly info: TransferInfo;
  protected readonly host: Host;
  protected readonly channel: Channel;
  protected finished = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onMessage = (ev: ChannelEventMap['message']) => {
    if (!this.finished) this.onData(ev.data);
  };
  readonly #onClose = () => {
    this.abandon('the connection closed before the transfer finished');
    this.closeNow();
  };

  constructor(host: Host, channel: Channel) {
    this.host = host;
    this.channel = channel;
    // A binary frame as an ArrayBuffer, not a Blob (Firefox's default): chunks are hashed as they come.
    channel.binaryType = 'arraybuffer';
  }

  /** Until it has completed, failed, been cancelled or declined. */
  get active(): boolean {
    return !this.finished;
  }

  start(): void {
    this.channel.addEventListener('message', this.#onMessage);
    this.channel.addEventListener('close', this.#onClose);
  }

  protected abstract onData(data: unknown): void;

  /** Stops on the user's word and tells the other side. */
  cancel(reason: string): void {
    if (this.finished) return;
    this.sendLastWord({ type: 'fileCancel', id: this.info.id, reason });
    this.finish('cancelled', { ...this.info, by: 'self', reason });
  }

  /** Fails without a word to the other side, which is gone or already knows. */
  abandon(reason: string): void {
    if (this.finished) return;
    this.finish('failed', { ...this.info, reason });
    this.closeNow();
  }

  /** Fails and tells the other side why. */
  protected fail(reason: string): void {
    if (this.finished) return;
    this.sendLastWord({ type: 'fileFailed', id: this.info.id, reason });
    this.finish('failed', { ...this.info, reason });
  }

  /** Handles the other side's last word; true if `msg` was one. */
  protected heardLastWord(msg: DataMessage): boolean {
    if (msg.type === 'fileCancel') this.finish('cancelled', { ...this.info, by: 'peer', reason: msg.reason });
    else if (msg.type === 'fileFailed') this.finish('failed', { ...this.info, reason: msg.reason });
    else return false;
    this.closeNow();
    return true;
  }

  /** Sends the transfer's last word; the other side closes on hearing it, or this side after the grace period. */
  protected sendLastWord(msg: FileControl): void {
    if (!sendQuietly(this.channel, msg)) return this.closeNow();
    clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => this.closeNow(), this.host.closeGraceMs);
  }

  protected finish<K extends EndEvent>(event: K, ...args: FileTransferEvents[K]): void {
    this.finished = true;
    this.host.emit(event, ...args);
  }

  /** Closes the channel (a no-op if it is already closed) and lets go of it; safe to call twice. */
  protected closeNow(): void {
    clearTimeout(this.#closeTimer);
    this.#unlisten();
    this.channel.close();
    this.host.forget(this);
  }

  /** Closes at once, without a word or an event; only for FileTransfers.close(). */
  dispose(): void {
    this.finished = true;
    this.closeNow();
  }

  #unlisten(): void {
    this.channel.removeEventListener('message', this.#onMessage);
    this.channel.removeEventListener('close', this.#onClose);
  }
}

class Outgoing extends Transfer {
  readonly info: TransferInfo;
  readonly #source: FileSource;
  readonly #file: Blob;
  /** This receiver's way through the file; its reads start with start(), and it closes when the transfer ends. */
  readonly #reader: SliceReader;
  /** `offered`: the offer is out, waiting for the receiver's answer; nothing else is sent until it says yes. */
  #phase: 'opening' | 'offered' | 'sending' | 'sentAll' = 'opening';
  readonly #progress: ProgressGate;

  constructor(host: Host, info: TransferInfo, source: FileSource, file: Blob, channel: Channel) {
    super(host, channel);
    this.info = info;
    this.#source = source;
    this.#reader = source.reader();
    this.#file = file;
    this.#progress = new ProgressGate(host, info);
    channel.bufferedAmountLowThreshold = host.pacing.lowWaterBytes;
  }

  override start(): void {
    super.start();
    this.host.emit('transferStarted', { ...this.info });
    // The first reads go on while the channel opens and the offer makes its round trip, so the
    // first chunk leaves as the accept arrives rather than a read later (bench:transfer, small files).
    this.#reader.prefetch();
    this.#offer().catch((err: unknown) => this.fail(`could not send the file: ${describe(err)}`));
  }

  protected onData(data: unknown): void {
    const msg = typeof data === 'string' ? parseDataMessage(data) : undefined;
    if (!msg || !('id' in msg) || msg.id !== this.info.id) {
      this.fail('the receiver sent something unexpected');
    } else if (msg.type === 'fileAccept' && this.#phase === 'offered') {
      this.#phase = 'sending';
      this.host.emit('accepted', { ...this.info });
      this.#run().catch((err: unknown) => this.fail(`could not send the file: ${describe(err)}`));
    } else if (msg.type === 'fileDecline' && this.#phase === 'offered') {
      this.finish('declined', { ...this.info, by: 'peer', reason: msg.reason });
      this.closeNow();
    } else if (msg.type === 'fileDone' && this.#phase === 'sentAll') {
      this.finish('completed', { ...this.info, blob: this.#file, url: undefined, verified: true });
      this.closeNow();
    } else if (!this.heardLastWord(msg)) {
      this.fail('the receiver sent something unexpected');
    }
  }

  async #offer(): Promise<void> {
    const { id, name, size, mime } = this.info;
    if (!(await this.#until('open'))) return;
    this.#phase = 'offered';
    this.channel.send(encodeDataMessage({ type: 'fileOffer', id, name, size, mime }));
  }

  async #run(): Promise<void> {
    const { chunkBytes, highWaterBytes } = this.host.pacing;
    const reader = this.#reader;
    try {
      let sent = 0;
      for (let slice = await reader.next(); slice !== undefined; slice = await reader.next()) {
        if (this.finished) return;
        for (let at = 0; at < slice.byteLength; at += chunkBytes) {
          // Waiting only above the high water mark bounds the buffer at it plus one chunk.
          while (this.channel.bufferedAmount > highWaterBytes) {
            if (!(await this.#until('bufferedamountlow'))) return;
          }
          if (this.#closing()) return;
          // A view of the shared slice: send() copies it, so the next receiver gets the same bytes.
          this.channel.send(slice.subarray(at, at + chunkBytes));
        }
        sent += slice.byteLength;
        this.#progress.report(sent);
      }
      const blockSha256 = await this.#source.digest();
      if (this.finished || this.#closing()) return;
      this.#progress.report(this.info.size, true);
      this.#phase = 'sentAll';
      this.channel.send(encodeDataMessage({ type: 'fileEnd', id: this.info.id, blockSha256 }));
    } finally {
      reader.close();
    }
  }

  /**
   * Whether the channel has begun to close under a transfer that was awaiting a read or the hash.
   * Its close event follows and fails the transfer with the reason people can read (#onClose);
   * a send now would throw, and the transfer would fail with "channel not open" instead.
   */
  #closing(): boolean {
    return this.channel.readyState === 'closing' || this.channel.readyState === 'closed';
  }

  /** Resolves true on `event`, false once the transfer is over (cancelled, failed, channel closed). */
  #until(event: 'open' | 'bufferedamountlow'): Promise<boolean> {
    if (this.finished) return Promise.resolve(false);
    if (event === 'open' && this.channel.readyState === 'open') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.channel.removeEventListener(event, onEvent);
        this.channel.removeEventListener('close', onEnd);
        this.#wake = undefined;
        resolve(ok && !this.finished);
      };
      const onEvent = () => done(true);
      const onEnd = () => done(false);
      this.channel.addEventListener(event, onEvent);
      this.channel.addEventListener('close', onEnd);
      this.#wake = onEnd;
    });
  }

  // Ends a pending #until when the transfer finishes without the channel closing (a cancel).
  #wake: (() => void) | undefined;

  protected override finish<K extends EndEvent>(event: K, ...args: FileTransferEvents[K]): void {
    super.finish(event, ...args);
    this.#wake?.();
    // Declined or ended before #run took it: its reads ahead and its place in the shared window go.
    this.#reader.close();
  }

  override dispose(): void {
    super.dispose();
    this.#reader.close();
  }
}

class Incoming extends Transfer {
  info: TransferInfo;
  /** Why this channel is not taken, told to the sender once it offers; such a transfer emits nothing. */
  readonly refused: string | undefined;
  readonly #maxFileBytes: number;
  /**
   * `waiting`: no offer yet; `asking`: its person decides; `receiving`:
   * accepted, bytes may come; `checking`: `fileEnd` came, its hash is being checked.
   */
  #phase: 'waiting' | 'asking' | 'receiving' | 'checking' = 'waiting';
  /** Hashes the bytes a block at a time and keeps each block as a Blob part: 1024 parts for 1 GB. */
  readonly #hash = new BlockHasher((block) => this.#parts.push(new Blob([block])));
  readonly #progress: ProgressGate;
  readonly #parts: Blob[] = [];
  #received = 0;
  #offerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: Host, peer: ParticipantId, id: string, channel: Channel, maxFileBytes: number, refused: string | undefined) {
    super(host, channel);
    // Filled in by the offer; until then nothing is emitted, so these placeholders are never seen.
    this.info = { id, peer, direction: 'receive', name: '', size: 0, mime: '' };
    this.#maxFileBytes = maxFileBytes;
    this.refused = refused;
    this.#progress = new ProgressGate(host, this.info);
  }

  override start(): void {
    super.start();
    this.#offerTimer = setTimeout(() => {
      if (this.#phase === 'waiting') this.abandon(`no offer within ${this.host.offerWaitMs} ms`); // silently: nothing was announced
    }, this.host.offerWaitMs);
  }

  /** Bytes this transfer holds room for: its whole size from the moment it is accepted. */
  get heldBytes(): number {
    return (this.#phase === 'receiving' || this.#phase === 'checking') && !this.finished ? this.info.size : 0;
  }

  /** The person's answer to an offer that asked them; ignored at any other time. */
  answer(yes: boolean): void {
    if (this.finished || this.#phase !== 'asking') return;
    if (!yes) this.#decline(DECLINED);
    else if (!this.host.hasRoom(this.info.size)) this.#decline(this.host.noRoom());
    else this.#accept();
  }

  override cancel(reason: string): void {
    // Cancelling an offer that is still asking is saying no to it.
    if (this.#phase === 'asking' && !this.finished) this.#decline(DECLINED);
    else super.cancel(reason);
  }

  protected onData(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      this.#chunk(data);
      return;
    }
    const msg = typeof data === 'string' ? parseDataMessage(data) : undefined;
    if (!msg || !('id' in msg) || msg.id !== this.info.id) {
      this.#protocolError('a frame that is not part of this transfer');
    } else if (msg.type === 'fileOffer' && this.#phase === 'waiting' && this.refused !== undefined) {
      this.fail(this.refused); // silently: nothing was announced
    } else if (msg.type === 'fileOffer' && this.#phase === 'waiting') {
      this.#offered(msg.name, msg.size, msg.mime);
    } else if (msg.type === 'fileEnd' && this.#phase === 'receiving') {
      this.#end(msg.blockSha256).catch((err: unknown) => this.fail(`could not check the file: ${describe(err)}`));
    } else if (!this.heardLastWord(msg)) {
      this.#protocolError(`an unexpected ${msg.type}`);
    }
  }

  #offered(name: string, size: number, mime: string): void {
    clearTimeout(this.#offerTimer);
    this.info = { ...this.info, name, size, mime };
    this.#progress.info = this.info;
    this.#phase = 'asking'; // announced from here on
    this.host.emit('transferStarted', { ...this.info });
    if (size > this.#maxFileBytes) return this.fail(`the file is larger than the ${formatBytes(this.#maxFileBytes)} limit`);
    const decision = this.host.consider(this.info);
    if (decision.kind === 'accept') this.#accept();
    else if (decision.kind === 'decline') this.#decline(decision.reason);
    else this.host.emit('consentAsked', { ...this.info, why: decision.why });
  }

  #accept(): void {
    this.#phase = 'receiving';
    if (!sendQuietly(this.channel, { type: 'fileAccept', id: this.info.id })) {
      return this.abandon('the connection closed before the transfer started');
    }
    this.host.emit('accepted', { ...this.info });
  }

  #decline(reason: string): void {
    this.sendLastWord({ type: 'fileDecline', id: this.info.id, reason });
    this.finish('declined', { ...this.info, by: 'self', reason });
  }

  #chunk(bytes: ArrayBuffer): void {
    if (this.#phase === 'checking') return this.#protocolError('file bytes after its end');
    if (this.#phase !== 'receiving') return this.#protocolError('file bytes before the offer was accepted');
    this.#received += bytes.byteLength;
    if (this.#received > this.info.size) {
      return this.fail(`received more than the ${this.info.size} bytes offered`);
    }
    this.#hash.update(new Uint8Array(bytes));
    this.#progress.report(this.#received, this.#received === this.info.size);
  }

  async #end(expected: string): Promise<void> {
    const { size } = this.info;
    if (this.#received !== size) return this.fail(`received ${this.#received} of ${size} bytes`);
    this.#phase = 'checking';
    const actual = await this.#hash.digestHex();
    if (this.finished) return; // cancelled, failed or closed meanwhile
    if (actual !== expected) return this.fail(`SHA-256 mismatch: the sender's is ${expected}, the received bytes' is ${actual}`);
    if (size === 0) this.#progress.report(0, true);
    const blob = new Blob(this.#parts, { type: inertBlobType(this.info.mime) });
    const url = this.host.keep(this.info, blob);
    if (url === undefined) return this.fail('a file with this id from this peer is already kept');
    this.sendLastWord({ type: 'fileDone', id: this.info.id });
    this.finish('completed', { ...this.info, blob, url, verified: true });
  }

  #protocolError(what: string): void {
    if (this.#phase !== 'waiting') this.fail(`the sender sent ${what}`);
    else this.abandon(`the sender sent ${what}`); // nothing was announced yet, so nobody is told
  }

  protected override finish<K extends EndEvent>(event: K, ...args: FileTransferEvents[K]): void {
    // Let go of the received bytes now, not when the channel finally closes.
    this.#parts.length = 0;
    clearTimeout(this.#offerTimer);
    // Nothing was announced before the offer, so nothing ends either.
    if (this.#phase !== 'waiting') super.finish(event, ...args);
    else this.finished = true;
  }
}

/** Emits a transfer's progress at most once per progressIntervalMs, and always its last figure. */
class ProgressGate {
  info: TransferInfo;
  readonly #host: Host;
  #at = Number.NEGATIVE_INFINITY;
  #last = -1;

  constructor(host: Host, info: TransferInfo) {
    this.#host = host;
    this.info = info;
  }

  report(transferred: number, last = false): void {
    if (transferred === this.#last) return;
    const now = this.#host.now();
    if (!last && now - this.#at < this.#host.progressIntervalMs) return;
    this.#at = now;
    this.#last = transferred;
    this.#host.emit('progress', { ...this.info, transferred });
  }
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));
