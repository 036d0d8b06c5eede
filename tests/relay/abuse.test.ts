// The abuse limits and TURN credentials against a real relay with real ws
// clients: each limit is crossed, and everyone else is shown to carry on.
import { createHmac } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { DEFAULTS, type RelayConfig } from '../../relay/config.ts';
import { CloseCode, type ServerMessage, type TurnServer } from '../../protocol/relay.ts';
import type { Relay } from '../../relay/server.ts';
import { TestClient, WAIT_MS, newRoomId, socketUrl, startTestRelay, withTimeout } from './helpers.ts';

/** A second loopback address: Linux routes all of 127/8 to lo, so the relay sees another client address. */
const OTHER_ADDRESS = '127.0.0.2';
const ZING_CHROME = 'chrome-extension://oadbebmmljbobedlicbbcfajhplencgk';

let relay: Relay | undefined;
let clients: TestClient[] = [];
let sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await relay?.close();
  relay = undefined;
});

async function start(overrides: Partial<RelayConfig>): Promise<Relay> {
  relay = await startTestRelay(overrides);
  return relay;
}

async function connect(r: Relay, label: string, options: ClientOptions = {}): Promise<TestClient> {
  const c = await TestClient.connect(socketUrl(r), label, options);
  clients.push(c);
  return c;
}

/** Connects and joins `room`, draining the peerJoined this causes at `earlier`. */
async function joinAs(r: Relay, room: string, label: string, earlier: TestClient[] = [], options: ClientOptions = {}): Promise<TestClient> {
  const c = await connect(r, label, options);
  await c.join(room);
  for (const e of earlier) await e.next('peerJoined');
  return c;
}

/** Attempts an upgrade and returns the HTTP status that refused it (fails if a socket opens). */
async function refusedStatus(r: Relay, options: ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(socketUrl(r), options);
  ws.on('error', () => undefined); // dropping the refused request below reports an error we expect
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.once('open', () => {
        ws.terminate();
        reject(new Error('the upgrade was accepted'));
      });
    }),
    'refused upgrade',
  );
}

/** Takes messages from `client` until one matches, returning the ones before it. */
async function takeUntil(client: TestClient, match: (m: ServerMessage) => boolean): Promise<ServerMessage[]> {
  const before: ServerMessage[] = [];
  for (;;) {
    const m = await client.next();
    if (match(m)) return before;
    before.push(m);
  }
}

const isSignalFrom = (from: string, data?: string) => (m: ServerMessage) =>
  m.type === 'signal' && m.from === from && (data === undefined || m.data === data);

