// Join, leave and routing through a real relay with real ws clients.
import { describe, expect, it } from 'vitest';
import { newRoomId, useRelay } from './helpers.ts';

const fixture = useRelay();
const { connect, join } = fixture;

describe('joining a room', () => {
  it('gives the first peer its relay-assigned id and an empty peer list', async () => {
    const room = newRoomId();
    const alice = await connect('alice');
    alice.send({ type: 'join', room });
    const joined = await alice.next('joined');
    expect(joined).toEqual({ type: 'joined', room, self: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/), peers: [] });
  });

  it('lists the peers already in the room, oldest first, and tells each of them', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    const carol = await connect('carol');
    const joined = await carol.join(room);
    expect(joined.peers).toEqual([alice.id, bob.id]);
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
    expect(await bob.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
  });

  it('gives every connection a different id', async () => {
    const room = newRoomId();
    const peers = await join(room, 'a', 'b', 'c');
    expect(new Set(peers.map((p) => p.id)).size).toBe(3);
    expect(fixture.relay.rooms.peersIn(room)).toEqual(peers.map((p) => p.id));
  });
});

describe('liveness', () => {
  it('answers a ping with a pong at once, before a join and in a room, and tells nobody else', async () => {
    const alice = await connect('alice');
    alice.send({ type: 'ping' });
    expect(await alice.next('pong')).toEqual({ type: 'pong' });
    const room = newRoomId();
    await alice.join(room);
    const [bob] = await join(room, 'bob');
    await alice.next('peerJoined');
    alice.send({ type: 'ping' });
    expect(await alice.next('pong')).toEqual({ type: 'pong' });
    // Bob's next frame is Alice's signal, not anything about her ping.
    alice.send({ type: 'signal', data: 'after the ping' });
    expect(await bob?.next('signal')).toMatchObject({ from: alice.id, data: 'after the ping' });
  });
});

describe('leaving', () => {
  it('tells the others with peerLeft when a peer sends leave, and the peer can join again', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    alice.send({ type: 'leave' });
    expect(await bob.next('peerLeft')).toEqual({ type: 'peerLeft', peer: alice.id });
    expect(fixture.relay.rooms.peersIn(room)).toEqual([bob.id]);

    const again = await alice.join(room);
    expect(again.peers).toEqual([bob.id]);
    expect(await bob.next('peerJoined')).toEqual({ type: 'peerJoined', peer: alice.id });
  });

  it('tells the others with peerLeft when a socket closes', async () => {
    const room = newRoomId();
    const [alice, bob, carol] = await join(room, 'alice', 'bob', 'carol');
    await bob.close();
    expect(await alice.next('peerLeft')).toEqual({ type: 'peerLeft', peer: bob.id });
    expect(await carol.next('peerLeft')).toEqual({ type: 'peerLeft', peer: bob.id });
  });

  it('tells the others when a socket is dropped without a close frame', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    bob.ws.terminate();
    expect(await alice.next('peerLeft')).toEqual({ type: 'peerLeft', peer: bob.id });
  });

  it('deletes the room once its last peer is gone', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    expect(fixture.relay.rooms.roomCount).toBe(1);
    await bob.close();
    await alice.next('peerLeft');
    alice.send({ type: 'leave' });
    // a signal after leaving proves the leave was handled before we look
    alice.send({ type: 'signal', data: 'x' });
    expect(await alice.next('error')).toMatchObject({ code: 'NOT_JOINED' });
    expect(fixture.relay.rooms.roomCount).toBe(0);
  });

  it('answers UNKNOWN_PEER for a peer that has left', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    await bob.close();
    await alice.next('peerLeft');
    alice.send({ type: 'signal', to: bob.id, data: 'late' });
    expect(await alice.next('error')).toMatchObject({ code: 'UNKNOWN_PEER' });
  });
});

