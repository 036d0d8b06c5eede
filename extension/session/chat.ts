// Text chat for one call: one ordered, reliable `chat` data channel per remote
// peer, owned by that peer's PeerLink and handed in here. The chat sends to
// every peer, queues for channels that are not open yet, validates and
// deduplicates what arrives, and emits one entry per message, own ones included.
// Display names are the UI's business; entries carry participant ids only.
import type { ParticipantId } from '../../protocol/ids.ts';
import { encodeDataMessage, isChatText, parseDataMessage } from '../../protocol/data.ts';
import type { Channel, ChannelEventMap } from './channel.ts';
import { TypedEmitter } from './typed-emitter.ts';

export interface ChatEntry {
  id: string;
  from: ParticipantId | 'self';
  text: string;
  /** The sender's clock, ms since the epoch; another machine's clock may be off. */
  sentAt: number;
  /** This machine's clock when the entry was emitted; order a transcript by this. */
  receivedAt: number;
}

export type ChatEvents = {
  /** A message from a peer (the first copy of its id) or from `send()`. */
  message: [ChatEntry];
};

export type ChatSendResult = { ok: true; entry: ChatEntry } | { ok: false; reason: 'invalid' | 'closed' };

export interface ChatOptions {
  /** Messages kept per peer while its channel is not open; past this the oldest are dropped. */
  maxQueuedPerPeer?: number;
  /** Message ids remembered for deduplication; past this the oldest are forgotten. */
  maxRememberedIds?: number;
  now?: () => number;
  newId?: () => string;
}

/** A reconnecting peer's backlog: a minute of fast typing, small enough to never matter for memory. */
export const DEFAULT_MAX_QUEUED_PER_PEER = 500;
/** Duplicates come from a resend shortly after the original, so recent ids are all that need remembering. */
export const DEFAULT_MAX_REMEMBERED_IDS = 10_000;

interface PeerChat {
  channel: Channel;
  /** Encoded frames not yet handed to the channel, oldest first. */
  queue: string[];
  detach: () => void;
}

export class Chat extends TypedEmitter<ChatEvents> {
  readonly #peers = new Map<ParticipantId, PeerChat>();
  // A Set iterates in insertion order, so its first element is the oldest id.
  readonly #seen = new Set<string>();
  readonly #maxQueued: number;
  readonly #maxIds: number;
  readonly #now: () => number;
  readonly #newId: () => string;
  #closed = false;

  constructor(opts: ChatOptions = {}) {
    super();
    this.#maxQueued = opts.maxQueuedPerPeer ?? DEFAULT_MAX_QUEUED_PER_PEER;
    this.#maxIds = opts.maxRememberedIds ?? DEFAULT_MAX_REMEMBERED_IDS;
    this.#now = opts.now ?? Date.now;
    this.#newId = opts.newId ?? (() => crypto.randomUUID());
  }

  /**
   * Starts chatting with `peer` over `channel` (ordered, reliable; may still be
   * connecting). A second call for the same peer replaces its channel and keeps
   * whatever was still queued for it. The chat never closes a channel: its PeerLink does.
   */
  addPeer(peer: ParticipantId, channel: Channel): void {
    if (this.#closed) return;
    const old = this.#peers.get(peer);
    if (old?.channel === channel) return;
    old?.detach();
    const entry: PeerChat = { channel, queue: old?.queue ?? [], detach: () => undefined }; // replaced once the listeners are attached below
    const onMessage = (ev: ChannelEventMap['message']) => this.#receive(peer, ev.data);
    const onOpen = () => this.#flush(entry);
    channel.addEventListener('message', onMessage);
    channel.addEventListener('open', onOpen);
    entry.detach = () => {
      channel.removeEventListener('message', onMessage);
      channel.removeEventListener('open', onOpen);
    };
    this.#peers.set(peer, entry);
    this.#flush(entry);
  }

  /** Stops chatting with `peer` and drops anything still queued for it. */
  removePeer(peer: ParticipantId): void {
    this.#peers.get(peer)?.detach();
    this.#peers.delete(peer);
  }

  /**
   * Sends `text` to every peer under one id and emits the own entry. Text that
   * is blank or over MAX_CHAT_TEXT_BYTES is refused as 'invalid'; the UI should
   * stop it before that.
   */
  send(text: string): ChatSendResult {
    if (this.#closed) return { ok: false, reason: 'closed' };
    if (!isChatText(text)) return { ok: false, reason: 'invalid' };
    const now = this.#now();
    const entry: ChatEntry = { id: this.#newId(), from: 'self', text, sentAt: now, receivedAt: now };
    this.#remember(entry.id);
    const frame = encodeDataMessage({ type: 'chat', id: entry.id, text, sentAt: now });
    for (const peer of this.#peers.values()) {
      peer.queue.push(frame);
      if (peer.queue.length > this.#maxQueued) peer.queue.shift();
      this.#flush(peer);
    }
    this.emit('message', entry);
    return { ok: true, entry };
  }

  /** Detaches from every channel and forgets all listeners; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.detach();
    this.#peers.clear();
    this.removeAllListeners();
  }

  // Everything goes through the queue, so a frame never overtakes an older one
  // still waiting for the channel to open.
  #flush(peer: PeerChat): void {
    while (peer.queue.length > 0 && peer.channel.readyState === 'open') {
      try {
        peer.channel.send(peer.queue[0]!); // length checked by the loop condition
      } catch (err) {
        // Closing under us, or (Chromium) a full send buffer: keep the frame for the next open or send().
        console.warn('zing: chat frame not sent yet', err);
        return;
      }
      peer.queue.shift();
    }
  }

  #receive(peer: ParticipantId, data: unknown): void {
    if (typeof data !== 'string') return; // the chat channel carries text only
    const msg = parseDataMessage(data);
    if (msg?.type !== 'chat' || this.#seen.has(msg.id)) return;
    this.#remember(msg.id);
    this.emit('message', { id: msg.id, from: peer, text: msg.text, sentAt: msg.sentAt, receivedAt: this.#now() });
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size <= this.#maxIds) return;
    const oldest = this.#seen.values().next();
    if (!oldest.done) this.#seen.delete(oldest.value);
  }
}
