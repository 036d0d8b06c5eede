// A hostile participant driven from Node: it holds the call link (so the
// room key) and speaks the real relay protocol through SignalingClient over
// `ws`, with the product's own sealing and signing code, but it holds no
// one's signing key but its own. Whatever it sends is signed and sealed
// exactly as told, so a test can forge, replay and re-seal at will.
import { WebSocket as WsClient } from 'ws';
import { open, seal } from '../../extension/session/envelope.ts';
import { Identity } from '../../extension/session/identity.ts';
import { deriveRoomKey, type RoomKey } from '../../extension/session/room-key.ts';
import { parseShareLink } from '../../extension/session/share-link.ts';
import { SignalingClient } from '../../extension/session/signaling-client.ts';
import type { ParticipantId, PeerId } from '../../protocol/ids.ts';
import {
  ANYONE,
  encodeSealedPayload,
  envelopeHeader,
  joinSigned,
  parseSealedPayload,
  type SealedPayload,
  signedText,
  splitSigned,
} from '../../protocol/peer.ts';

/** One envelope the relay handed the forger, opened with the room key. */
export interface Overheard {
  /** The relay address it came from. */
  from: PeerId;
  /** The plaintext inside (signature and body), as a link holder sees it. */
  plaintext: string;
  payload: SealedPayload;
}

/** Fields of a forged payload; what is not given is the forger's own. */
export type Forged = Partial<SealedPayload> & Pick<SealedPayload, 'msg' | 'seq'>;

export class Forger {
  readonly identity: Identity;
  readonly key: RoomKey;
  readonly client: SignalingClient;
  readonly heard: Overheard[] = [];
  self: PeerId | undefined;

  private constructor(identity: Identity, key: RoomKey, client: SignalingClient) {
    this.identity = identity;
    this.key = key;
    this.client = client;
    client.on('joined', ({ self }) => {
      this.self = self;
    });
    client.on('signal', ({ from, data }) => void this.#overhear(from, data));
  }

  /**
   * Joins the call `link` leads to. SignalingClient reads the global
   * WebSocket's OPEN constant: the caller stubs it with ws's (Node 20 has none).
   */
  static async join(link: string): Promise<Forger> {
    const parsed = parseShareLink(link);
    if (!parsed.ok) throw new Error(`not a share link: ${parsed.reason}`);
    const [identity, key] = await Promise.all([Identity.create(), deriveRoomKey(parsed.link.secret)]);
    const client = new SignalingClient(parsed.link, {
      createSocket: (url) => {
        const socket = new WsClient(url);
        socket.on('error', () => undefined); // a browser ignores an unhandled error event too
        return socket as unknown as WebSocket; // the same onopen/onmessage/onclose/send/close/readyState surface
      },
    });
    const forger = new Forger(identity, key, client);
    client.connect();
    for (let waited = 0; forger.self === undefined; waited += 50) {
      if (waited > 10_000) throw new Error('the forger was not let into the room');
      await new Promise((r) => setTimeout(r, 50));
    }
    return forger;
  }

  /** The last thing overheard from the participant with this name (a hello or presence names them). */
  overheardFrom(name: string): Overheard | undefined {
    return this.heard.findLast((h) => 'name' in h.payload.msg && h.payload.msg.name === name);
  }

  /** Signs `fields` with `signer` (by default its own key) and seals them from its own relay address. */
  async send(to: PeerId | undefined, fields: Forged, signer: Identity = this.identity): Promise<void> {
    const self = this.#self();
    const payload: SealedPayload = {
      from: signer.participant,
      session: signer.session,
      to: ANYONE,
      toSession: ANYONE,
      key: signer.publicKey,
      ...fields,
    };
    const body = encodeSealedPayload(payload);
    const signature = await signer.sign(signedText(envelopeHeader(this.key.room, self, to), body));
    await this.#seal(to, joinSigned(signature, body));
  }

  /** Seals a plaintext someone else signed (overheard) from its own address, unchanged. */
  async reseal(to: PeerId | undefined, plaintext: string): Promise<void> {
    await this.#seal(to, plaintext);
  }

  close(): void {
    this.client.close();
  }

  async #seal(to: PeerId | undefined, plaintext: string): Promise<void> {
    const envelope = await seal(this.key.key, this.key.room, this.#self(), to, plaintext);
    if (!envelope) throw new Error('too long to seal');
    this.client.send(to, envelope);
  }

  #self(): PeerId {
    if (this.self === undefined) throw new Error('not in the room');
    return this.self;
  }

  async #overhear(from: PeerId, data: string): Promise<void> {
    const opened = await open(this.key.key, this.key.room, from, this.#self(), data);
    const signed = opened && splitSigned(opened.plaintext);
    const payload = signed && parseSealedPayload(signed.body);
    if (opened && payload) this.heard.push({ from, plaintext: opened.plaintext, payload });
  }
}

export type { ParticipantId };