describe('messages per second per connection', () => {
  // 5 a second, 10 at once; no close in these tests.
  const LIMITS = { msgRatePerSecond: 5, msgBurst: 10, msgDropsBeforeClose: 1_000 };

  it('answers a flood from one connection with RATE_LIMITED and drops it, while a second connection in the same room still routes', async () => {
    const r = await start(LIMITS);
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice');
    const bob = await joinAs(r, room, 'bob', [alice]);
    const carol = await joinAs(r, room, 'carol', [alice, bob]);

    const FLOOD = 40;
    for (let i = 0; i < FLOOD; i++) alice.send({ type: 'signal', to: bob.id, data: `flood ${i}` });
    const firstError = await alice.next('error');
    expect(firstError).toEqual({ type: 'error', code: 'RATE_LIMITED', detail: expect.any(String) });

    // Carol, in the same room, is unaffected: her signal reaches Bob, and his answer reaches her.
    carol.send({ type: 'signal', to: bob.id, data: 'carol is fine' });
    const fromAlice = await takeUntil(bob, isSignalFrom(carol.id, 'carol is fine'));
    bob.send({ type: 'signal', to: carol.id, data: 'so is bob' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'so is bob' });

    // Every flooded frame was either delivered or refused with its own error, never both.
    expect(fromAlice.every((m) => m.type === 'signal' && m.from === alice.id)).toBe(true);
    let errors = 1;
    let delivered = fromAlice.length;
    await withTimeout(
      (async () => {
        while (errors + delivered < FLOOD) {
          if (alice.pending.length > 0) {
            expect((await alice.next('error')).code).toBe('RATE_LIMITED');
            errors++;
          } else if (bob.pending.length > 0) {
            expect((await bob.next('signal')).from).toBe(alice.id);
            delivered++;
          } else await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })(),
      'every flooded frame delivered or refused',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([alice.pending, bob.pending, carol.pending]).toEqual([[], [], []]);
    // The join took one token of the 10; a few more may have trickled in at 5 a second.
    expect(delivered).toBeGreaterThanOrEqual(9);
    expect(delivered).toBeLessThan(15);
  });

  it('lets the same connection through again once it slows down to the rate', async () => {
    const r = await start(LIMITS);
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice');
    const bob = await joinAs(r, room, 'bob', [alice]);
    for (let i = 0; i < 20; i++) alice.send({ type: 'signal', to: bob.id, data: `flood ${i}` });
    await alice.next('error');
    await new Promise((resolve) => setTimeout(resolve, 250)); // one token at 5 a second is 200 ms
    alice.send({ type: 'signal', to: bob.id, data: 'after a pause' });
    await takeUntil(bob, isSignalFrom(alice.id, 'after a pause'));
    expect(r.rooms.peersIn(room)).toEqual([alice.id, bob.id]);
  });

  it('closes a connection that keeps flooding with 4029, and the rest of the room carries on', async () => {
    const r = await start({ ...LIMITS, msgDropsBeforeClose: 5 });
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice');
    const bob = await joinAs(r, room, 'bob', [alice]);
    const carol = await joinAs(r, room, 'carol', [alice, bob]);
    for (let i = 0; i < 100; i++) alice.send({ type: 'signal', data: `flood ${i}` });
    expect(await alice.closed).toEqual({ code: CloseCode.RATE_LIMITED, reason: 'too many messages' });

    await takeUntil(bob, (m) => m.type === 'peerLeft' && m.peer === alice.id);
    await takeUntil(carol, (m) => m.type === 'peerLeft' && m.peer === alice.id);
    carol.send({ type: 'signal', to: bob.id, data: 'carry on' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'carry on' });
    expect(r.rooms.peersIn(room)).toEqual([bob.id, carol.id]);
    // A new connection from the same address starts with a full allowance.
    const again = await joinAs(r, room, 'alice again', [bob, carol]);
    again.send({ type: 'signal', to: bob.id, data: 'back' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: again.id, data: 'back' });
  });
});

describe('pings', () => {
  const LIMITS = { msgRatePerSecond: 5, msgBurst: 10, msgDropsBeforeClose: 5 };

  it('counts a ping against the rate like any frame: a flood of them is answered in pongs only up to the burst, then closed', async () => {
    const r = await start(LIMITS);
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice');
    const bob = await joinAs(r, room, 'bob', [alice]);
    for (let i = 0; i < 100; i++) alice.send({ type: 'ping' });
    expect(await alice.closed).toEqual({ code: CloseCode.RATE_LIMITED, reason: 'too many messages' });
    const answers = alice.pending.filter((m) => m.type === 'pong');
    // The join took one token of the 10: no more pongs than the rest, whatever was asked.
    expect(answers.length).toBeLessThanOrEqual(10);
    expect(answers.length).toBeGreaterThanOrEqual(8);
    await takeUntil(bob, (m) => m.type === 'peerLeft' && m.peer === alice.id);
    expect(r.rooms.peersIn(room)).toEqual([bob.id]);
  });
});

describe('bytes per second per connection', () => {
  // 8 KiB a second, 16 KiB at once; messages are not limited here, and no close.
  const LIMITS = { byteRatePerSecond: 8 * 1024, byteBurst: 16 * 1024, msgDropsBeforeClose: 1_000 };
  const BIG = 'x'.repeat(3_500); // a frame of ~3.6 KB, under TEST_CONFIG's 4 KiB cap

  it('drops large frames past the byte allowance with RATE_LIMITED though the message rate is far off, and the room carries on', async () => {
    const r = await start(LIMITS);
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice');
    const bob = await joinAs(r, room, 'bob', [alice]);
    const carol = await joinAs(r, room, 'carol', [alice, bob]);

    const FLOOD = 20;
    for (let i = 0; i < FLOOD; i++) alice.send({ type: 'signal', to: bob.id, data: `${i} ${BIG}` });
    alice.send({ type: 'signal', to: bob.id, data: 'small' });
    // The small frame after the flood fits in what is left, so the sender is not cut off.
    const delivered = await takeUntil(bob, isSignalFrom(alice.id, 'small'));
    expect(delivered.every((m) => m.type === 'signal' && m.from === alice.id)).toBe(true);
    // 16 KiB at once is four frames of 3.6 KB (the join took a few bytes); a fifth may have trickled in.
    expect(delivered.length).toBeGreaterThanOrEqual(4);
    expect(delivered.length).toBeLessThanOrEqual(5);
    // Every other frame was refused with its own error, and nothing else arrived.
    for (let i = delivered.length; i < FLOOD; i++) expect((await alice.next('error')).code).toBe('RATE_LIMITED');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([alice.pending, bob.pending]).toEqual([[], []]);

    // Carol, in the same room, has her own allowance.
    carol.send({ type: 'signal', to: bob.id, data: BIG });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: carol.id, data: BIG });
  });

  it('closes a connection that keeps sending large frames with 4029', async () => {
    const r = await start({ ...LIMITS, msgDropsBeforeClose: 10 });
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice');
    const bob = await joinAs(r, room, 'bob', [alice]);
    for (let i = 0; i < 40; i++) alice.send({ type: 'signal', data: BIG });
    expect(await withTimeout(alice.closed, 'alice closed')).toEqual({ code: CloseCode.RATE_LIMITED, reason: 'too many messages' });
    await takeUntil(bob, (m) => m.type === 'peerLeft' && m.peer === alice.id);
    expect(r.rooms.peersIn(room)).toEqual([bob.id]);
  });
});

