// File transfer's code (file-transfer.ts with file-source.ts and block-hash.ts,
// about 4 KB of gzipped JavaScript) is not needed to start a call, so it is not
// part of the call page's eager JavaScript (#11): the session loads it when the
// first peer is added, long before anyone can send or offer a file, and
// FileTransfersLater stands in for it until it is there.
//
// Nothing is lost or reordered while it loads: the UI's listeners are here from
// the start, every call waits in order for the code (a file sent keeps the id it
// was given), and a channel a peer opens meanwhile has what arrives on it kept,
// in order, for the code to read first (FileTransfers.acceptChannel expects to
// be listening before any message can arrive).
import type { ParticipantId } from '../../protocol/ids.ts';
import type { Channel, ChannelEventMap } from './channel.ts';
import type { FileTransferEvents, FileTransfers, FileTransfersOptions } from './file-transfer.ts';
import { TypedEmitter } from './typed-emitter.ts';

export type LoadFileTransfers = () => Promise<typeof FileTransfers>;

const loadFileTransfers: LoadFileTransfers = async () => (await import('./file-transfer.ts')).FileTransfers;

/** Every event FileTransfers emits (the type makes the list complete), passed on as it comes. */
const EVENTS: Record<keyof FileTransferEvents, true> = {
  transferStarted: true,
  consentAsked: true,
  accepted: true,
  progress: true,
  completed: true,
  failed: true,
  cancelled: true,
  declined: true,
};

/** FileTransfers' interface, with its code loaded on first need (or on `load()`). */
export class FileTransfersLater extends TypedEmitter<FileTransferEvents> {
  readonly #opts: FileTransfersOptions;
  readonly #loadCode: LoadFileTransfers;
  readonly #newId: () => string;
  #real: FileTransfers | undefined;
  #loading = false;
  #closed = false;
  /** What was asked before the code came, done in order once it has. */
  readonly #queued: ((real: FileTransfers) => void)[] = [];
  /** Channels peers opened before the code came. */
  readonly #held = new Set<HeldChannel>();

  constructor(opts: FileTransfersOptions, loadCode: LoadFileTransfers = loadFileTransfers) {
    super();
    this.#opts = opts;
    this.#loadCode = loadCode;
    this.#newId = opts.newId ?? (() => crypto.randomUUID());
  }

