// Peer messages over the relay, sealed end to end. Each payload carries the
// sender's participant id (stable across relay reconnects) and a sequence
// number, so a replayed message is refused like a tampered one.
import type { ParticipantId, PeerId } from '../../protocol/ids.ts';
import { open, seal } from './envelope.ts';
import { encodeSealedPayload, parseSealedPayload, type PeerMessage } from '../../protocol/peer.ts';
import type { RoomKey } from './room-key.ts';
import type { SignalingClient } from './signaling-client.ts';
import { TypedEmitter } from './typed-emitter.ts';

export type RejectReason = 'unreadable' | 'replayed' | 'malformed';

/** What sealing uses of the relay socket: its events and send(). */
export type SignalCarrier = Pick<SignalingClient, 'on' | 'send'>;

export type SealedSignalingEvents = {
  /** A message that opened, was new, and parsed. */
  message: [{ from: PeerId; participant: ParticipantId; msg: PeerMessage }];
  /** A message that was dropped: altered, re-routed, replayed, or not Zing's. */
  rejected: [{ from: PeerId; reason: RejectReason }];
};

export class SealedSignaling extends TypedEmitter<SealedSignalingEvents> {
  readonly participant: ParticipantId;
  readonly #client: SignalCarrier;
  readonly #key: RoomKey;
  #self: PeerId | undefined;
  #seq = 0;
  readonly #lastSeq = new Map<ParticipantId, number>();
  // Opening is async; one chain keeps messages in the order the relay delivered them.
  #inbox: Promise<void> = Promise.resolve();
  #outbox: Promise<void> = Promise.resolve();
  readonly #unsubscribe: (() => void)[];

  constructor(client: SignalCarrier, key: RoomKey, participant: ParticipantId) {
    super();
    this.#client = client;
    this.#key = key;
    this.participant = participant;
    this.#unsubscribe = [
      client.on('joined', ({ self }) => {
        this.#self = self;
      }),
      client.on('signal', ({ from, data }) => {
        this.#inbox = this.#inbox
          .then(() => this.#receive(from, data))
          .catch((err: unknown) => console.warn('zing: opening a signaling message failed', err));
      }),
    ];
  }

  /** Seals and sends `msg` to one peer, or to everyone else. Sends keep their order. */
  send(to: PeerId | undefined, msg: PeerMessage): void {
    const self = this.#self;
    if (self === undefined) return;
    const plaintext = encodeSealedPayload({ from: this.participant, seq: ++this.#seq, msg });
    this.#outbox = this.#outbox
      .then(async () => {
        const envelope = await seal(this.#key.key, this.#key.room, self, to, plaintext);
        // A reconnect in between gave us a new address: the old header would not open.
        if (this.#self === self) this.#client.send(to, envelope);
      })
      .catch((err: unknown) => console.warn('zing: sealing failed', err));
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.removeAllListeners();
  }

  async #receive(from: PeerId, envelope: string): Promise<void> {
    const self = this.#self;
    if (self === undefined) return;
    const plain = await open(this.#key.key, this.#key.room, from, self, envelope);
    if (plain === undefined) return this.emit('rejected', { from, reason: 'unreadable' });
    const payload = parseSealedPayload(plain);
    if (!payload) return this.emit('rejected', { from, reason: 'malformed' });
    const { from: participant, seq, msg } = payload;
    if (seq <= (this.#lastSeq.get(participant) ?? 0)) return this.emit('rejected', { from, reason: 'replayed' });
    this.#lastSeq.set(participant, seq);
    this.emit('message', { from, participant, msg });
  }
}
