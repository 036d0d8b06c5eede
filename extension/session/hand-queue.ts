// Who has a hand up, in what order: the same order at every participant, with
// no clock involved (why: see the note on hands in protocol/data.ts). Pure.
//
// Each participant stamps its own raises and lowers from a Lamport counter,
// which also moves up to every stamp it hears. The line is every raised hand
// sorted by (stamp, participant id): both travel with the hand, so any two
// participants who have heard the same hands show the same line, whatever the
// order the messages arrived in. A hand raised after seeing another one gets a
// higher stamp and queues behind it.
import { MAX_HAND_STAMP, type HandMessage } from '../../protocol/data.ts';

/**
 * How far one message may move this participant's counter up. An honest counter
 * moves by one per raise or lower, and all of them move to what they hear, so
 * two honest ones never drift this far apart. One message with a stamp near
 * MAX_HAND_STAMP would otherwise pin the counter at the cap: every later raise,
 * here and at everyone who hears it, would carry the same stamp, and the line
 * would go by participant id instead of who raised first.
 */
export const MAX_HAND_STEP = 10_000;

/** This participant's own entry: no participant id is empty. */
const OWN = '';

export interface RaisedHand {
  readonly participant: string;
  readonly stamp: number;
}

/** The order of the line: lower stamp first, then the lower participant id (UTF-16 order, the same in every browser). */
export const beforeInLine = (a: RaisedHand, b: RaisedHand): number =>
  a.stamp - b.stamp || (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0);

export class HandQueue {
  readonly #self: () => string;
  #clock = 0;
  /** Raised hands by participant; this participant's own under OWN. */
  readonly #up = new Map<string, number>();
  /** The latest stamp heard from each participant, raise or lower: anything older is stale. */
  readonly #latest = new Map<string, number>();

  /**
   * `self`: this participant's id as the others know it (it breaks ties, so it
   * must be the same everywhere), or a function that gives it once known: a
   * call learns its own id when its identity is made, and has no one to share
   * a line with before that.
   */
  constructor(self: string | (() => string | undefined)) {
    this.#self = typeof self === 'string' ? () => self : () => self() ?? '';
  }

  /** Whether this participant's hand is up. */
  get raised(): boolean {
    return this.#up.has(OWN);
  }

  /** Raises this participant's hand; the message tells everyone. Undefined if it was up already. */
  raise(): HandMessage | undefined {
    return this.raised ? undefined : this.#own(true);
  }

  /** Lowers this participant's hand; undefined if it was not up. */
  lower(): HandMessage | undefined {
    return this.raised ? this.#own(false) : undefined;
  }

  /** This participant's hand as a newcomer must hear it, if it is up: the same stamp, so the same place. */
  mine(): HandMessage | undefined {
    const stamp = this.#up.get(OWN);
    return stamp === undefined ? undefined : { type: 'hand', raised: true, stamp };
  }

  /** A hand message from `from`; true if the line changed. Stale messages (older than one already heard) change nothing. */
  receive(from: string, msg: HandMessage): boolean {
    if (from === OWN || from === this.#self()) return false; // our own, echoed: we know it better
    this.#clock = Math.max(this.#clock, Math.min(msg.stamp, MAX_HAND_STAMP, this.#clock + MAX_HAND_STEP));
    // An equal stamp is applied: it is the same message again (a newcomer catching up), or a capped counter.
    if (msg.stamp < (this.#latest.get(from) ?? 0)) return false;
    this.#latest.set(from, msg.stamp);
    const before = this.#up.get(from);
    if (msg.raised) this.#up.set(from, msg.stamp);
    else this.#up.delete(from);
    return before !== this.#up.get(from);
  }

  /** `participant` left the call: their hand goes with them. True if it was up. */
  remove(participant: string): boolean {
    if (participant === OWN) return false;
    this.#latest.delete(participant);
    return this.#up.delete(participant);
  }

  /** Everyone with a hand up, first in line first; this participant under its own id. */
  line(): RaisedHand[] {
    const self = this.#self();
    return [...this.#up].map(([key, stamp]) => ({ participant: key === OWN ? self : key, stamp })).sort(beforeInLine);
  }

  /** Each raised hand's place in line, from 1, by participant id. */
  places(): Map<string, number> {
    return new Map(this.line().map((h, i) => [h.participant, i + 1]));
  }

  isUp(participant: string): boolean {
    return participant === this.#self() ? this.raised : this.#up.has(participant);
  }

  #own(raised: boolean): HandMessage {
    this.#clock = Math.min(this.#clock + 1, MAX_HAND_STAMP);
    const stamp = this.#clock;
    this.#latest.set(OWN, stamp);
    if (raised) this.#up.set(OWN, stamp);
    else this.#up.delete(OWN);
    return { type: 'hand', raised, stamp };
  }
}

/** Speaking this long, without a pause the speaking detector counts as silence, with the hand up offers to lower it. */
export const LOWER_HAND_OFFER_AFTER_MS = 3_000;

export interface LowerHandOffer {
  /** When the current stretch of speaking with the hand up began. */
  readonly speakingSince: number | undefined;
  /** `shown` until answered; `answered` stops it coming back until the hand goes down and up again. */
  readonly offer: 'none' | 'shown' | 'answered';
}

export const NO_OFFER: LowerHandOffer = { speakingSince: undefined, offer: 'none' };

/** The next state of the "lower your hand?" offer, from whether the hand is up and whether this person is speaking now. */
export function nextLowerHandOffer(prev: LowerHandOffer, handUp: boolean, speaking: boolean, now: number): LowerHandOffer {
  if (!handUp) return NO_OFFER;
  if (!speaking) return prev.speakingSince === undefined ? prev : { ...prev, speakingSince: undefined };
  const speakingSince = prev.speakingSince ?? now;
  const offer = prev.offer === 'none' && now - speakingSince >= LOWER_HAND_OFFER_AFTER_MS ? 'shown' : prev.offer;
  return speakingSince === prev.speakingSince && offer === prev.offer ? prev : { speakingSince, offer };
}
