// Raised hands and reactions for one call, peer to peer over each link's
// `chat` data channel (protocol/data.ts). The order of hands is HandQueue's;
// reactions are limited per person on the way out and again on the way in,
// shown for a few seconds, and announced once. State is keyed by the call
// page's participant view ids (`self` for this person).
import type { GestureMessage, HandMessage, Reaction } from '../../protocol/data.ts';
import type { ParticipantId } from '../../protocol/ids.ts';
import { HandQueue, NO_OFFER, nextLowerHandOffer, type LowerHandOffer } from './hand-queue.ts';
import { TokenBuckets, type BucketLimits } from './token-bucket.ts';
import { TypedEmitter } from './typed-emitter.ts';

/** How long a reaction shows over the sender's tile: long enough to notice, short enough not to pile up. */
export const REACTION_SHOW_MS = 4_000;
/** What one person may send: a quick burst of three, then two a second ("a few per second"). */
export const REACTION_SEND_LIMITS: BucketLimits = { burst: 3, perSecond: 2 };
/**
 * What is shown from one person: the same rate, with two more in the burst
 * because the network can deliver a spaced-out burst bunched together. A peer
 * that ignores the send limit gets no further than this.
 */
export const REACTION_RECEIVE_LIMITS: BucketLimits = { burst: 5, perSecond: 2 };
/**
 * How often one person's raised hand is said aloud: an honest person raises a
 * hand now and then; a peer toggling theirs in a loop would otherwise fill the
 * polite live region. Their place in line still shows; only the news is limited.
 */
export const HAND_ANNOUNCE_LIMITS: BucketLimits = { burst: 2, perSecond: 0.2 };
/** Reactions kept over one tile at once; the oldest goes first. At the limits above, more never show anyway. */
export const MAX_REACTIONS_PER_TILE = 8;
/**
 * Changes caused by peers reach the page at most this often: a peer flooding
 * hand messages costs one render per interval, not one per message.
 */
export const GESTURE_RENDER_MS = 50;

const SELF = 'self';

export interface ShownReaction {
  /** Unique within this page, for the UI to key on. */
  readonly id: number;
  readonly reaction: Reaction;
}

export interface GestureState {
  /** Place in line (from 1) of every raised hand, by participant view id. */
  readonly hands: Readonly<Record<string, number>>;
  /** Reactions showing now, by participant view id, oldest first. */
  readonly reactions: Readonly<Record<string, readonly ShownReaction[]>>;
  /** This person has been speaking a while with the hand up: offer to lower it. */
  readonly offerLowerHand: boolean;
}

export type GestureEvents = {
  changed: [GestureState];
  /** Once per reaction shown from someone else, for a polite announcement. */
  reacted: [{ from: string; reaction: Reaction }];
  /** Someone else's hand went up (at most HAND_ANNOUNCE_LIMITS per person). */
  handRaised: [{ from: string; place: number }];
};

export interface GestureOptions {
  /** This person's participant id, the same one the others know; a function where it is not known yet. */
  self: ParticipantId | (() => ParticipantId | undefined);
  /** Sends to one participant, or to everyone without `to`. */
  send: (msg: GestureMessage, to?: ParticipantId) => void;
  /** Milliseconds, for the reaction limits; performance.now unless given. */
  now?: () => number;
}

export class Gestures extends TypedEmitter<GestureEvents> {
  readonly #self: () => ParticipantId | undefined;
  readonly #send: GestureOptions['send'];
  readonly #now: () => number;
  readonly #hands: HandQueue;
  readonly #sendLimit = new TokenBuckets<string>(REACTION_SEND_LIMITS);
  readonly #receiveLimit = new TokenBuckets<string>(REACTION_RECEIVE_LIMITS);
  readonly #announceLimit = new TokenBuckets<string>(HAND_ANNOUNCE_LIMITS);
  readonly #shown = new Map<string, ShownReaction[]>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #render: ReturnType<typeof setTimeout> | undefined;
  #offer: LowerHandOffer = NO_OFFER;
  #nextId = 1;
  #state: GestureState = { hands: {}, reactions: {}, offerLowerHand: false };
  #closed = false;

  constructor(opts: GestureOptions) {
    super();
    const { self } = opts;
    this.#self = typeof self === 'function' ? self : () => self;
    this.#send = opts.send;
    this.#now = opts.now ?? (() => performance.now());
    this.#hands = new HandQueue(this.#self);
  }

  get state(): GestureState {
    return this.#state;
  }

  get handRaised(): boolean {
    return this.#hands.raised;
  }

