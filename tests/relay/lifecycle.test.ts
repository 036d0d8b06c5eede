// Heartbeat clean-up and graceful shutdown of a real relay.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../../relay/server.ts';
import { CloseCode } from '../../protocol/relay.ts';
import { TestClient, joinedClients, newRoomId, socketUrl, startTestRelay, withTimeout } from './helpers.ts';

let relay: Relay | undefined;
let clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await relay?.close();
  relay = undefined;
});

/** ws keeps the TCP socket private; pausing it makes a client that reads nothing, like a peer that vanished. */
const tcpSocketOf = (c: TestClient): Socket => (c.ws as unknown as { _socket: Socket })._socket; // ws 8 names it _socket

describe('heartbeat', () => {
  it('terminates a client that stops answering pings and tells its room', async () => {
    const r = (relay = await startTestRelay({ heartbeatMs: 200 }));
    const room = newRoomId();
    const [alice, bob] = await joinedClients(r, room, ['alice', 'bob']);
    clients.push(alice, bob);
    const mute = await TestClient.connect(socketUrl(r), 'mute', { autoPong: false });
    clients.push(mute);
    await mute.join(room);
    await alice.next('peerJoined');
    await bob.next('peerJoined');

    const started = Date.now();
    expect(await alice.next('peerLeft', 3_000)).toEqual({ type: 'peerLeft', peer: mute.id });
    expect(await bob.next('peerLeft', 3_000)).toEqual({ type: 'peerLeft', peer: mute.id });
    // A dead peer leaves within two intervals (plus scheduling slack), not at the OS's TCP timeout.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((await withTimeout(mute.closed, 'mute closed')).code).toBe(1006); // terminated: no close frame
    expect(r.transport.connectionCount).toBe(2);
  });

  it('terminates a client whose socket reads nothing at all', async () => {
    const r = (relay = await startTestRelay({ heartbeatMs: 200 }));
    const room = newRoomId();
    const [alice, gone] = await joinedClients(r, room, ['alice', 'gone']);
    clients.push(alice, gone);
    tcpSocketOf(gone).pause();
    expect(await alice.next('peerLeft', 3_000)).toEqual({ type: 'peerLeft', peer: gone.id });
    expect(r.rooms.peersIn(room)).toEqual([alice.id]);
    gone.ws.terminate(); // its paused socket would never see the close
  });

  it('terminates a client that stops reading even though it sends a pong every 50 ms unprompted', async () => {
    const r = (relay = await startTestRelay({ heartbeatMs: 200 }));
    const room = newRoomId();
    const [alice, dead] = await joinedClients(r, room, ['alice', 'dead']);
    clients.push(alice, dead);
    tcpSocketOf(dead).pause();
    // Empty pongs, and pongs carrying 6 bytes as a real answer does: neither answers a ping it never read.
    const pongs = setInterval(() => {
      dead.ws.pong();
      dead.ws.pong(Buffer.alloc(6));
    }, 50);
    try {
      const started = Date.now();
      expect(await alice.next('peerLeft', 3_000)).toEqual({ type: 'peerLeft', peer: dead.id });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(r.rooms.peersIn(room)).toEqual([alice.id]);
    } finally {
      clearInterval(pongs);
      dead.ws.terminate(); // its paused socket would never see the close
    }
  });

  it('terminates a client that answers each ping with the payload of a ping seen on another of its connections', async () => {
    const r = (relay = await startTestRelay({ heartbeatMs: 200 }));
    const room = newRoomId();
    const [alice, helper] = await joinedClients(r, room, ['alice', 'helper']);
    clients.push(alice, helper);
    // The impostor reads its socket but answers every ping with what the helper's last ping carried.
    const impostor = await TestClient.connect(socketUrl(r), 'impostor', { autoPong: false });
    clients.push(impostor);
    await impostor.join(room);
    await alice.next('peerJoined');
    await helper.next('peerJoined');
    let seen: Buffer | undefined;
    helper.ws.on('ping', (data: Buffer) => (seen = data));
    impostor.ws.on('ping', () => impostor.ws.pong(seen ?? Buffer.alloc(6)));
    expect(await alice.next('peerLeft', 3_000)).toEqual({ type: 'peerLeft', peer: impostor.id });
    // The helper answered its own pings and stays.
    expect(r.rooms.peersIn(room)).toEqual([alice.id, helper.id]);
  });

  it('pings its sockets a group at a time, spread over the interval, not all in one burst', async () => {
    // 800 ms: eight groups of one 100 ms tick each, and eight sockets, one in each group.
    const r = (relay = await startTestRelay({ heartbeatMs: 800 }));
    const all: TestClient[] = [];
    for (let i = 0; i < 4; i++) all.push(...(await joinedClients(r, newRoomId(), [`a${i}`, `b${i}`])));
    clients.push(...all);
    const firstPing = new Map<TestClient, number>();
    for (const c of all) c.ws.on('ping', () => firstPing.has(c) || firstPing.set(c, performance.now()));
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // one and a half intervals
    // Each socket is still pinged once an interval...
    expect(firstPing.size).toBe(all.length);
    // ...but not all at the same moment: that burst held every frame behind it (bench:relay's p99).
    const times = [...firstPing.values()];
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(300);
    expect(r.transport.connectionCount).toBe(all.length);
  });

  it('keeps clients that answer pings connected across many intervals', async () => {
    const r = (relay = await startTestRelay({ heartbeatMs: 100 }));
    const [alice, bob] = await joinedClients(r, newRoomId(), ['alice', 'bob']);
    clients.push(alice, bob);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // ten heartbeats
    expect(alice.pending).toEqual([]);
    expect(bob.pending).toEqual([]);
    alice.send({ type: 'signal', to: bob.id, data: 'still here' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'still here' });
    expect(r.transport.connectionCount).toBe(2);
  });
});

