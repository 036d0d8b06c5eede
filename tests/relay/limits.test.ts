// Malformed frames, the frame-size cap and the room cap, against a real relay.
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../protocol/relay.ts';
import { TEST_CONFIG, newRoomId, useRelay } from './helpers.ts';

const fixture = useRelay();
const { connect, join } = fixture;

interface Ids {
  bob: string;
  room: string;
}

interface MalformedCase {
  name: string;
  /** Whether the sender is already in the room (alice) or a fresh connection that never joined. */
  senderJoined: boolean;
  frame: (ids: Ids) => string | Buffer;
  binary?: boolean;
  code: ErrorCode;
}

const cases: MalformedCase[] = [
  { name: 'a frame that is not JSON', senderJoined: true, frame: () => '{"type":"signal",', code: 'BAD_JSON' },
  { name: 'a JSON value that is not an object', senderJoined: true, frame: () => '[1,2,3]', code: 'BAD_MESSAGE' },
  { name: 'an unknown type', senderJoined: true, frame: () => '{"type":"shout","data":"x"}', code: 'BAD_MESSAGE' },
  { name: 'a missing type', senderJoined: true, frame: ({ bob }) => JSON.stringify({ to: bob, data: 'x' }), code: 'BAD_MESSAGE' },
  {
    name: 'a signal missing its data',
    senderJoined: true,
    frame: ({ bob }) => JSON.stringify({ type: 'signal', to: bob }),
    code: 'BAD_MESSAGE',
  },
  {
    name: 'a signal whose data is a number',
    senderJoined: true,
    frame: ({ bob }) => JSON.stringify({ type: 'signal', to: bob, data: 42 }),
    code: 'BAD_MESSAGE',
  },
  {
    name: 'a signal whose `to` is not a peer id',
    senderJoined: true,
    frame: () => JSON.stringify({ type: 'signal', to: '../../etc', data: 'x' }),
    code: 'BAD_MESSAGE',
  },
  {
    // a valid signal to bob, but in a binary frame: refused, not forwarded
    name: 'a binary frame',
    senderJoined: true,
    frame: ({ bob }) => Buffer.from(JSON.stringify({ type: 'signal', to: bob, data: 'binary' })),
    binary: true,
    code: 'BAD_MESSAGE',
  },
  {
    name: 'a signal before joining',
    senderJoined: false,
    frame: ({ bob }) => JSON.stringify({ type: 'signal', to: bob, data: 'early' }),
    code: 'NOT_JOINED',
  },
  { name: 'a leave before joining', senderJoined: false, frame: () => '{"type":"leave"}', code: 'NOT_JOINED' },
  {
    name: 'a join with a malformed room id',
    senderJoined: false,
    frame: () => JSON.stringify({ type: 'join', room: 'short' }),
    code: 'BAD_MESSAGE',
  },
  {
    name: 'a signal to a peer not in the room',
    senderJoined: true,
    frame: () => JSON.stringify({ type: 'signal', to: 'noSuchPeer123', data: 'x' }),
    code: 'UNKNOWN_PEER',
  },
  {
    name: 'a second join to the same room',
    senderJoined: true,
    frame: ({ room }) => JSON.stringify({ type: 'join', room }),
    code: 'ALREADY_JOINED',
  },
  {
    name: 'a second join to another room',
    senderJoined: true,
    frame: () => JSON.stringify({ type: 'join', room: 'someOtherRoom0000' }),
    code: 'ALREADY_JOINED',
  },
];

