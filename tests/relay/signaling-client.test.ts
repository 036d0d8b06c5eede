// SignalingClient against a real relay on port 0, through the `ws` package's
// client (Node 20 has no global WebSocket). Its pure backoff is unit-tested in
// tests/unit/extension/session/signaling-client.test.ts.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket as WsClient, WebSocketServer } from 'ws';
import { DEFAULTS, type RelayConfig } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { buildShareLink, type ShareLink } from '../../extension/session/share-link.ts';
import { SignalingClient, type SignalingEvents, type SignalingOptions } from '../../extension/session/signaling-client.ts';
import { freePort } from '../support/ports.ts';
import { startDarkPath } from '../support/dark-path.ts';

/** Generous for a 2-core machine shared with Chromium runs; a passing test never waits this long. */
const WAIT_MS = 4_000;

const RELAY_CONFIG: RelayConfig = { ...DEFAULTS, port: 0, logLevel: 'silent', shutdownGraceMs: 200 };

/**
 * A `ws` client standing in for the browser's WebSocket. A browser ignores an
 * unhandled `error` event; ws emits it on an EventEmitter, which throws without
 * a listener, so one is added here. ws delivers text frames to `onmessage` as strings.
 */
function createSocket(url: string): WebSocket {
  const socket = new WsClient(url);
  socket.on('error', () => undefined); // a test that expects an error reads it from the close
  return socket as unknown as WebSocket; // same onopen/onmessage/onclose/send/close/readyState surface
}

/** A fresh random room id (16 bytes, like room-key.ts derives): tests never share a room by accident. */
const newRoomId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
/** SignalingClient never reads the link's secret. */
const SECRET = 's'.repeat(43);
const linkTo = (relayUrl: string, room = newRoomId()) => buildShareLink(relayUrl, room, SECRET);

/** Fast retries so a reconnect takes milliseconds. */
const FAST: Partial<SignalingOptions> = { baseBackoffMs: 20, maxBackoffMs: 100, connectTimeoutMs: 1_000, createSocket };

type Recorded = { [K in keyof SignalingEvents]: SignalingEvents[K][0][] };

/** A SignalingClient that records every event and can wait for the next one of a kind. */
class Probe {
  readonly client: SignalingClient;
  readonly seen: Recorded = {
    stateChanged: [],
    joined: [],
    iceServers: [],
    peerJoined: [],
    peerLeft: [],
    signal: [],
    relayError: [],
    unreachable: [],
  };
  self = '';

  constructor(link: ShareLink, opts: Partial<SignalingOptions> = FAST) {
    this.client = new SignalingClient(link, opts);
    const record = <K extends keyof SignalingEvents>(event: K) =>
      this.client.on(event, (...args: SignalingEvents[K]) => {
        this.seen[event].push(args[0]);
      });
    for (const event of Object.keys(this.seen) as (keyof SignalingEvents)[]) record(event); // the keys of a Recorded
    this.client.on('joined', ({ self }) => {
      this.self = self;
    });
  }

