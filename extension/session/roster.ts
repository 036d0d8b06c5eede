// Who is where in one call: each participant's current relay address, the
// addresses we greeted and have not heard from, and who may have vanished
// while the relay was away. No timers and no clock of its own: the caller
// passes `now` (milliseconds, any monotonic origin) and acts on the answers
// (opens and closes links, sends presence). CallSession is its only user.
//
// Participants are known by the participant id inside sealed messages; a
// relay address (PeerId) is only where they are right now. Every call here
// follows a message whose signature checked (SealedSignaling lets no other
// through): only a participant can move themselves, and only a message bound
// to this page's session (protocol/peer.ts, "Handshake") puts someone on. It changes on
// every reconnect, and a restarted relay hands everyone a new one without
// telling anyone that the old ones left.
import type { ParticipantId, PeerId } from '../../protocol/ids.ts';

/**
 * After a relay outage, how long a participant has to show up again before a
 * link that is also down counts as them gone (their tab may have closed meanwhile).
 */
export const REJOIN_GRACE_MS = 10_000;
/** Presence is re-sent to a peer we have not heard from after this long, a few times: a lost or mangled hello must not leave two people apart. */
export const HELLO_RETRY_MS = 2_000;
/** Greetings per relay address, the first one included. */
export const HELLO_ATTEMPTS = 3;
/**
 * Relay addresses the relay said left, remembered so a message of theirs still
 * being opened when the leave came (signatures are checked one message after
 * another, a leave at once) puts no one on the roster: nothing would ever take
 * them off. The newest this many; an address is never handed out twice.
 */
export const GONE_KEPT = 64;

/** What a signed message meant for the roster. */
export type Arrival =
  /** Someone we did not know: open a link to them. */
  | 'new'
  /** Someone we knew, at another relay address: a reconnect, not a leave and a join; keep the link and resync it. */
  | 'moved'
  /** Someone we knew, at the address we knew. */
  | 'same';

/** What is due at a tick. */
export interface Due {
  /** Relay addresses to send presence to again. */
  readonly greet: readonly PeerId[];
  /** Participants who missed the rejoin and whose link is down: gone, and already off the roster. */
  readonly drop: readonly ParticipantId[];
}

interface Member {
  /** The relay address they last spoke from. */
  peer: PeerId;
  /** When they last announced themselves through the relay. */
  seenAt: number;
}

interface Hello {
  /** When we last greeted the address. */
  at: number;
  /** How often we have greeted it. */
  attempts: number;
}

export class Roster {
  // Insertion order is the order participants were met, which the tiles keep.
  readonly #members = new Map<ParticipantId, Member>();
  /** Current addresses only: emptied on every (re)join, refilled as participants re-announce. */
  readonly #byPeer = new Map<PeerId, ParticipantId>();
  /** Relay addresses we greeted but whose participant has not been admitted or seen there. */
  readonly #unanswered = new Map<PeerId, Hello>();
  /** The newest GONE_KEPT addresses that left, oldest first. */
  readonly #gone = new Set<PeerId>();
  /** When the relay last took us back while we knew someone; never before the first meeting. */
  #rejoinedAt: number | undefined;

  get size(): number {
    return this.#members.size;
  }

  has(participant: ParticipantId): boolean {
    return this.#members.has(participant);
  }