describe('routing', () => {
  it('delivers a signal to the one named peer only, with the sender as `from`', async () => {
    const room = newRoomId();
    const [alice, bob, carol] = await join(room, 'alice', 'bob', 'carol');
    alice.send({ type: 'signal', to: carol.id, data: 'offer-for-carol' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'offer-for-carol' });

    // bob's next frame is this one, so the offer did not reach him
    carol.send({ type: 'signal', to: bob.id, data: 'sentinel' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'sentinel' });
    expect(alice.pending).toEqual([]);
  });

  it('broadcasts a signal without `to` to every other peer and not back to the sender', async () => {
    const room = newRoomId();
    const [alice, bob, carol] = await join(room, 'alice', 'bob', 'carol');
    bob.send({ type: 'signal', data: 'hello all' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'hello all' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'hello all' });

    alice.send({ type: 'signal', to: bob.id, data: 'sentinel' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'sentinel' });
  });

  it('keeps the order of many signals from one peer to another', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    for (let i = 0; i < 200; i++) alice.send({ type: 'signal', to: bob.id, data: `m${i}` });
    for (let i = 0; i < 200; i++) expect((await bob.next('signal')).data).toBe(`m${i}`);
  });

  it('carries data byte for byte, including JSON-looking and non-ASCII text', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    const data = '{"type":"offer","sdp":"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1"} ✓ 日本 \u2028';
    alice.send({ type: 'signal', to: bob.id, data });
    expect((await bob.next('signal')).data).toBe(data);
  });

  it('cannot route a signal back to the sender itself', async () => {
    const room = newRoomId();
    const [alice] = await join(room, 'alice', 'bob');
    alice.send({ type: 'signal', to: alice.id, data: 'me' });
    expect(await alice.next('error')).toMatchObject({ type: 'error', code: 'UNKNOWN_PEER' });
  });
});

describe('spoofing the sender', () => {
  it('ignores a `from` field in a signal: the recipient sees the relay-assigned id', async () => {
    const room = newRoomId();
    const [alice, bob, carol] = await join(room, 'alice', 'bob', 'carol');
    // alice pretends to be carol, with `from` both before and after the real fields
    alice.sendRaw(`{"from":"${carol.id}","type":"signal","to":"${bob.id}","data":"forged"}`);
    alice.send({ type: 'signal', to: bob.id, data: 'forged2', from: carol.id });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'forged' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'forged2' });
  });

  it('ignores a `from` field in a broadcast too', async () => {
    const room = newRoomId();
    const [alice, bob] = await join(room, 'alice', 'bob');
    alice.send({ type: 'signal', data: 'forged', from: 'madeUpPeer' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'forged' });
  });

  it('ignores a `self` field in a join: the relay still assigns the id', async () => {
    const room = newRoomId();
    const [alice] = await join(room, 'alice');
    const mallory = await connect('mallory');
    mallory.send({ type: 'join', room, self: alice.id });
    const joined = await mallory.next('joined');
    expect(joined.self).not.toBe(alice.id);
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: joined.self });
  });
});

describe('isolation between rooms', () => {
  it('answers UNKNOWN_PEER to a peer in room B that targets a peer of room A, and delivers nothing', async () => {
    const [alice, bob] = await join(newRoomId(), 'alice', 'bob');
    const [carol, dave] = await join(newRoomId(), 'carol', 'dave');
    carol.send({ type: 'signal', to: alice.id, data: 'cross' });
    expect(await carol.next('error')).toMatchObject({ type: 'error', code: 'UNKNOWN_PEER' });

    // The relay has handled carol's frame; anything it delivered would be queued before these.
    bob.send({ type: 'signal', to: alice.id, data: 'sentinel-a' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'sentinel-a' });
    carol.send({ type: 'signal', to: dave.id, data: 'sentinel-d' });
    expect(await dave.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'sentinel-d' });
  });

  it('keeps broadcasts inside their room', async () => {
    const [alice, bob] = await join(newRoomId(), 'alice', 'bob');
    const [carol, dave] = await join(newRoomId(), 'carol', 'dave');
    carol.send({ type: 'signal', data: 'room B only' });
    expect(await dave.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'room B only' });
    alice.send({ type: 'signal', data: 'room A only' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'room A only' });

    bob.send({ type: 'signal', to: alice.id, data: 'sentinel-a' });
    expect(await alice.next('signal')).toMatchObject({ data: 'sentinel-a' });
    dave.send({ type: 'signal', to: carol.id, data: 'sentinel-c' });
    expect(await carol.next('signal')).toMatchObject({ data: 'sentinel-c' });
    expect(dave.pending).toEqual([]);
  });

  it('does not announce joins and leaves across rooms', async () => {
    const [alice, bob] = await join(newRoomId(), 'alice', 'bob');
    const [carol, dave] = await join(newRoomId(), 'carol', 'dave');
    await carol.close();
    expect(await dave.next('peerLeft')).toEqual({ type: 'peerLeft', peer: carol.id });
    bob.send({ type: 'signal', to: alice.id, data: 'sentinel' });
    expect(await alice.next('signal')).toMatchObject({ data: 'sentinel' });
  });
});