  /** Starts loading the code now, so it is there before it is first needed. */
  load(): void {
    if (this.#real || this.#loading || this.#closed) return;
    this.#loading = true;
    this.#loadCode().then(
      (Code) => {
        this.#loading = false;
        if (this.#closed) return;
        const real = new Code(this.#opts);
        for (const event of Object.keys(EVENTS)) this.#forward(real, event as keyof FileTransferEvents); // EVENTS' keys are exactly these
        this.#real = real;
        for (const op of this.#queued.splice(0)) this.#run(op, real);
      },
      (err: unknown) => {
        this.#loading = false;
        console.error('zing: file transfer could not load', err);
        this.#dropWaiting();
      },
    );
  }

  /** FileTransfers.send: the id is chosen now, the file goes once the code is there. */
  send(file: Blob, peers: readonly ParticipantId[], name: string): string {
    const id = this.#newId();
    this.#do((real) => real.send(file, peers, name, id));
    return id;
  }

  /** FileTransfers.acceptChannel: before the code is there, what arrives on `channel` is kept for it. */
  acceptChannel(peer: ParticipantId, channel: Channel): void {
    if (this.#real || this.#closed) return this.#do((real) => real.acceptChannel(peer, channel), channel);
    const held = hold(channel);
    this.#held.add(held);
    this.#do((real) => {
      this.#held.delete(held);
      real.acceptChannel(peer, held.channel);
      held.release();
    });
  }

  accept(id: string, peer: ParticipantId): void {
    this.#do((real) => real.accept(id, peer));
  }

  decline(id: string, peer: ParticipantId): void {
    this.#do((real) => real.decline(id, peer));
  }

  saved(id: string, peer: ParticipantId): void {
    this.#do((real) => real.saved(id, peer));
  }

  dismiss(id: string, peer: ParticipantId): void {
    this.#do((real) => real.dismiss(id, peer));
  }

  cancel(id: string, peer?: ParticipantId): void {
    this.#do((real) => real.cancel(id, peer));
  }

  removePeer(peer: ParticipantId): void {
    this.#do((real) => real.removePeer(peer));
  }

  /** FileTransfers.close, also while the code is still loading: held channels close and it is never used. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#real?.close();
    this.#dropWaiting();
    this.removeAllListeners();
  }

  /** The code will not come (now): what waited for it is forgotten and held channels close. */
  #dropWaiting(): void {
    this.#queued.length = 0;
    for (const held of this.#held) held.drop();
    this.#held.clear();
  }

  /** Runs `op` now if the code is there, else once it is; after close() only closes `orphan`. */
  #do(op: (real: FileTransfers) => void, orphan?: Channel): void {
    if (this.#closed) return orphan?.close();
    if (this.#real) return op(this.#real);
    this.#queued.push(op);
    this.load();
  }

  /** A queued call that throws (a peer left meanwhile) is reported and does not stop the rest. */
  #run(op: (real: FileTransfers) => void, real: FileTransfers): void {
    try {
      op(real);
    } catch (err) {
      console.error('zing: a file transfer step failed', err);
    }
  }

  #forward<K extends keyof FileTransferEvents>(real: FileTransfers, event: K): void {
    real.on(event, (...args) => this.emit(event, ...args));
  }
}

interface HeldChannel {
  /** The channel as the code sees it: its listeners hear what was kept first. */
  readonly channel: Channel;
  /** Hands what was kept to the listeners added through `channel`, in order, and keeps no more. */
  release(): void;
  /** The code will not come: closes the channel. */
  drop(): void;
}

/** Keeps `channel`'s messages and its close, from now until release(). */
function hold(channel: Channel): HeldChannel {
  // As the code would set it at once: a binary frame kept now is an ArrayBuffer, not a Blob.
  channel.binaryType = 'arraybuffer';
  const kept: { type: 'message' | 'close'; ev: Event }[] = [];
  const keepMessage = (ev: Event) => kept.push({ type: 'message', ev });
  const keepClose = (ev: Event) => kept.push({ type: 'close', ev });
  channel.addEventListener('message', keepMessage);
  channel.addEventListener('close', keepClose);
  const stopKeeping = () => {
    channel.removeEventListener('message', keepMessage);
    channel.removeEventListener('close', keepClose);
  };
  const listeners = new Map<keyof ChannelEventMap, Set<(ev: Event) => void>>();
  const view: Channel = {
    get label() {
      return channel.label;
    },
    get readyState() {
      return channel.readyState;
    },
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    get bufferedAmountLowThreshold() {
      return channel.bufferedAmountLowThreshold;
    },
    set bufferedAmountLowThreshold(bytes) {
      channel.bufferedAmountLowThreshold = bytes;
    },
    get binaryType() {
      return channel.binaryType;
    },
    set binaryType(type) {
      channel.binaryType = type;
    },
    send: (data) => channel.send(data),
    close: () => channel.close(),
    addEventListener(type, listener) {
      channel.addEventListener(type, listener);
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      // Only ever called below with an event the channel gave for this same type.
      set.add(listener as (ev: Event) => void);
    },
    removeEventListener(type, listener) {
      channel.removeEventListener(type, listener);
      // The same function added above, under the same type.
      listeners.get(type)?.delete(listener as (ev: Event) => void);
    },
  };
  return {
    channel: view,
    release() {
      stopKeeping();
      for (const { type, ev } of kept.splice(0)) {
        for (const listener of [...(listeners.get(type) ?? [])]) if (listeners.get(type)?.has(listener)) listener(ev);
      }
    },
    drop() {
      stopKeeping();
      kept.length = 0;
      channel.close();
    },
  };
}
