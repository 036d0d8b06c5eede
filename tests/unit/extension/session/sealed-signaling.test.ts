// SealedSignaling over a stand-in for SignalingClient: the relay's part is
// played by the test, which carries (or alters, replays, misroutes) envelopes.
import { describe, expect, it, vi } from 'vitest';
import type { PeerId } from '../../../../protocol/relay.ts';
import { open, seal } from '../../../../extension/session/envelope.ts';
import { newParticipantId } from '../../../../extension/session/participant-id.ts';
import type { PeerMessage } from '../../../../protocol/peer.ts';
import { deriveRoomKey, fromBase64Url, newSecret, toBase64Url, type RoomKey } from '../../../../extension/session/room-key.ts';
import { SealedSignaling, type RejectReason } from '../../../../extension/session/sealed-signaling.ts';
import type { SignalingClient, SignalingEvents } from '../../../../extension/session/signaling-client.ts';
import { TypedEmitter } from '../../../../extension/session/typed-emitter.ts';

/** The two parts of SignalingClient that SealedSignaling uses: its events and send(). */
class FakeClient extends TypedEmitter<SignalingEvents> {
  readonly sent: { to: PeerId | undefined; data: string }[] = [];
  send(to: PeerId | undefined, data: string): void {
    this.sent.push({ to, data });
  }
  fire<K extends keyof SignalingEvents>(event: K, ...args: SignalingEvents[K]): void {
    this.emit(event, ...args);
  }
  joined(self: PeerId): void {
    this.fire('joined', { self, peers: [], iceServers: undefined });
  }
}

interface Side {
  client: FakeClient;
  sealed: SealedSignaling;
  got: { from: PeerId; participant: string; msg: PeerMessage }[];
  refused: { from: PeerId; reason: RejectReason }[];
}

function side(key: RoomKey, self: PeerId, participant = newParticipantId()): Side {
  const client = new FakeClient();
  // SealedSignaling only calls on() and send(), which FakeClient has with the same types.
  const sealed = new SealedSignaling(client as unknown as SignalingClient, key, participant);
  const s: Side = { client, sealed, got: [], refused: [] };
  sealed.on('message', (m) => s.got.push(m));
  sealed.on('rejected', (r) => s.refused.push(r));
  client.joined(self);
  return s;
}

// Seals and opens run on Node's thread pool: on a loaded machine one can take
// longer than any fixed number of ticks, so settle() counts those still running.
let inFlight = 0;
for (const method of ['encrypt', 'decrypt'] as const) {
  const real = crypto.subtle[method].bind(crypto.subtle);
  vi.spyOn(crypto.subtle, method).mockImplementation(async (...args) => {
    inFlight++;
    try {
      return await real(...args);
    } finally {
      inFlight--;
    }
  });
}

/** Lets every pending seal/open settle: 20 ticks in a row with none running, however long each takes. */
const settle = async () => {
  for (let quiet = 0; quiet < 20; ) {
    await new Promise((r) => setTimeout(r, 0));
    quiet = inFlight === 0 ? quiet + 1 : 0;
  }
};

const presence = (name: string): PeerMessage => ({ type: 'presence', name, micMuted: false, cameraOff: false, screenSharing: false });

async function pair() {
  const key = await deriveRoomKey(newSecret());
  return { key, alice: side(key, 'A'), bob: side(key, 'B') };
}

/** What Alice handed her relay socket, in order, once sealing finished. */
async function sentBy(s: Side): Promise<string[]> {
  await settle();
  return s.client.sent.map((m) => m.data);
}