describe('a malformed frame', () => {
  it.each(cases)('($name) gets a typed error, and the connection and the room carry on', async (c) => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    const sender = c.senderJoined ? alice : await connect('newcomer');

    const frame = c.frame({ bob: bob.id, room });
    if (typeof frame === 'string') sender.sendRaw(frame);
    else sender.sendRaw(frame, c.binary);
    const err = await sender.next('error');
    expect(err.code).toBe(c.code);
    expect(err.detail).toEqual(expect.any(String));
    expect(err.detail.length).toBeGreaterThan(0);

    // The same connection keeps working.
    if (!c.senderJoined) {
      expect((await sender.join(room)).peers).toEqual([alice.id, bob.id]);
      expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: sender.id });
      expect(await bob.next('peerJoined')).toEqual({ type: 'peerJoined', peer: sender.id });
    }
    sender.send({ type: 'signal', to: bob.id, data: 'after' });
    // The other peer is unaffected: nothing from the bad frame reached it, its room is intact.
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: sender.id, data: 'after' });
    bob.send({ type: 'signal', to: sender.id, data: 'reply' });
    // exactly one error frame: the reply is the very next thing the sender sees
    expect(await sender.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'reply' });
    expect(fixture.relay.rooms.peersIn(room)).toEqual(c.senderJoined ? [alice.id, bob.id] : [alice.id, bob.id, sender.id]);
    expect(fixture.relay.rooms.roomCount).toBe(1);
  });

  it('does not close the connection even after many of them in a row', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    for (let i = 0; i < 100; i++) alice.sendRaw(`garbage ${i}`);
    for (let i = 0; i < 100; i++) expect(await alice.next('error')).toMatchObject({ code: 'BAD_JSON' });
    alice.send({ type: 'signal', to: bob.id, data: 'still here' });
    expect(await bob.next('signal')).toMatchObject({ from: alice.id, data: 'still here' });
  });
});

/** A signal frame to `to` of exactly `bytes` bytes on the wire (ASCII, so length = bytes). */
function signalFrameOfSize(to: string, bytes: number): string {
  const empty = JSON.stringify({ type: 'signal', to, data: '' });
  return JSON.stringify({ type: 'signal', to, data: 'x'.repeat(bytes - empty.length) });
}

describe('the frame-size cap', () => {
  it('delivers a frame of exactly maxMessageBytes', async () => {
    const [alice, bob] = await join(newRoomId(), 'alice', 'bob');
    const frame = signalFrameOfSize(bob.id, TEST_CONFIG.maxMessageBytes);
    expect(Buffer.byteLength(frame)).toBe(TEST_CONFIG.maxMessageBytes);
    alice.sendRaw(frame);
    expect((await bob.next('signal')).data.length).toBeGreaterThan(TEST_CONFIG.maxMessageBytes - 100);
  });

  it('closes the socket that sends one byte more with 1009, and the others carry on', async () => {
    const room = newRoomId();
    const [alice, bob, carol] = await join(room, 'alice', 'bob', 'carol');
    alice.sendRaw(signalFrameOfSize(bob.id, TEST_CONFIG.maxMessageBytes + 1));
    expect((await alice.closed).code).toBe(1009);
    expect(await bob.next('peerLeft')).toEqual({ type: 'peerLeft', peer: alice.id });
    expect(await carol.next('peerLeft')).toEqual({ type: 'peerLeft', peer: alice.id });

    carol.send({ type: 'signal', to: bob.id, data: 'carry on' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'carry on' });
    expect(fixture.relay.rooms.peersIn(room)).toEqual([bob.id, carol.id]);
  });
});

describe('the room cap', () => {
  it('answers ROOM_FULL to one peer too many and leaves the room and its peers untouched', async () => {
    expect(TEST_CONFIG.maxPeersPerRoom).toBe(3);
    const room = newRoomId();
    const [alice, bob, carol] = await join(room, 'alice', 'bob', 'carol');
    const dave = await connect('dave');
    dave.send({ type: 'join', room });
    expect(await dave.next('error')).toMatchObject({ type: 'error', code: 'ROOM_FULL' });
    expect(fixture.relay.rooms.peersIn(room)).toEqual([alice.id, bob.id, carol.id]);

    // No peerJoined reached the three: each one's next frame is the sentinel.
    alice.send({ type: 'signal', data: 'sentinel' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'sentinel' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'sentinel' });
    bob.send({ type: 'signal', to: alice.id, data: 'sentinel' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'sentinel' });

    // The refused connection is still usable: it can join another room.
    expect((await dave.join(newRoomId())).peers).toEqual([]);
  });

  it('admits a newcomer once a member of a full room has left', async () => {
    const room = newRoomId();
    const [alice, bob, carol] = await join(room, 'alice', 'bob', 'carol');
    const dave = await connect('dave');
    dave.send({ type: 'join', room });
    await dave.next('error');
    await carol.close();
    await alice.next('peerLeft');
    await bob.next('peerLeft');
    expect((await dave.join(room)).peers).toEqual([alice.id, bob.id]);
  });
});