  /** Resolves with the `n`th (1-based) event of this kind, counting those already seen. */
  async nth<K extends keyof SignalingEvents>(event: K, n: number): Promise<SignalingEvents[K][0]> {
    const list = this.seen[event] as SignalingEvents[K][0][];
    const deadline = Date.now() + WAIT_MS;
    while (list.length < n) {
      if (Date.now() > deadline) throw new Error(`no ${String(event)} #${n} within ${WAIT_MS} ms (saw ${list.length})`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return list[n - 1] as SignalingEvents[K][0]; // the loop above waited until it exists
  }

  /** Connects and waits for the relay's first `joined`. */
  async join(): Promise<SignalingEvents['joined'][0]> {
    this.client.connect();
    return this.nth('joined', 1);
  }
}

// Several waits per test: more than the unit project's 5 s default on a loaded machine.
describe('SignalingClient against a real relay', { timeout: 15_000 }, () => {
  let relay: Relay;
  let link: ShareLink;
  const cleanups: (() => unknown)[] = [];

  const probe = (l = link, opts?: Partial<SignalingOptions>) => {
    const p = new Probe(l, opts);
    cleanups.push(() => p.client.close());
    return p;
  };

  beforeAll(async () => {
    // SignalingClient reads the global WebSocket.OPEN; Node 20 has no global WebSocket.
    vi.stubGlobal('WebSocket', WsClient);
    relay = await startRelay(RELAY_CONFIG);
  });

  beforeEach(() => {
    link = linkTo(relay.url); // each test gets a fresh room
  });

  afterEach(async () => {
    // Last registered, first undone: clients close before the relays they use.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await relay?.close();
    vi.unstubAllGlobals();
  });

  it('joins the room, reports its own peer id and no peers, and goes from connecting to open', async () => {
    const a = probe();
    expect(a.client.state).toBe('closed');
    const joined = await a.join();
    expect(joined.self).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(joined.peers).toEqual([]);
    expect(a.client.state).toBe('open');
    expect(a.seen.stateChanged).toEqual(['connecting', 'open']);
    expect(relay.rooms.peersIn(link.room)).toEqual([joined.self]);
  });

  it('gives a second client the first in its peers, and tells the first that the second joined', async () => {
    const a = probe();
    const b = probe();
    await a.join();
    const joined = await b.join();
    expect(joined.peers).toEqual([a.self]);
    expect(await a.nth('peerJoined', 1)).toBe(b.self);
    expect(b.seen.peerJoined).toEqual([]);
  });

  it('hands on TURN credentials: none for a lone joiner, then before the first peerJoined', async () => {
    const turnRelay = await startRelay({
      ...RELAY_CONFIG,
      turnSecret: 'zing-test-turn-secret-0123456789',
      turnUrls: ['turn:127.0.0.1:3478'],
    });
    const room = linkTo(turnRelay.url);
    const a = probe(room);
    const b = probe(room);
    cleanups.unshift(() => turnRelay.close()); // undone last: after the clients
    expect((await a.join()).iceServers).toBeUndefined();
    const order: string[] = [];
    a.client.on('iceServers', () => order.push('iceServers'));
    a.client.on('peerJoined', () => order.push('peerJoined'));
    expect((await b.join()).iceServers?.[0]?.username).toMatch(/^\d+:/);
    expect((await a.nth('iceServers', 1))[0]?.username).toMatch(new RegExp(`^\\d+:${a.self}$`));
    await a.nth('peerJoined', 1);
    expect(order).toEqual(['iceServers', 'peerJoined']);
  });

  it('keeps rooms apart: a client in another room hears nothing', async () => {
    const a = probe();
    const other = probe(linkTo(relay.url));
    await a.join();
    expect((await other.join()).peers).toEqual([]);
    const b = probe();
    await b.join();
    await a.nth('peerJoined', 1);
    expect(other.seen.peerJoined).toEqual([]);
  });

  it('refuses to send before it has joined, dropping the payload', () => {
    const a = probe();
    expect(a.client.send(undefined, 'early')).toBe(false);
    a.client.connect();
    expect(a.client.send(undefined, 'still connecting')).toBe(false);
  });

  it('delivers a payload sent to one peer to that peer only', async () => {
    const [a, b, c] = [probe(), probe(), probe()];
    await a.join();
    await b.join();
    await c.join();
    expect(a.client.send(b.self, 'for b only')).toBe(true);
    // The relay keeps one sender's frames in order: once the broadcast after it
    // has reached c, the private payload would have arrived before it.
    expect(a.client.send(undefined, 'for everyone')).toBe(true);
    expect(await b.nth('signal', 1)).toEqual({ from: a.self, data: 'for b only' });
    expect(await c.nth('signal', 1)).toEqual({ from: a.self, data: 'for everyone' });
    expect(c.seen.signal).toHaveLength(1);
  });

  it('broadcasts a payload without a recipient to every other peer, not back to the sender', async () => {
    const [a, b, c] = [probe(), probe(), probe()];
    await a.join();
    await b.join();
    await c.join();
    a.client.send(undefined, 'hello all');
    expect(await b.nth('signal', 1)).toEqual({ from: a.self, data: 'hello all' });
    expect(await c.nth('signal', 1)).toEqual({ from: a.self, data: 'hello all' });
    b.client.send(a.self, 'reply');
    expect(await a.nth('signal', 1)).toEqual({ from: b.self, data: 'reply' });
  });

  it('reports a typed relay error and stays usable', async () => {
    const [a, b] = [probe(), probe()];
    await a.join();
    await b.join();
    a.client.send('nosuchpeer', 'lost');
    expect(await a.nth('relayError', 1)).toMatchObject({ code: 'UNKNOWN_PEER' });
    expect(a.client.state).toBe('open');
    a.client.send(b.self, 'after the error');
    expect(await b.nth('signal', 1)).toEqual({ from: a.self, data: 'after the error' });
  });

  it('hears ROOM_FULL from a relay whose room is full, and never reports joined', async () => {
    const small = await startRelay({ ...RELAY_CONFIG, maxPeersPerRoom: 2 });
    cleanups.push(() => small.close());
    const smallLink = linkTo(small.url);
    const [a, b, c] = [probe(smallLink), probe(smallLink), probe(smallLink)];
    await a.join();
    await b.join();
    c.client.connect();
    expect(await c.nth('relayError', 1)).toMatchObject({ code: 'ROOM_FULL' });
    expect(c.seen.joined).toEqual([]);
    expect(c.client.send(undefined, 'x')).toBe(false);
  });

  it('tells the others peerLeft as soon as close() is called, and ends closed', async () => {
    const [a, b] = [probe(), probe()];
    await a.join();
    await b.join();
    b.client.close();
    expect(b.client.state).toBe('closed');
    expect(await a.nth('peerLeft', 1)).toBe(b.self);
    expect(b.seen.stateChanged.at(-1)).toBe('closed');
    expect(b.client.send(undefined, 'gone')).toBe(false);
  });

  it('is safe to close twice, and emits closed only once', async () => {
    const a = probe();
    await a.join();
    a.client.close();
    expect(() => a.client.close()).not.toThrow();
    expect(a.seen.stateChanged.filter((s) => s === 'closed')).toHaveLength(1);
  });

  it('does not reconnect after close(), and connect() after close() does nothing', async () => {
    const sockets: string[] = [];
    const a = probe(link, {
      ...FAST,
      createSocket: (url) => {
        sockets.push(url);
        return createSocket(url);
      },
    });
    await a.join();
    a.client.close();
    a.client.connect();
    await new Promise((r) => setTimeout(r, 150)); // longer than the largest FAST backoff
    expect(sockets).toHaveLength(1);
    expect(a.client.state).toBe('closed');
    expect(relay.rooms.peersIn(link.room)).toEqual([]);
  });

  it('opens one socket however often connect() is called', async () => {
    const sockets: string[] = [];
    const a = probe(link, {
      ...FAST,
      createSocket: (url) => {
        sockets.push(url);
        return createSocket(url);
      },
    });
    a.client.connect();
    a.client.connect();
    await a.nth('joined', 1);
    a.client.connect();
    expect(sockets).toEqual([`${relay.url.replace('http', 'ws')}/ws`]);
  });

  it('can be closed while its socket is still connecting', async () => {
    const a = probe();
    a.client.connect();
    a.client.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(a.seen.joined).toEqual([]);
    expect(a.client.state).toBe('closed');
  });

  it('rejoins with a new peer id after the relay restarts on the same port, and the peers find each other again', async () => {
    const first = await startRelay(RELAY_CONFIG);
    cleanups.push(() => first.close()); // safe twice; closed below
    const port = first.port;
    const l = linkTo(first.url);
    const [a, b] = [probe(l), probe(l)];
    await a.join();
    await b.join();
    const oldIds = [a.self, b.self];

    await first.close(); // every socket closed with 1001
    expect(await a.nth('stateChanged', 3)).toBe('reconnecting');
    const second = await startRelay({ ...RELAY_CONFIG, port });
    cleanups.unshift(() => second.close()); // undone after the clients

    const [again1, again2] = await Promise.all([a.nth('joined', 2), b.nth('joined', 2)]);
    expect(a.client.state).toBe('open');
    expect(b.client.state).toBe('open');
    expect(oldIds).not.toContain(again1.self);
    expect(oldIds).not.toContain(again2.self);
    // Whoever rejoined second sees the other among its peers.
    expect([...again1.peers, ...again2.peers].sort()).toHaveLength(1);
    expect(second.rooms.peersIn(l.room).sort()).toEqual([a.self, b.self].sort());
    a.client.send(b.self, 'after the restart');
    expect(await b.nth('signal', 1)).toEqual({ from: a.self, data: 'after the restart' });
  });

  it('emits unreachable, counting attempts, when nothing listens, and keeps trying', async () => {
    const port = await freePort();
    const a = probe(linkTo(`http://127.0.0.1:${port}`));
    a.client.connect();
    expect(await a.nth('unreachable', 1)).toEqual({ attempt: 1 });
    expect(await a.nth('unreachable', 2)).toEqual({ attempt: 2 });
    expect(a.client.state).toBe('reconnecting');
    expect(a.seen.joined).toEqual([]);
  });

  it('counts a socket the browser refuses to create as unreachable too', async () => {
    const a = probe(link, {
      ...FAST,
      createSocket: () => {
        throw new DOMException('blocked', 'SecurityError');
      },
    });
    a.client.connect();
    expect(await a.nth('unreachable', 1)).toEqual({ attempt: 1 });
    expect(await a.nth('unreachable', 2)).toEqual({ attempt: 2 });
    a.client.close();
  });

  it('joins once a relay appears where nothing listened, and counts from zero after', async () => {
    const port = await freePort();
    const a = probe(linkTo(`http://127.0.0.1:${port}`));
    a.client.connect();
    await a.nth('unreachable', 1);
    const late = await startRelay({ ...RELAY_CONFIG, port });
    cleanups.unshift(() => late.close());
    await a.nth('joined', 1);
    expect(a.client.state).toBe('open');
  });

  it('counts a socket that never opens within connectTimeoutMs as unreachable', async () => {
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s)); // accepts TCP, never answers the upgrade
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.unshift(() => closeServer(silent, held));
    const a = probe(linkTo(`http://127.0.0.1:${portOf(silent)}`), { ...FAST, connectTimeoutMs: 100 });
    const started = Date.now();
    a.client.connect();
    expect(await a.nth('unreachable', 1)).toEqual({ attempt: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('pings a quiet relay and keeps a socket that answers', async () => {
    const sent: string[] = [];
    const recording = (url: string): WebSocket => {
      const socket = createSocket(url);
      const send = socket.send.bind(socket);
      socket.send = (data) => {
        sent.push(String(data));
        send(data);
      };
      return socket;
    };
    const a = probe(link, { ...FAST, livenessMs: 100, createSocket: recording });
    await a.join();
    const socket = [...relay.rooms.peersIn(link.room)];
    expect(socket).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 800));
    // Still the first socket: the same peer id in the room, and never reconnecting.
    expect(relay.rooms.peersIn(link.room)).toEqual(socket);
    expect(a.seen.stateChanged).toEqual(['connecting', 'open']);
    expect(a.seen.relayError).toEqual([]);
    // Quiet for 100 ms at a time, so it pinged again and again, and every ping was answered.
    expect(sent.filter((f) => f === '{"type":"ping"}').length).toBeGreaterThanOrEqual(2);
  });

  it('gives up a socket whose path went dark, and joins again through a new one before the relay lets the old one go', async () => {
    const dark = await startDarkPath(relay.url);
    cleanups.push(() => dark.close());
    const room = linkTo(dark.url);
    const a = probe(room, { ...FAST, livenessMs: 200 });
    const b = probe(linkTo(relay.url, room.room));
    const first = await a.join();
    await b.join();
    dark.darken();
    const again = await a.nth('joined', 2);
    expect(again.self).not.toBe(first.self);
    expect(a.seen.stateChanged).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    // The relay still holds the dark socket (its heartbeat is 15 s): B sees a newcomer, not yet a leave.
    expect(await b.nth('peerJoined', 1)).toBe(again.self);
    expect(b.seen.peerLeft).toEqual([]);
  });

  it('gives up a socket the relay was only slow on, and the others hear the new address before the old one leaves', async () => {
    // The relay hears this socket, close included, but never its pings: as a relay too busy to answer looks.
    let sockets = 0;
    const pingsLost = (url: string): WebSocket => {
      const socket = createSocket(url);
      if (++sockets === 1) {
        const send = socket.send.bind(socket);
        socket.send = (data) => {
          if (String(data) !== '{"type":"ping"}') send(data);
        };
      }
      return socket;
    };
    const a = probe(link, { ...FAST, livenessMs: 200, retiredCloseMs: 300, createSocket: pingsLost });
    const b = probe();
    const first = await a.join();
    await b.join();
    const heard: string[] = [];
    const at = new Map<string, number>();
    b.client.on('peerJoined', (peer) => {
      heard.push(`joined ${peer === first.self ? 'old' : 'new'}`);
      at.set('joined', Date.now());
    });
    b.client.on('peerLeft', (peer) => {
      heard.push(`left ${peer === first.self ? 'old' : 'new'}`);
      at.set('left', Date.now());
    });
    const again = await a.nth('joined', 2);
    expect(again.self).not.toBe(first.self);
    await expect.poll(() => heard, { timeout: WAIT_MS }).toEqual(['joined new', 'left old']);
    // Closed about retiredCloseMs after the new socket joined, not when it was given up.
    expect(at.get('left')! - at.get('joined')!).toBeGreaterThanOrEqual(200);
    expect(new Set(relay.rooms.peersIn(link.room))).toEqual(new Set([again.self, b.self]));
  });

  it('closes a socket it gave up at once when it is closed itself', async () => {
    const quiet = (url: string): WebSocket => {
      const socket = createSocket(url);
      const send = socket.send.bind(socket);
      socket.send = (data) => {
        if (String(data) !== '{"type":"ping"}') send(data);
      };
      return socket;
    };
    // Every socket's pings are lost, and the retired ones would wait a minute: close() must not leave them.
    const a = probe(link, { ...FAST, livenessMs: 150, retiredCloseMs: 60_000, createSocket: quiet });
    await a.join();
    await a.nth('joined', 2);
    a.client.close();
    await expect.poll(() => relay.rooms.peersIn(link.room).length, { timeout: WAIT_MS }).toBe(0);
  });

  it('ignores a malformed frame from the relay with a warning, and goes on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined); // the warning is asserted below
    cleanups.push(() => warn.mockRestore());
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    cleanups.unshift(() => new Promise((r) => wss.close(r)));
    wss.on('connection', (ws) => {
      ws.send('not json');
      ws.send(JSON.stringify({ type: 'joined', room: 'x', self: 'me', peers: [] })); // room too short
      ws.send(JSON.stringify({ type: 'joined', room: link.room, self: 'me', peers: ['you'] }));
    });
    const a = probe(linkTo(`http://127.0.0.1:${(wss.address() as { port: number }).port}`, link.room));
    expect(await a.join()).toEqual({ self: 'me', peers: ['you'] });
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

function closeServer(server: Server, sockets: Socket[]): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
