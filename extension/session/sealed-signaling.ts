// Peer messages over the relay, signed by their sender and sealed with the
// room key (protocol/peer.ts, "Layers"). A message is let through only once
// it opened, parsed, was addressed to this page (or to anyone), carries a
// valid signature by the key its sender id is derived from, and has a
// sequence number above the last one from that sender: so nobody can speak as
// another participant, and no message counts twice.
import type { ParticipantId, PeerId, SessionId } from '../../protocol/ids.ts';
import {
  ANYONE,
  carriesKey,
  encodeSealedPayload,
  envelopeHeader,
  joinSigned,
  mustBeBound,
  parseSealedPayload,
  signedText,
  splitSigned,
  type PeerMessage,
  type SealedPayload,
} from '../../protocol/peer.ts';
import { open, seal, type Opened } from './envelope.ts';
import { markOnce } from './join-marks.ts';
import { importPublicKey, verifySignature, type Identity } from './identity.ts';
import type { RoomKey } from './room-key.ts';
import type { SignalingClient } from './signaling-client.ts';
import { TypedEmitter } from './typed-emitter.ts';

export type RejectReason =
  /** Did not open: altered, re-routed, sealed with another key, or not Zing's. */
  | 'unreadable'
  /** Opened, but not a signed payload of this protocol. */
  | 'malformed'
  /** Meant for another participant, or a message that must name its receiver and did not. */
  | 'misaddressed'
  /** Meant for an earlier page session of ours, or from another session of its sender: an old message. */
  | 'stale'
  /** The key does not belong to the id, or the signature is not the key's. */
  | 'forged'
  /** No key is known for the sender (it carried none and none was pinned). */
  | 'unknownSender'
  /** A sequence number not above the last one accepted from that sender. */
  | 'replayed';

/** What sealing uses of the relay socket: its events and send(). */
export type SignalCarrier = Pick<SignalingClient, 'on' | 'send'>;

/** Where a message goes: a relay address and, for a message bound to its receiver, who is there. */
export interface Recipient {
  peer: PeerId;
  participant?: ParticipantId;
  session?: SessionId;
}

export interface SealedMessage {
  /** The relay address it came from. */
  from: PeerId;
  participant: ParticipantId;
  /** The sender's page session. */
  session: SessionId;
  msg: PeerMessage;
  /** Named this page's participant id and session: it was said after this page began. */
  bound: boolean;
}

export type SealedSignalingEvents = {
  /** A message that opened, was addressed here, was signed by its sender, was new, and parsed. */
  message: [SealedMessage];
  /** A message that was dropped, and why. */
  rejected: [{ from: PeerId; reason: RejectReason }];
};

/**
 * Senders this page did not take in (`keep`), past which the oldest are
 * forgotten: a relay could invent any number from messages for anyone, and a
 * link holder any number that sign messages naming this page, 50 a second.
 */
export const MAX_STRANGERS = 256;

/** What this page knows of one sender, from messages whose signature checked. */
interface Sender {
  key: CryptoKey;
  session: SessionId;
  lastSeq: number;
  /** The page took them in (`keep`): never forgotten, or their old messages could be replayed. */
  kept: boolean;
}

/** What a message is, for the join marks: a description says offer or answer. */
const kindOf = (msg: PeerMessage): string => (msg.type === 'description' ? msg.description.type : msg.type);

export class SealedSignaling extends TypedEmitter<SealedSignalingEvents> {
  readonly #client: SignalCarrier;
  readonly #key: RoomKey;
  readonly #identity: Identity;
  #self: PeerId | undefined;
  #seq = 0;
  /** Pinned at first sight: key, session and last sequence number per sender. */
  readonly #senders = new Map<ParticipantId, Sender>();
  // Opening and verifying are async; one chain keeps messages in the order the relay delivered them.
  #inbox: Promise<void> = Promise.resolve();
  #outbox: Promise<void> = Promise.resolve();
  readonly #unsubscribe: (() => void)[];