describe('connections per address', () => {
  it('refuses the connection one over the cap with HTTP 429 before any WebSocket exists, and the others carry on', async () => {
    const r = await start({ maxConnectionsPerIp: 3 });
    const room = newRoomId();
    const a = await joinAs(r, room, 'a');
    const b = await joinAs(r, room, 'b', [a]);
    await connect(r, 'c');
    expect(r.transport.connectionCount).toBe(3);

    expect(await refusedStatus(r)).toBe(429);
    expect(r.transport.connectionCount).toBe(3);

    a.send({ type: 'signal', to: b.id, data: 'still here' });
    expect(await b.next('signal')).toEqual({ type: 'signal', from: a.id, data: 'still here' });
    // Another address has its own allowance.
    const elsewhere = await joinAs(r, room, 'elsewhere', [a, b], { localAddress: OTHER_ADDRESS });
    expect(r.rooms.peersIn(room)).toEqual([a.id, b.id, elsewhere.id]);
  });

  it('admits a new connection once one from that address has closed', async () => {
    const r = await start({ maxConnectionsPerIp: 2 });
    const a = await connect(r, 'a');
    await connect(r, 'b');
    expect(await refusedStatus(r)).toBe(429);
    await a.close();
    await withTimeout(
      (async () => {
        while (r.transport.connectionCount !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      'the relay to see the close',
    );
    expect((await (await connect(r, 'c')).join(newRoomId())).peers).toEqual([]);
  });

  it('counts the address a trusted proxy forwards, and ignores X-Forwarded-For from anyone else', async () => {
    const direct = await start({ maxConnectionsPerIp: 1 });
    await connect(direct, 'first');
    // Without a trusted proxy a forged header changes nothing.
    expect(await refusedStatus(direct, { headers: { 'x-forwarded-for': '203.0.113.9' } })).toBe(429);
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    await direct.close();

    const proxied = await start({ maxConnectionsPerIp: 1, trustProxy: 1 });
    await connect(proxied, 'client 1', { headers: { 'x-forwarded-for': '203.0.113.1' } });
    await connect(proxied, 'client 2', { headers: { 'x-forwarded-for': '203.0.113.2' } });
    expect(await refusedStatus(proxied, { headers: { 'x-forwarded-for': '203.0.113.1' } })).toBe(429);
    // The client's own claim before the proxy's hop does not pick the address.
    expect(await refusedStatus(proxied, { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.1' } })).toBe(429);
  });
});

describe('pending handshakes per address', () => {
  /** A TCP connection that starts an upgrade request and never finishes its headers (slowloris). */
  async function halfOpen(r: Relay, localAddress = '127.0.0.1'): Promise<{ socket: Socket; answer: Promise<string> }> {
    const socket = connectTcp({ host: '127.0.0.1', port: r.port, localAddress });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write('GET /ws HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', () => undefined); // a reset is one of the endings under test
    const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
    sockets.push(socket);
    return { socket, answer };
  }

  it('answers one connection more than the cap with 429 while others hang mid-headers, and another address is unaffected', async () => {
    const r = await start({ maxPendingHandshakesPerIp: 3, handshakeTimeoutMs: 10_000 });
    for (let i = 0; i < 3; i++) await halfOpen(r);
    const over = await halfOpen(r);
    expect(await withTimeout(over.answer, 'the refusal')).toMatch(/^HTTP\/1\.1 429 /);
    // A real client from the same address is refused too while the three hang…
    expect(await refusedStatus(r)).toBe(429);
    // …and one from another address connects and joins.
    const elsewhere = await connect(r, 'elsewhere', { localAddress: OTHER_ADDRESS });
    expect((await elsewhere.join(newRoomId())).peers).toEqual([]);
  });

  it('cuts a connection whose headers do not arrive within the handshake timeout, and its address may connect again', async () => {
    const r = await start({ maxPendingHandshakesPerIp: 2, handshakeTimeoutMs: 300 });
    const opened = Date.now();
    const slow = [await halfOpen(r), await halfOpen(r)];
    expect(await refusedStatus(r)).toBe(429);
    for (const s of slow) expect(await withTimeout(s.answer, 'the cut')).toBe(''); // destroyed, no answer
    const took = Date.now() - opened;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1_500);
    const c = await connect(r, 'after');
    expect((await c.join(newRoomId())).peers).toEqual([]);
  });

  it('gives the slot back as soon as the upgrade completes, so many sockets from one address open one after another', async () => {
    const r = await start({ maxPendingHandshakesPerIp: 1 });
    for (let i = 0; i < 5; i++) await connect(r, `c${i}`);
    expect(r.transport.connectionCount).toBe(5);
    // Plain HTTP too: a page request ends the handshake like an upgrade does.
    for (let i = 0; i < 3; i++) expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
  });
});

describe('joins per minute per address', () => {
  it('answers RATE_LIMITED to the join one over the limit, leaves the room untouched, and another address still joins', async () => {
    const r = await start({ joinsPerMinutePerIp: 3 });
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice');
    const bob = await joinAs(r, room, 'bob', [alice]);
    const carol = await joinAs(r, room, 'carol', [alice, bob]);

    const dave = await connect(r, 'dave');
    dave.send({ type: 'join', room });
    expect(await dave.next('error')).toEqual({ type: 'error', code: 'RATE_LIMITED', detail: expect.stringContaining('joins') });
    expect(r.rooms.peersIn(room)).toEqual([alice.id, bob.id, carol.id]);

    // No peerJoined reached the room: the next thing Bob sees is Alice's sentinel.
    alice.send({ type: 'signal', data: 'sentinel' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'sentinel' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'sentinel' });

    // Someone at another address joins a fresh room at once.
    const erin = await connect(r, 'erin', { localAddress: OTHER_ADDRESS });
    expect((await erin.join(newRoomId())).peers).toEqual([]);
  });

  it('counts a join that was refused because the room was full, so a full room cannot be hammered', async () => {
    const r = await start({ joinsPerMinutePerIp: 4, maxPeersPerRoom: 2 });
    const room = newRoomId();
    const alice = await joinAs(r, room, 'alice', [], { localAddress: OTHER_ADDRESS });
    await joinAs(r, room, 'bob', [alice], { localAddress: OTHER_ADDRESS });
    const mallory = await connect(r, 'mallory');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      mallory.send({ type: 'join', room });
      codes.push((await mallory.next('error')).code);
    }
    expect(codes).toEqual(['ROOM_FULL', 'ROOM_FULL', 'ROOM_FULL', 'ROOM_FULL', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});

describe('the Origin allow-list', () => {
  it('refuses a page from another site with HTTP 403 before any WebSocket exists', async () => {
    const r = await start({});
    expect(await refusedStatus(r, { origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus(r, { origin: 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).toBe(403);
    expect(r.transport.connectionCount).toBe(0);
  });

  it.each([
    ['Zing’s Chrome extension', () => ZING_CHROME],
    ['a Firefox install of Zing', () => 'moz-extension://0b9c8e1d-4f1a-4c5e-9a7b-3c2d1e0f9a8b'],
    ['the relay’s own guest page', (r: Relay) => r.url],
    ['no Origin at all (a script, not a browser)', () => undefined],
  ])('lets %s connect and join', async (_name, originOf) => {
    const r = await start({});
    const origin = originOf(r);
    const c = await connect(r, 'allowed', origin === undefined ? {} : { origin });
    expect((await c.join(newRoomId())).peers).toEqual([]);
  });

  it('requires an Origin header when told to', async () => {
    const r = await start({ requireOrigin: true });
    expect(await refusedStatus(r)).toBe(403);
    const c = await connect(r, 'extension', { origin: ZING_CHROME });
    expect((await c.join(newRoomId())).peers).toEqual([]);
  });

  it('takes the relay’s own origin from its public URL when given one', async () => {
    const r = await start({ publicUrl: 'https://relay.example' });
    expect(await refusedStatus(r, { origin: r.url })).toBe(403);
    await connect(r, 'guest', { origin: 'https://relay.example' });
  });
});

describe('TURN credentials', () => {
  const SECRET = 'zing-test-turn-secret-0123456789';
  const URLS = ['turn:127.0.0.1:3478?transport=udp', 'turns:turn.example:443?transport=tcp'];

  /** Checks one minted credential: this peer's, expiring a TTL from now, signed with the shared secret. */
  function expectMintedFor(servers: TurnServer[] | undefined, peer: string, ttlSeconds: number): string {
    const nowS = Date.now() / 1000;
    expect(servers).toHaveLength(1);
    const [server] = servers ?? [];
    expect(server?.urls).toEqual(URLS);
    const match = /^(\d+):(.+)$/.exec(server?.username ?? '');
    expect(match?.[2]).toBe(peer);
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(Math.floor(nowS - WAIT_MS / 1000) + ttlSeconds);
    expect(Number(match?.[1])).toBeLessThanOrEqual(Math.ceil(nowS) + ttlSeconds);
    expect(server?.credential).toBe(
      createHmac('sha1', SECRET)
        .update(server?.username ?? '')
        .digest('base64'),
    );
    return server?.username ?? '';
  }

  it('gives a lone joiner none, then both their own credentials when a second person arrives: in joined, and just before peerJoined', async () => {
    const r = await start({ turnSecret: SECRET, turnUrls: URLS, turnTtlSeconds: 3_600 });
    const room = newRoomId();
    const alice = await connect(r, 'alice');
    const bob = await connect(r, 'bob');
    const alone = await alice.join(room);
    expect(alone).not.toHaveProperty('iceServers');
    expect(alice.pending).toEqual([]);

    const joinedB = await bob.join(room);
    const bobs = expectMintedFor(joinedB.iceServers, bob.id, 3_600);
    const granted = await alice.next('iceServers');
    const alices = expectMintedFor(granted.iceServers, alice.id, 3_600);
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: bob.id });
    expect(alices).not.toBe(bobs);

    // A third gets them in joined; the two who have theirs hear only peerJoined.
    const carol = await connect(r, 'carol');
    expectMintedFor((await carol.join(room)).iceServers, carol.id, 3_600);
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
    expect(await bob.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
    carol.send({ type: 'signal', data: 'sentinel' });
    expect(await alice.next('signal')).toMatchObject({ data: 'sentinel' });
    expect(await bob.next('signal')).toMatchObject({ data: 'sentinel' });
  });

  it('gives none in a room where the others left, and mints afresh in company, never sending the secret', async () => {
    const r = await start({ turnSecret: SECRET, turnUrls: URLS });
    const raw: string[] = [];
    const c = await connect(r, 'c');
    c.ws.on('message', (d: Buffer) => raw.push(d.toString()));
    const friend = await connect(r, 'friend');
    const room = newRoomId();
    await friend.join(room);
    const first = expectMintedFor((await c.join(room)).iceServers, c.id, DEFAULTS.turnTtlSeconds);
    expectMintedFor((await friend.next('iceServers')).iceServers, friend.id, DEFAULTS.turnTtlSeconds);
    expect(await friend.next('peerJoined')).toEqual({ type: 'peerJoined', peer: c.id });
    c.send({ type: 'leave' });
    expect(await friend.next('peerLeft')).toEqual({ type: 'peerLeft', peer: c.id });
    // Alone in a fresh room: nothing until someone comes.
    const lonely = newRoomId();
    expect(await c.join(lonely)).not.toHaveProperty('iceServers');
    friend.send({ type: 'leave' });
    expectMintedFor((await friend.join(lonely)).iceServers, friend.id, DEFAULTS.turnTtlSeconds);
    const again = await c.next('iceServers');
    expectMintedFor(again.iceServers, c.id, DEFAULTS.turnTtlSeconds);
    expect(await c.next('peerJoined')).toEqual({ type: 'peerJoined', peer: friend.id });
    expect(first).toMatch(new RegExp(`^\\d+:${c.id}$`));
    expect(raw.join('')).not.toContain(SECRET);
  });

  it('sends no credentials at all where the relay has no TURN secret', async () => {
    const r = await start({});
    const room = newRoomId();
    const a = await connect(r, 'a');
    expect(await a.join(room)).not.toHaveProperty('iceServers');
    const b = await connect(r, 'b');
    expect(await b.join(room)).not.toHaveProperty('iceServers');
    // The next thing a hears is b's arrival, no iceServers before it.
    expect(await a.next()).toEqual({ type: 'peerJoined', peer: b.id });
  });
});