describe('the join deadline', () => {
  it('closes a socket that never joins with 4008, one that sends only junk too, and keeps the joined ones', async () => {
    const r = (relay = await startTestRelay({ joinTimeoutMs: 300 }));
    const room = newRoomId();
    const [alice, bob] = await joinedClients(r, room, ['alice', 'bob']);
    const idle = await TestClient.connect(socketUrl(r), 'idle');
    const junk = await TestClient.connect(socketUrl(r), 'junk');
    clients.push(alice, bob, idle, junk);
    const opened = Date.now();
    const chatter = setInterval(() => junk.sendRaw('{"type":"signal","data":"x"}'), 50); // NOT_JOINED each time
    try {
      for (const c of [idle, junk]) {
        expect(await withTimeout(c.closed, `${c.label} closed`)).toEqual({ code: CloseCode.JOIN_TIMEOUT, reason: 'no join in time' });
      }
    } finally {
      clearInterval(chatter);
    }
    // Due at 300 ms, checked every 75 ms: closed within 375 ms plus scheduling slack.
    const took = Date.now() - opened;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1_500);
    await expect.poll(() => r.transport.connectionCount).toBe(2);
    alice.send({ type: 'signal', to: bob.id, data: 'still here' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'still here' });
  });

  it('lets a socket that joined and left stay connected past the deadline', async () => {
    const r = (relay = await startTestRelay({ joinTimeoutMs: 200 }));
    const c = await TestClient.connect(socketUrl(r), 'c');
    clients.push(c);
    await c.join(newRoomId());
    c.send({ type: 'leave' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect((await c.join(newRoomId())).peers).toEqual([]);
  });
});

describe('graceful shutdown', () => {
  it('closes every client with 1001 and resolves', async () => {
    const r = (relay = await startTestRelay({ shutdownGraceMs: 5_000 }));
    const joined = await joinedClients(r, newRoomId(), ['alice', 'bob', 'carol']);
    const loner = await TestClient.connect(socketUrl(r), 'loner'); // connected, never joined
    clients.push(...joined, loner);

    const started = Date.now();
    await withTimeout(r.close(), 'relay.close()');
    // the clients answered the close frame, so the grace period was not needed
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const c of [...joined, loner]) {
      expect(await withTimeout(c.closed, `${c.label} closed`)).toEqual({ code: 1001, reason: 'relay shutting down' });
    }
    expect(r.transport.connectionCount).toBe(0);
  });

  it('is safe to call twice and refuses new connections afterwards', async () => {
    const r = (relay = await startTestRelay());
    const first = r.close();
    expect(r.close()).toBe(first);
    await withTimeout(first, 'relay.close()');
    const ws = new WebSocket(socketUrl(r));
    const err = await withTimeout(new Promise<Error>((resolve) => ws.once('error', resolve)), 'connect to a closed relay');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('terminates a client that never answers the close frame once the grace period is over', async () => {
    const r = (relay = await startTestRelay({ shutdownGraceMs: 300 }));
    const [alice, stuck] = await joinedClients(r, newRoomId(), ['alice', 'stuck']);
    clients.push(alice, stuck);
    tcpSocketOf(stuck).pause();

    const started = Date.now();
    await withTimeout(r.close(), 'relay.close()', 3_000);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2_000);
    expect((await withTimeout(alice.closed, 'alice closed')).code).toBe(1001);
    expect(r.transport.connectionCount).toBe(0);
    stuck.ws.terminate(); // its paused socket would never see the close
  });

  it('resolves with idle keep-alive HTTP connections still open', async () => {
    const r = (relay = await startTestRelay());
    const res = await fetch(`${r.url}/healthz`); // undici keeps the connection alive
    await res.text();
    await withTimeout(r.close(), 'relay.close() with a keep-alive connection');
  });
});
