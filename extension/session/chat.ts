// Text chat for one call: one ordered, reliable `chat` data channel per remote
// peer, owned by that peer's PeerLink and handed in here. The chat sends to
// every peer, queues for channels that are not open yet, validates and
// deduplicates what arrives, and emits one entry per message, own ones included.
// Each peer's messages are rate-limited (chat-rate.ts): past the limit they are
// dropped, and the first drop of a spell is announced (`dropped`). Sending keeps
// to the same limit, so an honest sender's messages are never dropped.
// Display names are the UI's business; entries carry participant ids only.
// The same channel carries gestures (hands, reactions): sent and queued the
// same way, validated here, handed on as they are (see gestures.ts).
// A blocked peer (block()) keeps its channel: nothing goes to it and its chat
// is dropped, but what it says of itself (a hand, a recording notice) is still
// taken, so the page knows it the moment the person is let back in.
import type { ParticipantId } from '../../protocol/ids.ts';
import { encodeDataMessage, isChatText, parseDataMessage, type GestureMessage, type RecordingNotice } from '../../protocol/data.ts';
import type { Channel, ChannelEventMap } from './channel.ts';
import { CHAT_LIMITS, admitChat, fullChatBucket, type ChatBucket, type ChatLimits } from './chat-rate.ts';
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

export interface ChatDrop {
  from: ParticipantId;
  /** This machine's clock when the first message of the spell was dropped. */
  at: number;
}

export type ChatEvents = {
  /** A message from a peer (the first copy of its id) or from `send()`. */
  message: [ChatEntry];
  /** A peer's messages came too fast and some are being dropped: once per spell of drops. */
  dropped: [ChatDrop];
  /** A hand or a reaction from a peer, validated. */
  gesture: [ParticipantId, GestureMessage];
  /** A peer says it started or stopped recording the call (validated; see recording-notices.ts). */
  recording: [ParticipantId, RecordingNotice];
};

/** `tooFast`: over the rate every peer allows (chat-rate.ts); wait a moment. */
export type ChatSendResult = { ok: true; entry: ChatEntry } | { ok: false; reason: 'invalid' | 'closed' | 'tooFast' };

export interface ChatOptions {
  /** Messages kept per peer while its channel is not open; past this the oldest are dropped. */
  maxQueuedPerPeer?: number;
  /** Message ids remembered for deduplication; past this the oldest are forgotten. */
  maxRememberedIds?: number;
  /** How fast each peer's messages are taken, and this side's are sent. */
  limits?: ChatLimits;
  now?: () => number;
  newId?: () => string;
}

/**
 * A reconnecting peer's backlog, flushed at once when its channel opens: the
 * burst a peer takes at once (CHAT_LIMITS), since more would be dropped there.
 */
export const DEFAULT_MAX_QUEUED_PER_PEER = CHAT_LIMITS.messages.burst;
/** Duplicates come from a resend shortly after the original, so recent ids are all that need remembering. */
export const DEFAULT_MAX_REMEMBERED_IDS = 10_000;

interface PeerChat {
  channel: Channel;
  /** Encoded frames not yet handed to the channel, oldest first. */
  queue: string[];
  detach: () => void;
  /** What this peer may still send us. */
  bucket: ChatBucket;
  /** Blocked: nothing is sent to it, and only its hand and recording notices are taken. */
  blocked: boolean;
}

export class Chat extends TypedEmitter<ChatEvents> {
  readonly #peers = new Map<ParticipantId, PeerChat>();
  // A Set iterates in insertion order, so its first element is the oldest id.
  readonly #seen = new Set<string>();
  readonly #maxQueued: number;
  readonly #maxIds: number;
  readonly #limits: ChatLimits;
  /** What this side may still send, by the limits every peer applies. */
  readonly #own: ChatBucket;
  readonly #now: () => number;
  readonly #newId: () => string;
  #closed = false;

