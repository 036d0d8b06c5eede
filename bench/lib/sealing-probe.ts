// Runs inside Chromium for bench/sealing.ts (bundled by esbuild into one
// script): the product's own SealedSignaling between two pages' worth of
// state in one page, over an in-memory carrier, against a baseline of the v1
// envelope (AES-GCM seal, base64url, open, JSON parse; nothing signed,
// verified or padded: what a message cost before issue 13).
import { Identity, importPublicKey, verifySignature } from '../../extension/session/identity.ts';
import { deriveRoomKey, fromBase64Url, newSecret, toBase64Url } from '../../extension/session/room-key.ts';
import { type Recipient, SealedSignaling, type SignalCarrier } from '../../extension/session/sealed-signaling.ts';
import type { SignalingEvents } from '../../extension/session/signaling-client.ts';
import { TypedEmitter } from '../../extension/session/typed-emitter.ts';
import type { PeerMessage } from '../../protocol/peer.ts';

/** A relay socket that hands what one side sends straight to the other. */
class Wire extends TypedEmitter<SignalingEvents> implements SignalCarrier {
  other: Wire | undefined;
  self = '';
  send(to: string | undefined, data: string): boolean {
    const other = this.other;
    if (other) queueMicrotask(() => other.emit('signal', { from: this.self, data }));
    return to !== undefined || true;
  }
  join(self: string): void {
    this.self = self;
    this.emit('joined', { self, peers: [], iceServers: undefined });
  }
}

export interface Figures {
  /** Milliseconds per message, one at a time (send, then wait for delivery). */
  oneAtATime: number;
  /** Milliseconds per message with `count` in flight (the chains keep their order). */
  pipelined: number;
}

export interface SealingResult {
  presence: { signed: Figures; baseline: Figures };
  description: { signed: Figures; baseline: Figures };
  /** Milliseconds for one Ed25519 signature and one verification of a presence-sized body. */
  sign: number;
  verify: number;
  /** Bytes on the wire per presence and per description, signed and padded vs baseline. */
  bytes: { presence: [number, number]; description: [number, number] };
}

const SDP = `v=0\r\n${'a=candidate:1 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 network-id 1\r\n'.repeat(50)}`;
const presence: PeerMessage = { type: 'presence', name: 'Ada Lovelace', micMuted: true, cameraOff: false, screenSharing: false };
const description: PeerMessage = { type: 'description', description: { type: 'offer', sdp: SDP } };

async function timeEach(count: number, one: (i: number) => Promise<void>): Promise<Figures> {
  let t = performance.now();
  for (let i = 0; i < count; i++) await one(i);
  const oneAtATime = (performance.now() - t) / count;
  t = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
  return { oneAtATime, pipelined: (performance.now() - t) / count };
}

export async function runSealingBench(count: number): Promise<SealingResult> {
  const key = await deriveRoomKey(newSecret());
  const [alice, bob] = await Promise.all([Identity.create(), Identity.create()]);
  const aWire = new Wire();
  const bWire = new Wire();
  aWire.other = bWire;
  bWire.other = aWire;
  const a = new SealedSignaling(aWire, key, alice);
  const b = new SealedSignaling(bWire, key, bob);
  aWire.join('A');
  bWire.join('B');
  const toBob: Recipient = { peer: 'B', participant: bob.participant, session: bob.session };
  let delivered = 0;
  let waiting: (() => void) | undefined;
  let wanted = 0;
  b.on('message', () => {
    delivered++;
    if (delivered >= wanted) waiting?.();
  });
  const deliveredAll = (n: number) =>
    new Promise<void>((resolve) => {
      wanted = n;
      if (delivered >= n) resolve();
      else waiting = resolve;
    });
  // Bob pins Alice's key from a hello first, as the handshake does.
  a.send(undefined, { type: 'hello', name: 'Alice', micMuted: false, cameraOff: false, screenSharing: false });
  await deliveredAll(1);

  const signed = async (msg: PeerMessage): Promise<Figures> => {
    const to = msg.type === 'presence' ? undefined : toBob;
    let t = performance.now();
    for (let i = 0; i < count; i++) {
      const target = delivered + 1;
      a.send(to, msg);
      await deliveredAll(target);
    }
    const oneAtATime = (performance.now() - t) / count;
    // Pipelined: all sends at once, then wait for the last delivery.
    const start = delivered;
    t = performance.now();
    for (let i = 0; i < count; i++) a.send(to, msg);
    await deliveredAll(start + count);
    return { oneAtATime, pipelined: (performance.now() - t) / count };
  };
  // The v1 envelope as it was before issue 13: AES-GCM over the JSON, no padding, no signature.
  const aad = new TextEncoder().encode(`zing/v1|${key.room}|A|B`);
  const baselineOnce = async (msg: PeerMessage) => {
    const text = JSON.stringify({ from: alice.participant, seq: 1, msg });
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key.key, new TextEncoder().encode(text)),
    );
    const out = new Uint8Array(12 + sealed.length);
    out.set(iv);
    out.set(sealed, 12);
    const bytes = fromBase64Url(toBase64Url(out));
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: aad },
      key.key,
      bytes.subarray(12),
    );
    JSON.parse(new TextDecoder().decode(plain));
  };
  const baseline = (msg: PeerMessage): Promise<Figures> => timeEach(count, () => baselineOnce(msg));
  // The baseline as it was: no padding either. Seal by hand so the bytes are the unpadded ones.
  const bareBytes = async (msg: PeerMessage) => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const text = new TextEncoder().encode(JSON.stringify({ from: alice.participant, seq: 1, msg }));
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new Uint8Array(8) }, key.key, text);
    return Math.ceil(((12 + sealed.byteLength) * 4) / 3) + 2;
  };
  const wireBytes = async (msg: PeerMessage) => {
    let size = 0;
    const spy = aWire.send.bind(aWire);
    aWire.send = (to, data) => {
      size = data.length;
      return spy(to, data);
    };
    const target = delivered + 1;
    a.send(msg.type === 'presence' ? undefined : toBob, msg);
    await deliveredAll(target);
    aWire.send = spy;
    return size;
  };

  // Warm up (JIT, WebCrypto's thread pool) before anything is timed.
  for (let i = 0; i < 50; i++) {
    const target = delivered + 2;
    a.send(undefined, presence);
    a.send(toBob, description);
    await deliveredAll(target);
    await baselineOnce(presence);
  }

  const body = JSON.stringify({ from: alice.participant, msg: presence });
  const pinned = await importPublicKey(alice.participant, alice.publicKey);
  if (!pinned) throw new Error('key import failed');
  const sig = await alice.sign(body);
  const signTime = await timeEach(count, async () => {
    await alice.sign(body);
  });
  const verifyTime = await timeEach(count, async () => {
    if (!(await verifySignature(pinned, sig, body))) throw new Error('verify failed');
  });

  return {
    presence: { signed: await signed(presence), baseline: await baseline(presence) },
    description: { signed: await signed(description), baseline: await baseline(description) },
    sign: signTime.oneAtATime,
    verify: verifyTime.oneAtATime,
    bytes: {
      presence: [await wireBytes(presence), await bareBytes(presence)],
      description: [await wireBytes(description), await bareBytes(description)],
    },
  };
}

Reflect.set(globalThis, 'runSealingBench', runSealingBench);