  /** Everyone on the roster, in the order they were met. */
  participants(): ParticipantId[] {
    return [...this.#members.keys()];
  }

  /** Where to reach `participant` now, if they are on the roster. */
  peerOf(participant: ParticipantId): PeerId | undefined {
    return this.#members.get(participant)?.peer;
  }

  /** Whether `peer` is where `participant` is now: media negotiation is taken only from there. */
  isAt(participant: ParticipantId, peer: PeerId): boolean {
    return this.#members.get(participant)?.peer === peer;
  }

  /**
   * Whether nothing `participant` says from `peer` counts: the address left
   * (GONE_KEPT), or someone else is at it now. A relay address is one socket,
   * and one socket is one page: a second identity speaking from it is a link
   * holder posing as more people than the room holds.
   */
  refuses(peer: PeerId, participant: ParticipantId): boolean {
    if (this.#gone.has(peer)) return true;
    const holder = this.#byPeer.get(peer);
    return holder !== undefined && holder !== participant && this.isAt(holder, peer);
  }

  /**
   * The relay took us in (first time or again) with `peers` already there.
   * Everyone known keeps their place and link: they re-announce from their new
   * addresses. The caller greets everyone.
   */
  joined(peers: readonly PeerId[], now: number): void {
    this.#unanswered.clear();
    for (const peer of peers) this.#unanswered.set(peer, { at: now, attempts: 1 });
    if (this.#members.size > 0) this.#rejoinedAt = now;
    this.#byPeer.clear();
  }

  /** A new relay address in the room; the caller greets it. */
  peerJoined(peer: PeerId, now: number): void {
    this.#unanswered.set(peer, { at: now, attempts: 1 });
  }

  /**
   * A relay address left. Returns the participant who left, now off the
   * roster, if it was their current address; an old address leaving is a
   * reconnect, not a leave.
   */
  peerLeft(peer: PeerId): ParticipantId | undefined {
    this.#gone.add(peer);
    if (this.#gone.size > GONE_KEPT) this.#gone.delete(this.#gone.values().next().value as PeerId);
    const participant = this.#byPeer.get(peer);
    this.#byPeer.delete(peer);
    this.#unanswered.delete(peer);
    if (participant === undefined || !this.isAt(participant, peer)) return undefined;
    this.remove(participant);
    return participant;
  }

  /**
   * `participant` spoke from relay address `peer` in a message bound to this
   * page's session and signed by their key (a welcome): proof that they are
   * there now. Puts them on the roster, or moves them there; undefined, and
   * nothing changed, where the roster refuses the address (`refuses`).
   */
  admit(peer: PeerId, participant: ParticipantId, now: number): Arrival | undefined {
    if (this.refuses(peer, participant)) return undefined;
    const member = this.#members.get(participant);
    if (member) return this.#at(member, peer, participant, now);
    this.#members.set(participant, { peer, seenAt: now });
    this.#byPeer.set(peer, participant);
    this.#unanswered.delete(peer);
    return 'new';
  }

  /**
   * A signed message from `participant` at `peer` that names no session (a
   * hello, a presence change). Someone on the roster may move with it: only
   * they can sign it, and its sequence number was above their last. Someone
   * not on the roster stays off it: the message may be a replay from before
   * this page began. Undefined for them, and for an address the roster refuses.
   */
  seen(peer: PeerId, participant: ParticipantId, now: number): Arrival | undefined {
    const member = this.#members.get(participant);
    return member && !this.refuses(peer, participant) ? this.#at(member, peer, participant, now) : undefined;
  }

  #at(member: Member, peer: PeerId, participant: ParticipantId, now: number): Arrival {
    let arrival: Arrival = 'same';
    if (member.peer !== peer) {
      // Their old address may be someone else's by now (a relay that restarted mints them afresh).
      if (this.#byPeer.get(member.peer) === participant) this.#byPeer.delete(member.peer);
      member.peer = peer;
      arrival = 'moved';
    }
    member.seenAt = now;
    this.#byPeer.set(peer, participant);
    this.#unanswered.delete(peer);
    return arrival;
  }

  /** Takes `participant` off the roster (a hang-up on our side); nothing if they are not on it. */
  remove(participant: ParticipantId): void {
    const member = this.#members.get(participant);
    if (!member) return;
    this.#members.delete(participant);
    if (this.#byPeer.get(member.peer) === participant) this.#byPeer.delete(member.peer);
  }

  /**
   * What is due at `now`; call it about once a second. Drops those who were
   * not seen since the last rejoin, once its grace is over and `linkUp` says
   * their link is down too (their tab closed while the relay was away, so no
   * leave could reach us); then picks the addresses to greet again, at most
   * HELLO_ATTEMPTS times each, HELLO_RETRY_MS apart.
   */
  tick(now: number, linkUp: (participant: ParticipantId) => boolean): Due {
    const drop: ParticipantId[] = [];
    const since = this.#rejoinedAt;
    if (since !== undefined && now - since >= REJOIN_GRACE_MS) {
      for (const [participant, member] of this.#members) {
        if (member.seenAt < since && !linkUp(participant)) drop.push(participant);
      }
      for (const participant of drop) this.remove(participant);
    }
    const greet: PeerId[] = [];
    for (const [peer, hello] of this.#unanswered) {
      if (hello.attempts >= HELLO_ATTEMPTS) this.#unanswered.delete(peer);
      else if (now - hello.at >= HELLO_RETRY_MS) {
        this.#unanswered.set(peer, { at: now, attempts: hello.attempts + 1 });
        greet.push(peer);
      }
    }
    return { greet, drop };
  }
}