  toggleHand(): void {
    if (this.handRaised) this.lowerHand();
    else this.raiseHand();
  }

  raiseHand(): void {
    this.#own(this.#closed ? undefined : this.#hands.raise());
  }

  lowerHand(): void {
    this.#own(this.#closed ? undefined : this.#hands.lower());
  }

  /** Sends a reaction to everyone and shows it here; false if this person is over the limit (nothing sent). */
  react(reaction: Reaction): boolean {
    if (this.#closed || !this.#sendLimit.take(SELF, this.#now())) return false;
    this.#send({ type: 'reaction', reaction });
    this.#show(SELF, reaction);
    this.#emitNow();
    return true;
  }

  /** A gesture from a participant, already parsed and validated. */
  receive(from: ParticipantId, msg: GestureMessage): void {
    if (this.#closed || from === this.#self()) return;
    if (msg.type === 'hand') {
      const wasUp = this.#hands.isUp(from);
      if (!this.#hands.receive(from, msg)) return;
      const place = this.#hands.places().get(from);
      if (!wasUp && place !== undefined && this.#announceLimit.take(from, this.#now())) this.emit('handRaised', { from, place });
    } else {
      if (!this.#receiveLimit.take(from, this.#now())) return; // past what an honest sender sends: dropped
      this.#show(from, msg.reaction);
      this.emit('reacted', { from, reaction: msg.reaction });
    }
    this.#emitSoon();
  }

  /** A link to `participant` is up (a newcomer, or someone back): they hear our hand if it is up. */
  peerJoined(participant: ParticipantId): void {
    const mine = this.#hands.mine();
    if (mine && !this.#closed) this.#send(mine, participant);
  }

  /** `participant` left the call: their hand and reactions go with them. */
  peerLeft(participant: ParticipantId): void {
    this.#hands.remove(participant);
    this.#receiveLimit.forget(participant);
    this.#announceLimit.forget(participant);
    this.#shown.delete(participant);
    this.#emitSoon();
  }

  /** Whether this person is speaking now (from the speaking detector), for the lower-hand offer. */
  selfSpeaking(speaking: boolean, now = this.#now()): void {
    const next = nextLowerHandOffer(this.#offer, this.handRaised, speaking, now);
    const changed = (next.offer === 'shown') !== (this.#offer.offer === 'shown');
    this.#offer = next;
    if (changed) this.#emitNow();
  }

  /** The person answered the offer ("keep it up"): it does not come back while this hand stays up. */
  dismissLowerHandOffer(): void {
    if (this.#offer.offer !== 'shown') return;
    this.#offer = { ...this.#offer, offer: 'answered' };
    this.#emitNow();
  }

  /** Stops every timer and listener; safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    clearTimeout(this.#render);
    this.removeAllListeners();
  }

  #own(msg: HandMessage | undefined): void {
    if (!msg) return;
    this.#send(msg);
    if (!msg.raised) this.#offer = NO_OFFER;
    this.#emitNow();
  }

  #show(view: string, reaction: Reaction): void {
    const shown: ShownReaction = { id: this.#nextId++, reaction };
    const list = [...(this.#shown.get(view) ?? []), shown].slice(-MAX_REACTIONS_PER_TILE);
    this.#shown.set(view, list);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const left = (this.#shown.get(view) ?? []).filter((r) => r !== shown);
      if (left.length > 0) this.#shown.set(view, left);
      else this.#shown.delete(view);
      this.#emitSoon();
    }, REACTION_SHOW_MS);
    this.#timers.add(timer);
  }

  #snapshot(): GestureState {
    const self = this.#self() ?? '';
    const view = (participant: string) => (participant === self ? SELF : participant);
    const hands: Record<string, number> = {};
    for (const [participant, place] of this.#hands.places()) hands[view(participant)] = place;
    const reactions: Record<string, readonly ShownReaction[]> = {};
    for (const [who, list] of this.#shown) reactions[who] = list;
    return { hands, reactions, offerLowerHand: this.#offer.offer === 'shown' };
  }

  /** For what this person did: shown at once. */
  #emitNow(): void {
    clearTimeout(this.#render);
    this.#render = undefined;
    this.#state = this.#snapshot();
    this.emit('changed', this.#state);
  }

  /** For what peers did: gathered into one render per GESTURE_RENDER_MS. */
  #emitSoon(): void {
    if (this.#render !== undefined || this.#closed) return;
    this.#render = setTimeout(() => this.#emitNow(), GESTURE_RENDER_MS);
  }
}