describe('SealedSignaling', () => {
  it('delivers a sealed message with its sender’s participant id', async () => {
    const { alice, bob } = await pair();
    alice.sealed.send('B', presence('Alice'));
    const [envelope] = await sentBy(alice);
    expect(alice.client.sent[0]!.to).toBe('B');
    bob.client.fire('signal', { from: 'A', data: envelope! });
    await settle();
    expect(bob.got).toEqual([{ from: 'A', participant: alice.sealed.participant, msg: presence('Alice') }]);
    expect(bob.refused).toEqual([]);
  });

  it('hands the relay nothing readable', async () => {
    const { alice } = await pair();
    alice.sealed.send(undefined, presence('Alice Liddell'));
    const [envelope] = await sentBy(alice);
    expect(envelope).not.toContain('Alice');
    expect(envelope).not.toContain(alice.sealed.participant);
    expect(envelope!.startsWith('b.')).toBe(true);
  });

  it('keeps the order of sends and of deliveries', async () => {
    const { alice, bob } = await pair();
    for (let i = 0; i < 5; i++) alice.sealed.send('B', presence(`n${i}`));
    for (const data of await sentBy(alice)) bob.client.fire('signal', { from: 'A', data });
    await settle();
    expect(bob.got.map((m) => (m.msg.type === 'presence' ? m.msg.name : ''))).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
  });

  it('refuses a replayed message', async () => {
    const { alice, bob } = await pair();
    alice.sealed.send('B', presence('Alice'));
    const [envelope] = await sentBy(alice);
    bob.client.fire('signal', { from: 'A', data: envelope! });
    bob.client.fire('signal', { from: 'A', data: envelope! });
    await settle();
    expect(bob.got).toHaveLength(1);
    expect(bob.refused).toEqual([{ from: 'A', reason: 'replayed' }]);
  });

  it('refuses an older message delivered after a newer one', async () => {
    const { alice, bob } = await pair();
    alice.sealed.send('B', presence('first'));
    alice.sealed.send('B', presence('second'));
    const [first, second] = await sentBy(alice);
    bob.client.fire('signal', { from: 'A', data: second! });
    bob.client.fire('signal', { from: 'A', data: first! });
    await settle();
    expect(bob.got.map((m) => (m.msg.type === 'presence' ? m.msg.name : ''))).toEqual(['second']);
    expect(bob.refused.map((r) => r.reason)).toEqual(['replayed']);
  });

  it('still refuses the replay after the sender reconnects under a new relay address', async () => {
    const { alice, bob } = await pair();
    alice.sealed.send(undefined, presence('Alice'));
    const [envelope] = await sentBy(alice);
    bob.client.fire('signal', { from: 'A', data: envelope! });
    // A new message from the new address, then the old one replayed from the old address.
    alice.client.joined('A2');
    alice.sealed.send(undefined, presence('Alice again'));
    const [, fresh] = await sentBy(alice);
    bob.client.fire('signal', { from: 'A2', data: fresh! });
    bob.client.fire('signal', { from: 'A', data: envelope! });
    await settle();
    expect(bob.got).toHaveLength(2);
    expect(bob.refused).toEqual([{ from: 'A', reason: 'replayed' }]);
  });

  it('refuses a message whose bytes were altered, or that the relay attributes to someone else', async () => {
    const { alice, bob } = await pair();
    alice.sealed.send('B', presence('Alice'));
    const [envelope] = await sentBy(alice);
    const bytes = fromBase64Url(envelope!.slice(2));
    bytes[20]! ^= 0x80;
    bob.client.fire('signal', { from: 'A', data: `${envelope!.slice(0, 2)}${toBase64Url(bytes)}` });
    bob.client.fire('signal', { from: 'C', data: envelope! });
    await settle();
    expect(bob.got).toEqual([]);
    expect(bob.refused).toEqual([
      { from: 'A', reason: 'unreadable' },
      { from: 'C', reason: 'unreadable' },
    ]);
  });

  it('refuses a message sealed for another peer', async () => {
    const { key, alice } = await pair();
    const carol = side(key, 'C');
    alice.sealed.send('B', presence('for Bob only'));
    const [envelope] = await sentBy(alice);
    carol.client.fire('signal', { from: 'A', data: envelope! });
    await settle();
    expect(carol.refused).toEqual([{ from: 'A', reason: 'unreadable' }]);
  });

  it('refuses a message from a call with another key', async () => {
    const { bob } = await pair();
    const stranger = side(await deriveRoomKey(newSecret()), 'A');
    stranger.sealed.send('B', presence('Mallory'));
    const [envelope] = await sentBy(stranger);
    bob.client.fire('signal', { from: 'A', data: envelope! });
    await settle();
    expect(bob.refused).toEqual([{ from: 'A', reason: 'unreadable' }]);
  });

  describe('refuses as malformed a sealed payload that is not a Zing message', () => {
    const participant = newParticipantId();
    it.each<[string, string]>([
      ['not JSON', 'hello'],
      ['JSON but not an object', '42'],
      ['null', 'null'],
      ['no participant', JSON.stringify({ seq: 1, msg: presence('x') })],
      ['a participant id of the wrong shape', JSON.stringify({ from: 'short', seq: 1, msg: presence('x') })],
      ['no sequence number', JSON.stringify({ from: participant, msg: presence('x') })],
      ['a fractional sequence number', JSON.stringify({ from: participant, seq: 1.5, msg: presence('x') })],
      ['a sequence number past 2^53', JSON.stringify({ from: participant, seq: 2 ** 60, msg: presence('x') })],
      ['a message that is not an object', JSON.stringify({ from: participant, seq: 1, msg: JSON.stringify(presence('x')) })],
      ['an unknown peer message', JSON.stringify({ from: participant, seq: 1, msg: { type: 'bogus' } })],
    ])('%s', async (_what, plaintext) => {
      const { key, bob } = await pair();
      // Sealed correctly with the room's key: only the content is wrong.
      bob.client.fire('signal', { from: 'A', data: await seal(key.key, key.room, 'A', 'B', plaintext) });
      await settle();
      expect(bob.got).toEqual([]);
      expect(bob.refused).toEqual([{ from: 'A', reason: 'malformed' }]);
    });
  });

  it('does not burn a sequence number on a malformed message', async () => {
    const { key, bob } = await pair();
    const from = newParticipantId();
    const sealAs = (seq: number, msg: unknown) => seal(key.key, key.room, 'A', 'B', JSON.stringify({ from, seq, msg }));
    bob.client.fire('signal', { from: 'A', data: await sealAs(5, { type: 'bogus' }) });
    bob.client.fire('signal', { from: 'A', data: await sealAs(3, presence('ok')) });
    await settle();
    expect(bob.got).toHaveLength(1);
  });

  it('sends nothing before it knows its own relay address', async () => {
    const key = await deriveRoomKey(newSecret());
    const client = new FakeClient();
    // As in side(): only on() and send() are used.
    const sealed = new SealedSignaling(client as unknown as SignalingClient, key, newParticipantId());
    sealed.send(undefined, presence('early'));
    await settle();
    expect(client.sent).toEqual([]);
  });

  it('ignores signals that arrive before it knows its own relay address', async () => {
    const key = await deriveRoomKey(newSecret());
    const client = new FakeClient();
    // As in side(): only on() and send() are used.
    const sealed = new SealedSignaling(client as unknown as SignalingClient, key, newParticipantId());
    const events: unknown[] = [];
    sealed.on('message', (m) => events.push(m));
    sealed.on('rejected', (r) => events.push(r));
    client.fire('signal', { from: 'A', data: await seal(key.key, key.room, 'A', 'B', 'x') });
    await settle();
    expect(events).toEqual([]);
  });

  it('drops a message sealed for an address it lost to a reconnect while sealing', async () => {
    const { alice } = await pair();
    alice.sealed.send('B', presence('Alice'));
    alice.client.joined('A2'); // before the seal above has finished
    await settle();
    expect(alice.client.sent).toEqual([]);
    // From the new address, sending works again.
    alice.sealed.send('B', presence('Alice'));
    expect(await sentBy(alice)).toHaveLength(1);
  });

  it('seals under its current address so the receiver opens it with that address', async () => {
    const key = await deriveRoomKey(newSecret());
    const alice = side(key, 'A');
    alice.client.joined('A2');
    alice.sealed.send('B', presence('Alice'));
    const [envelope] = await sentBy(alice);
    expect(await open(key.key, key.room, 'A2', 'B', envelope!)).toBeDefined();
    expect(await open(key.key, key.room, 'A', 'B', envelope!)).toBeUndefined();
  });

  it('stops listening when closed, and close is safe twice', async () => {
    const { alice, bob } = await pair();
    alice.sealed.send('B', presence('Alice'));
    const [envelope] = await sentBy(alice);
    bob.sealed.close();
    bob.sealed.close();
    bob.client.fire('signal', { from: 'A', data: envelope! });
    await settle();
    expect(bob.got).toEqual([]);
    expect(bob.refused).toEqual([]);
  });
});