  constructor(client: SignalCarrier, key: RoomKey, identity: Identity) {
    super();
    this.#client = client;
    this.#key = key;
    this.#identity = identity;
    this.#unsubscribe = [
      client.on('joined', ({ self }) => {
        this.#self = self;
      }),
      client.on('signal', ({ from, data }) => {
        // Opened as it arrives, beside any message still being checked (each WebCrypto call is a trip
        // off the main thread); handled strictly in the order the relay delivered them.
        const self = this.#self;
        const opening = self === undefined ? undefined : open(this.#key.key, this.#key.room, from, self, data);
        opening?.catch(() => undefined); // its failure is handled in order, below
        this.#inbox = this.#inbox
          .then(() => (self === undefined || opening === undefined ? undefined : this.#receive(from, self, opening)))
          .catch((err: unknown) => console.warn('zing: opening a signaling message failed', err));
      }),
    ];
  }

  get participant(): ParticipantId {
    return this.#identity.participant;
  }

  get session(): SessionId {
    return this.#identity.session;
  }

  /**
   * Signs, seals and sends `msg` to one peer, or to everyone else (undefined).
   * A message that must be bound needs the recipient's participant and
   * session. Sends keep their order.
   */
  send(to: Recipient | undefined, msg: PeerMessage): void {
    const self = this.#self;
    if (self === undefined) return;
    const bound = to?.participant !== undefined && to.session !== undefined;
    if (mustBeBound(msg.type) && !bound) {
      console.warn(`zing: a ${msg.type} needs its recipient's participant and session; not sent`);
      return;
    }
    const payload: SealedPayload = {
      from: this.participant,
      session: this.session,
      to: bound ? (to.participant ?? ANYONE) : ANYONE,
      toSession: bound ? (to.session ?? ANYONE) : ANYONE,
      seq: ++this.#seq,
      msg,
    };
    if (carriesKey(msg.type)) payload.key = this.#identity.publicKey;
    const body = encodeSealedPayload(payload);
    const peer = to?.peer;
    // Signed and sealed at once, beside any message still being sealed (a welcome, an offer and its
    // candidates go out in a burst); sent strictly in order.
    const header = envelopeHeader(this.#key.room, self, peer);
    const sealing = this.#identity
      .sign(signedText(header, body))
      .then((signature) => seal(this.#key.key, this.#key.room, self, peer, joinSigned(signature, body)));
    sealing.catch(() => undefined); // its failure is reported in order, below
    this.#outbox = this.#outbox
      .then(async () => {
        const envelope = await sealing;
        if (envelope === undefined) return console.warn(`zing: a ${msg.type} of ${body.length} bytes is too long to send`);
        // A reconnect in between gave us a new address: the old header would not open.
        if (this.#self === self) this.#client.send(peer, envelope);
        markOnce(`out:${kindOf(msg)}`);
      })
      .catch((err: unknown) => console.warn('zing: sealing failed', err));
  }

  /**
   * The page took `participant` in (a welcome of theirs admitted them): what it
   * knows of them is kept for the page's life, so none of their messages is
   * ever taken twice. Anyone else is a stranger, of whom only the newest
   * MAX_STRANGERS are remembered. Nothing if no message of theirs was taken.
   */
  keep(participant: ParticipantId): void {
    const sender = this.#senders.get(participant);
    if (sender) sender.kept = true;
  }

  /** Resolves once everything sent so far is on the socket and everything received so far is handled. */
  async drained(): Promise<void> {
    for (;;) {
      const inbox = this.#inbox;
      const outbox = this.#outbox;
      await Promise.all([inbox, outbox]);
      if (inbox === this.#inbox && outbox === this.#outbox) return;
    }
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.removeAllListeners();
  }

  async #receive(from: PeerId, self: PeerId, opening: Promise<Opened | undefined>): Promise<void> {
    const reject = (reason: RejectReason) => this.emit('rejected', { from, reason });
    const opened = await opening;
    if (!opened) return reject('unreadable');
    const signed = splitSigned(opened.plaintext);
    const payload = signed && parseSealedPayload(signed.body);
    if (!signed || !payload) return reject('malformed');
    const { from: participant, session, seq, msg } = payload;
    const header = envelopeHeader(this.#key.room, from, opened.broadcast ? undefined : self);
    if (participant === this.participant) {
      // Our own broadcast echoed by a misbehaving relay is dropped quietly; anything else in our name is a forgery.
      const ours = await verifySignature(this.#identity.verifyKey, signed.signature, signedText(header, signed.body));
      return ours ? undefined : reject('forged');
    }

    // Addressing: a broadcast names no one; a bound message names this page, now.
    const bound = payload.to !== ANYONE;
    if (opened.broadcast && bound) return reject('misaddressed');
    if (bound && payload.to !== this.participant) return reject('misaddressed');
    if (bound && payload.toSession !== this.session) return reject('stale');
    if (!bound && mustBeBound(msg.type)) return reject('misaddressed');

    // Cheap refusals first: an old sequence number is refused without spending a verification on it.
    const known = this.#senders.get(participant);
    if (known && known.session !== session) return reject('stale');
    if (known && seq <= known.lastSeq) return reject('replayed');

    let key = known?.key;
    if (payload.key !== undefined) {
      // A carried key must be the one the id comes from, pinned or not.
      const carried = known ? undefined : await importPublicKey(participant, payload.key);
      if (!known && !carried) return reject('forged');
      key ??= carried;
    }
    if (!key) return reject('unknownSender');
    if (!(await verifySignature(key, signed.signature, signedText(header, signed.body)))) return reject('forged');
    // Checked again after the awaits: the chain is serial, but a pinned sender's state may have moved on meanwhile.
    const now = this.#senders.get(participant);
    if (now && (now.session !== session || seq <= now.lastSeq)) return reject(now.session !== session ? 'stale' : 'replayed');
    this.#pin(participant, { key, session, lastSeq: seq, kept: now?.kept ?? false });
    markOnce(`in:${kindOf(msg)}`);
    this.emit('message', { from, participant, session, msg, bound });
  }

  #pin(participant: ParticipantId, sender: Sender): void {
    this.#senders.delete(participant); // re-inserted last: the map's order is the order last heard
    this.#senders.set(participant, sender);
    let strangers = 0;
    for (const s of this.#senders.values()) if (!s.kept) strangers++;
    for (const [id, s] of this.#senders) {
      if (strangers <= MAX_STRANGERS) break;
      if (!s.kept) {
        this.#senders.delete(id);
        strangers--;
      }
    }
  }
}
