// SealedSignaling over a stand-in for SignalingClient: the relay's part is
// played by the test, which carries (or alters, replays, misroutes) envelopes;
// a forger who holds the room key but not the victim's signing key is played
// by forge(), which signs and seals whatever it is told.
import { describe, expect, it } from 'vitest';
import type { PeerId } from '../../../../protocol/ids.ts';
import { open, seal } from '../../../../extension/session/envelope.ts';
import { Identity, newSessionId } from '../../../../extension/session/identity.ts';
import {
  ANYONE,
  encodeSealedPayload,
  envelopeHeader,
  joinSigned,
  type PeerMessage,
  type SealedPayload,
  signedText,
} from '../../../../protocol/peer.ts';
import { deriveRoomKey, fromBase64Url, newSecret, type RoomKey, toBase64Url } from '../../../../extension/session/room-key.ts';
import {
  MAX_STRANGERS,
  type RejectReason,
  type Recipient,
  SealedSignaling,
  type SealedMessage,
  type SignalCarrier,
} from '../../../../extension/session/sealed-signaling.ts';
import type { SignalingEvents } from '../../../../extension/session/signaling-client.ts';
import { TypedEmitter } from '../../../../extension/session/typed-emitter.ts';

/** The two parts of SignalingClient that SealedSignaling uses: its events and send(). */
class FakeClient extends TypedEmitter<SignalingEvents> implements SignalCarrier {
  readonly sent: { to: PeerId | undefined; data: string }[] = [];
  send(to: PeerId | undefined, data: string): boolean {
    this.sent.push({ to, data });
    return true;
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
  identity: Identity;
  peer: PeerId;
  got: SealedMessage[];
  refused: { from: PeerId; reason: RejectReason }[];
  /** Where a bound message to this side goes. */
  at(peer?: PeerId): Recipient;
}

async function side(key: RoomKey, self: PeerId, identity?: Identity): Promise<Side> {
  const client = new FakeClient();
  const id = identity ?? (await Identity.create());
  const sealed = new SealedSignaling(client, key, id);
  const s: Side = {
    client,
    sealed,
    identity: id,
    peer: self,
    got: [],
    refused: [],
    at: (peer = self) => ({ peer, participant: id.participant, session: id.session }),
  };
  sealed.on('message', (m) => s.got.push(m));
  sealed.on('rejected', (r) => s.refused.push(r));
  client.joined(self);
  sides.push(s);
  return s;
}

/** Every side made so far, so settle() can wait for all of them. */
const sides: Side[] = [];

/** Waits until every side has sealed all it was told to send and handled all it was handed (WebCrypto runs off the main thread). */
async function settle(): Promise<void> {
  for (let round = 0; round < 2; round++) await Promise.all(sides.map((s) => s.sealed.drained()));
}

const presence = (name: string, micMuted = false): PeerMessage => ({
  type: 'presence',
  name,
  micMuted,
  cameraOff: false,
  screenSharing: false,
});
const hello = (name: string): PeerMessage => ({ type: 'hello', name, micMuted: false, cameraOff: false, screenSharing: false });
const welcome = (name: string): PeerMessage => ({
  type: 'welcome',
  commit: 'C'.repeat(43),
  fresh: true,
  name,
  micMuted: false,
  cameraOff: false,
  screenSharing: false,
});
const candidate = (c: string): PeerMessage => ({ type: 'candidate', candidate: { candidate: c } });
const names = (s: Side) => s.got.map((m) => ('name' in m.msg ? m.msg.name : m.msg.type));

async function pair() {
  const key = await deriveRoomKey(newSecret());
  return { key, alice: await side(key, 'A'), bob: await side(key, 'B') };
}

/** What a side handed its relay socket, in order, once signing and sealing finished. */
async function sentBy(s: Side): Promise<string[]> {
  await settle();
  return s.client.sent.map((m) => m.data);
}

/** Delivers `data` to `to` as the relay would, from relay address `from`. */
const deliver = (to: Side, from: PeerId, data: string) => to.client.fire('signal', { from, data });

/** `from` says hello to `to`, who pins its key (later messages carry none). Clears what both recorded. */
async function introduce(from: Side, to: Side): Promise<void> {
  from.sealed.send(undefined, hello('hi'));
  for (const data of await sentBy(from)) deliver(to, from.peer, data);
  await settle();
  from.client.sent.length = 0;
  to.got.length = 0;
}

interface Forgery {
  /** Who signs (any key the forger holds). */
  signer: Identity;
  /** The relay address it is sealed from, and the one it is sealed to (undefined: everyone). */
  fromPeer: PeerId;
  toPeer?: PeerId;
  /** Fields of the payload; anything not given comes from the signer. */
  payload: Partial<SealedPayload> & { msg: PeerMessage; seq: number };
  /** The relay header the signature covers, if not the one it is sealed under. */
  signedHeader?: string;
}

/** Signs and seals a payload as someone holding the room key and `signer`'s key (a link holder) could. */
async function forge(key: RoomKey, f: Forgery): Promise<string> {
  const payload: SealedPayload = {
    from: f.signer.participant,
    session: f.signer.session,
    to: ANYONE,
    toSession: ANYONE,
    key: f.signer.publicKey,
    ...f.payload,
  };
  const body = encodeSealedPayload(payload);
  const header = f.signedHeader ?? envelopeHeader(key.room, f.fromPeer, f.toPeer);
  const signature = await f.signer.sign(signedText(header, body));
  const envelope = await seal(key.key, key.room, f.fromPeer, f.toPeer, joinSigned(signature, body));
  if (!envelope) throw new Error('too long');
  return envelope;
}

describe('SealedSignaling', () => {
  describe('delivery', () => {
    it('delivers a signed, sealed broadcast with its sender’s participant id and session', async () => {
      const { alice, bob } = await pair();
      alice.sealed.send(undefined, hello('Alice'));
      const [envelope] = await sentBy(alice);
      deliver(bob, 'A', envelope!);
      await settle();
      expect(bob.got).toEqual([
        { from: 'A', participant: alice.identity.participant, session: alice.identity.session, msg: hello('Alice'), bound: false },
      ]);
      expect(bob.refused).toEqual([]);
    });

    it('delivers a message bound to the receiver’s participant id and session as bound', async () => {
      const { alice, bob } = await pair();
      await introduce(alice, bob);
      alice.sealed.send(bob.at(), candidate('c1'));
      const [envelope] = await sentBy(alice);
      expect(alice.client.sent[0]!.to).toBe('B');
      deliver(bob, 'A', envelope!);
      await settle();
      expect(bob.got.map((m) => [m.msg, m.bound])).toEqual([[candidate('c1'), true]]);
    });

    it('hands the relay nothing readable: no name, no participant id, no key', async () => {
      const { alice, bob } = await pair();
      alice.sealed.send(undefined, hello('Alice Liddell'));
      alice.sealed.send(bob.at(), candidate('candidate:1 1 udp 1 10.0.0.1 5000 typ host'));
      for (const envelope of await sentBy(alice)) {
        for (const clear of ['Alice', alice.identity.participant, alice.identity.publicKey, alice.identity.session, '10.0.0.1']) {
          expect(envelope).not.toContain(clear);
        }
      }
      expect(alice.client.sent.map((m) => m.data.slice(0, 2))).toEqual(['b.', 'd.']);
    });

    it('keeps the order of sends and of deliveries, though every one is signed and verified asynchronously', async () => {
      const { alice, bob } = await pair();
      await introduce(alice, bob);
      for (let i = 0; i < 8; i++) alice.sealed.send(bob.at(), candidate(`c${i}`));
      for (const data of await sentBy(alice)) deliver(bob, 'A', data);
      await settle();
      expect(bob.got.map((m) => (m.msg.type === 'candidate' ? m.msg.candidate.candidate : ''))).toEqual(
        Array.from({ length: 8 }, (_, i) => `c${i}`),
      );
    });

    it('does not send a message that must be bound without its recipient’s id and session', async () => {
      const { alice } = await pair();
      alice.sealed.send({ peer: 'B' }, candidate('c'));
      alice.sealed.send(undefined, { type: 'reveal', salt: 'S'.repeat(43) });
      expect(await sentBy(alice)).toEqual([]);
    });

    it('sends a hello to one relay address without naming anyone', async () => {
      const { alice, bob } = await pair();
      alice.sealed.send({ peer: 'B' }, hello('Alice'));
      const [envelope] = await sentBy(alice);
      expect(envelope!.startsWith('d.')).toBe(true);
      deliver(bob, 'A', envelope!);
      await settle();
      expect(bob.got.map((m) => [m.msg.type, m.bound])).toEqual([['hello', false]]);
    });

    it('pads a presence with and without mute, and a hello, to the same length', async () => {
      const { alice } = await pair();
      alice.sealed.send(undefined, presence('Alice', false));
      alice.sealed.send(undefined, presence('Alice', true));
      alice.sealed.send(undefined, hello('A much longer display name than the others'));
      const lengths = (await sentBy(alice)).map((e) => e.length);
      expect(new Set(lengths).size).toBe(1);
    });
  });

  describe('replays', () => {
    it('refuses a replayed message', async () => {
      const { alice, bob } = await pair();
      await introduce(alice, bob);
      alice.sealed.send(bob.at(), candidate('c'));
      const [envelope] = await sentBy(alice);
      deliver(bob, 'A', envelope!);
      deliver(bob, 'A', envelope!);
      await settle();
      expect(bob.got).toHaveLength(1);
      expect(bob.refused).toEqual([{ from: 'A', reason: 'replayed' }]);
    });

    it('refuses an older message delivered after a newer one', async () => {
      const { alice, bob } = await pair();
      alice.sealed.send(undefined, presence('first'));
      alice.sealed.send(undefined, presence('second'));
      const [first, second] = await sentBy(alice);
      deliver(bob, 'A', second!);
      deliver(bob, 'A', first!);
      await settle();
      expect(names(bob)).toEqual(['second']);
      expect(bob.refused.map((r) => r.reason)).toEqual(['replayed']);
    });

    it('still refuses the replay after the sender reconnects under a new relay address', async () => {
      const { alice, bob } = await pair();
      alice.sealed.send(undefined, presence('Alice'));
      const [envelope] = await sentBy(alice);
      deliver(bob, 'A', envelope!);
      alice.client.joined('A2');
      alice.sealed.send(undefined, presence('Alice again'));
      const [, fresh] = await sentBy(alice);
      deliver(bob, 'A2', fresh!);
      deliver(bob, 'A', envelope!);
      await settle();
      expect(bob.got).toHaveLength(2);
      expect(bob.refused).toEqual([{ from: 'A', reason: 'replayed' }]);
    });

    it('refuses, in a fresh page at the same relay address, every bound message recorded from the page before it', async () => {
      const key = await deriveRoomKey(newSecret());
      const alice = await side(key, 'A');
      const oldBob = await side(key, 'B');
      alice.sealed.send(oldBob.at(), welcome('Alice'));
      alice.sealed.send(oldBob.at(), candidate('c'));
      const recorded = await sentBy(alice);
      for (const data of recorded) deliver(oldBob, 'A', data);
      await settle();
      expect(oldBob.got).toHaveLength(2);
      // Bob reloads; the relay even hands him the same address. Everything recorded is replayed into the new page.
      const newBob = await side(key, 'B');
      for (const data of recorded) deliver(newBob, 'A', data);
      await settle();
      expect(newBob.got).toEqual([]);
      // Another participant id, so it is no longer for him at all.
      expect(newBob.refused.map((r) => r.reason)).toEqual(['misaddressed', 'misaddressed']);
    });

    it('refuses a bound message for an earlier session of the same participant (a page session is part of the address)', async () => {
      const key = await deriveRoomKey(newSecret());
      const alice = await side(key, 'A');
      const bob = await side(key, 'B');
      // Signed by Alice for Bob's participant id, but for a session Bob's page never had.
      const data = await forge(key, {
        signer: alice.identity,
        fromPeer: 'A',
        toPeer: 'B',
        payload: { to: bob.identity.participant, toSession: newSessionId(), seq: 1, msg: candidate('old') },
      });
      deliver(bob, 'A', data);
      await settle();
      expect(bob.got).toEqual([]);
      expect(bob.refused).toEqual([{ from: 'A', reason: 'stale' }]);
    });

    it('lets a broadcast through to a fresh page, but only as unbound: it proves nothing about when it was said', async () => {
      const key = await deriveRoomKey(newSecret());
      const alice = await side(key, 'A');
      alice.sealed.send(undefined, hello('Alice'));
      const [recorded] = await sentBy(alice);
      const newcomer = await side(key, 'C');
      deliver(newcomer, 'A', recorded!);
      await settle();
      expect(newcomer.got.map((m) => m.bound)).toEqual([false]);
    });
  });

  describe('forgery by someone who holds the link', () => {
    it('refuses a presence claiming another’s id with a huge sequence number, signed with the forger’s own key', async () => {
      const { key, alice, bob } = await pair();
      alice.sealed.send(undefined, presence('Alice'));
      for (const data of await sentBy(alice)) deliver(bob, 'A', data);
      const mallory = await Identity.create();
      const data = await forge(key, {
        signer: mallory,
        fromPeer: 'M',
        payload: { from: alice.identity.participant, session: alice.identity.session, seq: 2 ** 52, msg: presence('Alice (moved)') },
      });
      deliver(bob, 'M', data);
      // Alice's own next message is still taken: the forgery moved nothing.
      alice.sealed.send(undefined, presence('Alice, still'));
      const [, next] = await sentBy(alice);
      deliver(bob, 'A', next!);
      await settle();
      expect(bob.refused).toEqual([{ from: 'M', reason: 'forged' }]);
      expect(bob.got.map((m) => [m.from, 'name' in m.msg ? m.msg.name : ''])).toEqual([
        ['A', 'Alice'],
        ['A', 'Alice, still'],
      ]);
    });

    it('refuses the same claim carrying the victim’s real key, since the forger cannot sign with it', async () => {
      const { key, alice, bob } = await pair();
      const mallory = await Identity.create();
      const data = await forge(key, {
        signer: mallory,
        fromPeer: 'M',
        payload: { from: alice.identity.participant, key: alice.identity.publicKey, seq: 99, msg: presence('Alice') },
      });
      deliver(bob, 'M', data);
      await settle();
      expect(bob.refused).toEqual([{ from: 'M', reason: 'forged' }]);
    });

    it('refuses a claim without a key for a participant never seen', async () => {
      const { key, alice, bob } = await pair();
      const data = await forge(key, {
        signer: alice.identity,
        fromPeer: 'A',
        payload: { key: undefined, seq: 1, msg: presence('Alice') },
      });
      deliver(bob, 'A', data);
      await settle();
      expect(bob.refused).toEqual([{ from: 'A', reason: 'unknownSender' }]);
    });

    it('refuses a genuine message re-sealed from the forger’s own relay address (the signature covers the address)', async () => {
      const { key, alice, bob } = await pair();
      alice.sealed.send(undefined, presence('Alice'));
      const [envelope] = await sentBy(alice);
      // Mallory holds the room key: she opens Alice's broadcast and seals the same plaintext from her address.
      const opened = await open(key.key, key.room, 'A', 'M', envelope!);
      const resealed = await seal(key.key, key.room, 'M', undefined, opened!.plaintext);
      deliver(bob, 'M', resealed!);
      await settle();
      expect(bob.got).toEqual([]);
      expect(bob.refused).toEqual([{ from: 'M', reason: 'forged' }]);
    });

    it('refuses a bound message passed on to someone else, and one re-sealed as a broadcast', async () => {
      const key = await deriveRoomKey(newSecret());
      const alice = await side(key, 'A');
      const bob = await side(key, 'B');
      const carol = await side(key, 'C');
      alice.sealed.send(bob.at(), candidate('for Bob only'));
      const [envelope] = await sentBy(alice);
      const opened = await open(key.key, key.room, 'A', 'B', envelope!);
      // Bob (a link holder) passes it on to Carol, sealed for her, and to everyone.
      deliver(carol, 'A', (await seal(key.key, key.room, 'A', 'C', opened!.plaintext))!);
      deliver(carol, 'A', (await seal(key.key, key.room, 'A', undefined, opened!.plaintext))!);
      await settle();
      expect(carol.got).toEqual([]);
      expect(carol.refused.map((r) => r.reason)).toEqual(['misaddressed', 'misaddressed']);
    });

    it('refuses a bound-only message sent to anyone', async () => {
      const { key, alice, bob } = await pair();
      const data = await forge(key, { signer: alice.identity, fromPeer: 'A', toPeer: 'B', payload: { seq: 1, msg: candidate('c') } });
      deliver(bob, 'A', data);
      await settle();
      expect(bob.refused).toEqual([{ from: 'A', reason: 'misaddressed' }]);
    });

    it('refuses a signature over another header than the one it was sealed under', async () => {
      const { key, alice, bob } = await pair();
      const data = await forge(key, {
        signer: alice.identity,
        fromPeer: 'A',
        payload: { seq: 1, msg: presence('Alice') },
        signedHeader: envelopeHeader('another-room-id-123456', 'A', undefined),
      });
      deliver(bob, 'A', data);
      await settle();
      expect(bob.refused).toEqual([{ from: 'A', reason: 'forged' }]);
    });

    it('does not let a refused message burn a sequence number', async () => {
      const { key, alice, bob } = await pair();
      const mallory = await Identity.create();
      deliver(
        bob,
        'M',
        await forge(key, { signer: mallory, fromPeer: 'M', payload: { from: alice.identity.participant, seq: 10, msg: presence('x') } }),
      );
      alice.sealed.send(undefined, presence('Alice'));
      for (const data of await sentBy(alice)) deliver(bob, 'A', data);
      await settle();
      expect(names(bob)).toEqual(['Alice']);
    });
  });

  describe('other refusals', () => {
    it('refuses a message whose bytes were altered, or that the relay attributes to someone else', async () => {
      const { alice, bob } = await pair();
      alice.sealed.send(bob.at(), candidate('c'));
      const [envelope] = await sentBy(alice);
      const bytes = fromBase64Url(envelope!.slice(2));
      bytes[20]! ^= 0x80;
      deliver(bob, 'A', `${envelope!.slice(0, 2)}${toBase64Url(bytes)}`);
      deliver(bob, 'C', envelope!);
      await settle();
      expect(bob.got).toEqual([]);
      expect(bob.refused).toEqual([
        { from: 'A', reason: 'unreadable' },
        { from: 'C', reason: 'unreadable' },
      ]);
    });

    it('refuses a message from a call with another key', async () => {
      const { bob } = await pair();
      const stranger = await side(await deriveRoomKey(newSecret()), 'A');
      stranger.sealed.send(undefined, presence('Mallory'));
      const [envelope] = await sentBy(stranger);
      deliver(bob, 'A', envelope!);
      await settle();
      expect(bob.refused).toEqual([{ from: 'A', reason: 'unreadable' }]);
    });

    it('ignores its own broadcast echoed back by the relay', async () => {
      const { alice } = await pair();
      alice.sealed.send(undefined, presence('Alice'));
      const [envelope] = await sentBy(alice);
      deliver(alice, 'A', envelope!);
      await settle();
      expect(alice.got).toEqual([]);
      expect(alice.refused).toEqual([]);
    });

    it('refuses a message in its own name that it did not sign, or signed under another relay address', async () => {
      const { key, alice } = await pair();
      alice.sealed.send(undefined, presence('Alice'));
      const [envelope] = await sentBy(alice);
      const opened = await open(key.key, key.room, 'A', 'M', envelope!);
      deliver(alice, 'M', (await seal(key.key, key.room, 'M', undefined, opened!.plaintext))!);
      const mallory = await Identity.create();
      deliver(
        alice,
        'M',
        await forge(key, {
          signer: mallory,
          fromPeer: 'M',
          payload: { from: alice.identity.participant, session: alice.identity.session, seq: 9, msg: presence('Alice') },
        }),
      );
      await settle();
      expect(alice.got).toEqual([]);
      expect(alice.refused).toEqual([
        { from: 'M', reason: 'forged' },
        { from: 'M', reason: 'forged' },
      ]);
    });

    describe('refuses as malformed a sealed plaintext that is not a signed Zing payload', () => {
      it.each<[string, (s: string) => string]>([
        ['not signed at all', () => 'hello'],
        ['a signature that is too short', (body) => `abc.${body}`],
        ['no dot after the signature', (body) => `${'A'.repeat(86)}${body}`],
        ['a body that is not JSON', () => `${'A'.repeat(86)}.hello`],
        ['a body without a session', (body) => `${'A'.repeat(86)}.${body.replace('"session"', '"sess"')}`],
      ])('%s', async (_what, plaintext) => {
        const { key, bob } = await pair();
        const body = encodeSealedPayload({
          from: bob.identity.participant,
          session: newSessionId(),
          to: ANYONE,
          toSession: ANYONE,
          seq: 1,
          msg: presence('x'),
        });
        deliver(bob, 'A', (await seal(key.key, key.room, 'A', 'B', plaintext(body)))!);
        await settle();
        expect(bob.got).toEqual([]);
        expect(bob.refused).toEqual([{ from: 'A', reason: 'malformed' }]);
      });
    });
  });

  describe('what it remembers of senders', () => {
    /** MAX_STRANGERS + 1 senders of fresh identities from relay address S, each message naming `to` if given. */
    async function strangers(key: RoomKey, to?: Side): Promise<string[]> {
      const out: string[] = [];
      for (let i = 0; i <= MAX_STRANGERS; i++) {
        const s = await Identity.create();
        const bound = to ? { to: to.identity.participant, toSession: to.identity.session } : {};
        out.push(
          await forge(key, {
            signer: s,
            fromPeer: 'S',
            toPeer: to ? to.peer : undefined,
            payload: { seq: 1, ...bound, msg: to ? welcome(`s${i}`) : hello(`s${i}`) },
          }),
        );
      }
      return out;
    }

    it('forgets the oldest of a flood of strangers, never someone the page took in', async () => {
      const { key, alice, bob } = await pair();
      alice.sealed.send(bob.at(), welcome('Alice'));
      const [greeting] = await sentBy(alice);
      deliver(bob, 'A', greeting!);
      await settle();
      bob.sealed.keep(alice.identity.participant); // her welcome admitted her
      const flood = await strangers(key);
      for (const data of flood) deliver(bob, 'S', data);
      // The first stranger was forgotten (its replay counts as new), Alice was not (hers is refused).
      deliver(bob, 'S', flood[0]!);
      deliver(bob, 'A', greeting!);
      await settle();
      expect(bob.got).toHaveLength(1 + MAX_STRANGERS + 1 + 1);
      expect(bob.refused).toEqual([{ from: 'A', reason: 'replayed' }]);
    }, 30_000);

    it('forgets strangers whose messages named this page too: a link holder can sign as many as it likes', async () => {
      const { key, bob } = await pair();
      const flood = await strangers(key, bob);
      for (const data of flood) deliver(bob, 'S', data);
      deliver(bob, 'S', flood[0]!);
      deliver(bob, 'S', flood.at(-1)!);
      await settle();
      expect(bob.got.every((m) => m.bound)).toBe(true);
      // The first was forgotten (taken again), the newest was not (refused as a replay).
      expect(bob.got).toHaveLength(MAX_STRANGERS + 1 + 1);
      expect(bob.refused).toEqual([{ from: 'S', reason: 'replayed' }]);
    }, 30_000);
  });

  describe('its relay address', () => {
    it('sends nothing before it knows its own relay address', async () => {
      const key = await deriveRoomKey(newSecret());
      const client = new FakeClient();
      const sealed = new SealedSignaling(client, key, await Identity.create());
      sealed.send(undefined, presence('early'));
      await sealed.drained();
      expect(client.sent).toEqual([]);
    });

    it('ignores signals that arrive before it knows its own relay address', async () => {
      const key = await deriveRoomKey(newSecret());
      const client = new FakeClient();
      const sealed = new SealedSignaling(client, key, await Identity.create());
      const events: unknown[] = [];
      sealed.on('message', (m) => events.push(m));
      sealed.on('rejected', (r) => events.push(r));
      client.fire('signal', { from: 'A', data: (await seal(key.key, key.room, 'A', 'B', 'x'))! });
      await sealed.drained();
      expect(events).toEqual([]);
    });

    it('drops a message sealed for an address it lost to a reconnect while sealing', async () => {
      const { alice } = await pair();
      alice.sealed.send(undefined, presence('Alice'));
      alice.client.joined('A2'); // before the seal above has finished
      await settle();
      expect(alice.client.sent).toEqual([]);
      alice.sealed.send(undefined, presence('Alice'));
      expect(await sentBy(alice)).toHaveLength(1);
    });

    it('seals and signs under its current address so the receiver opens and verifies it with that address', async () => {
      const { alice, bob } = await pair();
      await introduce(alice, bob);
      alice.client.joined('A2');
      alice.sealed.send(bob.at(), candidate('c'));
      const [envelope] = await sentBy(alice);
      deliver(bob, 'A2', envelope!);
      deliver(bob, 'A', envelope!);
      await settle();
      expect(bob.got.map((m) => m.from)).toEqual(['A2']);
      expect(bob.refused).toEqual([{ from: 'A', reason: 'unreadable' }]);
    });
  });

  it('stops listening when closed, and close is safe twice', async () => {
    const { alice, bob } = await pair();
    alice.sealed.send(undefined, presence('Alice'));
    const [envelope] = await sentBy(alice);
    bob.sealed.close();
    bob.sealed.close();
    deliver(bob, 'A', envelope!);
    await settle();
    expect(bob.got).toEqual([]);
    expect(bob.refused).toEqual([]);
  });
});