  constructor(opts: ChatOptions = {}) {
    super();
    this.#maxQueued = opts.maxQueuedPerPeer ?? DEFAULT_MAX_QUEUED_PER_PEER;
    this.#maxIds = opts.maxRememberedIds ?? DEFAULT_MAX_REMEMBERED_IDS;
    this.#now = opts.now ?? Date.now;
    this.#newId = opts.newId ?? (() => crypto.randomUUID());
    this.#limits = opts.limits ?? CHAT_LIMITS;
    this.#own = fullChatBucket(this.#limits, this.#now());
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
    const entry: PeerChat = {
      channel,
      queue: old?.queue ?? [],
      detach: () => undefined, // replaced once the listeners are attached below
      // A new channel from the same peer does not refill what it may send.
      bucket: old?.bucket ?? fullChatBucket(this.#limits, this.#now()),
      blocked: old?.blocked ?? false,
    };
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
   * Blocks `peer` (their safety code changed after it was verified) or lets
   * them back in. While blocked nothing is sent to them, what was queued for
   * them is dropped, and of what they send only their hand and recording
   * notices are taken: those are about them, and the person here must see
   * them current once they accept the new code (they are not sent again).
   * A channel that replaces theirs stays blocked; one added after
   * removePeer starts unblocked.
   */
  block(peer: ParticipantId, blocked: boolean): void {
    const entry = this.#peers.get(peer);
    if (!entry || entry.blocked === blocked) return;
    entry.blocked = blocked;
    if (blocked) entry.queue.length = 0;
  }

  /**
   * Sends `text` to every peer under one id and emits the own entry. Text that
   * is blank or over MAX_CHAT_TEXT_BYTES is refused as 'invalid'; the UI should
   * stop it before that. Faster than the peers take messages, it is refused as
   * 'tooFast' and not sent.
   */
  send(text: string): ChatSendResult {
    if (this.#closed) return { ok: false, reason: 'closed' };
    if (!isChatText(text)) return { ok: false, reason: 'invalid' };
    const now = this.#now();
    const entry: ChatEntry = { id: this.#newId(), from: 'self', text, sentAt: now, receivedAt: now };
    const frame = encodeDataMessage({ type: 'chat', id: entry.id, text, sentAt: now });
    if (admitChat(this.#own, this.#limits, frame.length, now) !== 'ok') return { ok: false, reason: 'tooFast' };
    this.#remember(entry.id);
    for (const peer of this.#peers.values()) this.#enqueue(peer, frame);
    this.emit('message', entry);
    return { ok: true, entry };
  }

  /** Sends a gesture (or a recording notice) to `to`, or to every peer; queued like chat where a channel is not open yet. */
  sendGesture(msg: GestureMessage | RecordingNotice, to?: ParticipantId): void {
    if (this.#closed) return;
    const frame = encodeDataMessage(msg);
    const peers = to === undefined ? [...this.#peers.values()] : [this.#peers.get(to)].filter((p) => p !== undefined);
    for (const peer of peers) this.#enqueue(peer, frame);
  }

  /** Detaches from every channel and forgets all listeners; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.detach();
    this.#peers.clear();
    this.removeAllListeners();
  }

  /** Queues `frame` for `peer` (none for a blocked one), dropping its oldest past maxQueuedPerPeer, and sends what the channel takes. */
  #enqueue(peer: PeerChat, frame: string): void {
    if (peer.blocked) return;
    peer.queue.push(frame);
    if (peer.queue.length > this.#maxQueued) peer.queue.shift();
    this.#flush(peer);
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
    // A blocked peer's chat and reactions are dropped: nothing of theirs is shown.
    if (this.#peers.get(peer)?.blocked && msg?.type !== 'hand' && msg?.type !== 'recording') return;
    if (msg?.type === 'hand' || msg?.type === 'reaction') {
      this.emit('gesture', peer, msg);
      return;
    }
    if (msg?.type === 'recording') {
      // Taken from the peer's chat allowance: each one re-renders the call page, and a
      // flood of toggles would do it thousands of times a second. Only a hostile peer
      // goes past it, and such a peer can record without saying so anyway.
      if (this.#peers.has(peer) && this.#admit(peer, data.length, this.#now()) === 'ok') this.emit('recording', peer, msg);
      return;
    }
    if (msg?.type !== 'chat' || this.#seen.has(msg.id)) return;
    const now = this.#now();
    const verdict = this.#admit(peer, data.length, now);
    if (verdict === undefined) return;
    // A dropped id is not remembered: if the peer sends it again later, it is taken then.
    if (verdict === 'droppedFirst') this.emit('dropped', { from: peer, at: now });
    if (verdict !== 'ok') return;
    this.#remember(msg.id);
    this.emit('message', { id: msg.id, from: peer, text: msg.text, sentAt: msg.sentAt, receivedAt: now });
  }

  /** Whether `peer`'s frame of `length` fits its allowance now; undefined for a peer not in the call. */
  #admit(peer: ParticipantId, length: number, now: number): ReturnType<typeof admitChat> | undefined {
    const bucket = this.#peers.get(peer)?.bucket;
    return bucket && admitChat(bucket, this.#limits, length, now);
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size <= this.#maxIds) return;
    const oldest = this.#seen.values().next();
    if (!oldest.done) this.#seen.delete(oldest.value);
  }
}
