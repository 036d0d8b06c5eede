// Connections the relay refuses or closes end on the relay's terms, whatever the
// client does next: it resets them, keeps its half open, or ignores the close frame.
import { connect as connectTcp, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/relay.ts';
import type { Relay } from '../../relay/server.ts';
import { RELAY_START_MS, type RelayProcess, spawnRelay } from '../support/relay-process.ts';
import { TestClient, newRoomId, socketUrl, startTestRelay, withTimeout } from './helpers.ts';

let relay: Relay | undefined;
let proc: RelayProcess | undefined;
let clients: TestClient[] = [];
let sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await relay?.close();
  relay = undefined;
  await proc?.kill();
  proc = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawUpgrade {
  socket: Socket;
  /** Everything the relay sent so far. */
  received(): string;
  /** Resolves with what the relay sent once its side has ended (its FIN, or a close). */
  ended: Promise<string>;
}

/**
 * Sends an upgrade request by hand over TCP and waits for the first bytes of
 * the answer. allowHalfOpen: the relay's FIN does not make this side end, so
 * the client holds its half open until a test ends it.
 */
async function rawUpgrade(port: number, path: string, headers: string[] = [], localAddress = '127.0.0.1'): Promise<RawUpgrade> {
  const socket = connectTcp({ host: '127.0.0.1', port, localAddress, allowHalfOpen: true });
  sockets.push(socket);
  socket.on('error', () => undefined); // a reset is one of the endings under test
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  const ended = new Promise<string>((resolve) => {
    socket.once('end', () => resolve(text));
    socket.once('close', () => resolve(text));
  });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    [
      `GET ${path} HTTP/1.1`,
      'Host: relay',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...headers,
      '',
      '',
    ].join('\r\n'),
  );
  await withTimeout(new Promise((resolve) => socket.once('data', resolve)), `an answer to the upgrade of ${path}`);
  return { socket, received: () => text, ended };
}

/** The relay's open TCP connections, counted by its HTTP server (upgraded, refused or plain). */
const openConnections = (r: Relay) =>
  new Promise<number>((resolve, reject) => r.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

describe('a refused upgrade that the client resets', () => {
  it(
    'leaves the relay process running, and a fresh client still joins and signals',
    async () => {
      proc = await spawnRelay({ cleanEnv: true, env: { ZING_MAX_CONNECTIONS_PER_IP: '1' } });
      const { port } = proc;
      const holder = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'holder'); // 127.0.0.1's one socket
      clients.push(holder);
      const refusals: Array<[string, string[], RegExp]> = [
        ['/nope', [], /^HTTP\/1\.1 404 /],
        ['/ws', ['Origin: https://evil.example'], /^HTTP\/1\.1 403 /],
        ['/ws', [], /^HTTP\/1\.1 429 /],
      ];
      for (const [path, headers, status] of refusals) {
        const refused = await rawUpgrade(port, path, headers);
        expect(refused.received()).toMatch(status);
        refused.socket.resetAndDestroy(); // TCP RST: an ECONNRESET on the relay's side
        await sleep(200); // the reset lands, and would have taken the process down
        expect(proc.child.exitCode, proc.stderr()).toBeNull();
      }
      // Other addresses (127.0.0.1 has its one socket): the relay still answers, joins and routes.
      const room = newRoomId();
      const alice = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'alice', { localAddress: '127.0.0.2' });
      const bob = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'bob', { localAddress: '127.0.0.3' });
      clients.push(alice, bob);
      await alice.join(room);
      await bob.join(room);
      await alice.next('peerJoined');
      alice.send({ type: 'signal', to: bob.id, data: 'still up' });
      expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'still up' });
      expect(proc.child.exitCode).toBeNull();
      expect(proc.stderr()).not.toMatch(/ECONNRESET|Unhandled/);
    },
    RELAY_START_MS + 10_000,
  );
});

describe('a refused upgrade that the client holds half open', () => {
  it('is answered in full and then closed by the relay within a few seconds', async () => {
    const r = (relay = await startTestRelay());
    const started = Date.now();
    const refused = await rawUpgrade(r.port, '/nope');
    // The relay's side ends after the whole answer…
    expect(await withTimeout(refused.ended, 'the relay to end its side')).toBe(
      'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    expect(refused.socket.destroyed).toBe(false); // this side is still open
    // …and its descriptor goes too, though the client never closes its own.
    await withTimeout(
      (async () => {
        while ((await openConnections(r)) !== 0) await sleep(50);
      })(),
      'the relay to close the refused connection',
      4_000,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    await withTimeout(r.close(), 'relay.close()');
  });

  it('does not hold up relay.close()', async () => {
    const r = (relay = await startTestRelay());
    const held = [await rawUpgrade(r.port, '/nope'), await rawUpgrade(r.port, '/ws', ['Origin: https://evil.example'])];
    for (const h of held) await withTimeout(h.ended, 'the relay to end its side');
    const started = Date.now();
    await withTimeout(r.close(), 'relay.close() with refused connections held half open', 3_000);
    expect(Date.now() - started).toBeLessThan(1_000); // cut at shutdown, not left to their linger
    expect(await openConnections(r)).toBe(0);
  });
});

/** ws keeps the TCP socket private (ws 8 names it _socket). */
const tcpSocketOf = (c: TestClient): Socket => (c.ws as unknown as { _socket: Socket })._socket;

/**
 * Stops the client's ws from reading what the relay sends, so it never sees a
 * close frame and still counts itself open (its `send` still writes frames).
 * Resolves with the code of the first close frame the relay sends.
 */
function ignoreTheRelay(c: TestClient): Promise<number> {
  const tcp = tcpSocketOf(c);
  for (const listener of tcp.listeners('data')) tcp.off('data', listener as (d: Buffer) => void);
  let buf = Buffer.alloc(0);
  return new Promise((resolve) => {
    tcp.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // Server frames are unmasked; control frames carry at most 125 bytes.
      while (buf.length >= 2) {
        const opcode = (buf[0] ?? 0) & 0x0f;
        const short = (buf[1] ?? 0) & 0x7f;
        const header = short === 126 ? 4 : short === 127 ? 10 : 2;
        const length = short === 126 ? buf.readUInt16BE(2) : short === 127 ? Number(buf.readBigUInt64BE(2)) : short;
        if (buf.length < header + length) return;
        if (opcode === 0x8) resolve(buf.readUInt16BE(header));
        buf = buf.subarray(header + length);
      }
    });
  });
}

describe('a socket closed for a limit', () => {
  it('that ignores the close frame and sends join does not become a member', async () => {
    // A long close grace keeps the socket CLOSING while it sends; no pings to give it away.
    const r = (relay = await startTestRelay({ joinTimeoutMs: 300, closeGraceMs: 5_000, heartbeatMs: 60_000 }));
    const room = newRoomId();
    const alice = await TestClient.connect(socketUrl(r), 'alice');
    clients.push(alice);
    await alice.join(room);
    const zombie = await TestClient.connect(socketUrl(r), 'zombie');
    clients.push(zombie);
    const closeCode = ignoreTheRelay(zombie);
    expect(await withTimeout(closeCode, 'the 4008 close frame')).toBe(CloseCode.JOIN_TIMEOUT);

    zombie.send({ type: 'join', room }); // its ws never saw the close: the frame goes out
    zombie.send({ type: 'signal', data: 'from beyond' });
    const bob = await TestClient.connect(socketUrl(r), 'bob');
    clients.push(bob);
    await bob.join(room);
    // The next thing Alice hears is Bob's arrival: no peerJoined, no signal from the closing socket.
    expect(await alice.next()).toEqual({ type: 'peerJoined', peer: bob.id });
    expect(r.rooms.peersIn(room)).toEqual([alice.id, bob.id]);
    alice.send({ type: 'signal', data: 'sentinel' });
    expect(await bob.next()).toEqual({ type: 'signal', from: alice.id, data: 'sentinel' });
    expect(alice.pending).toEqual([]);
    zombie.ws.terminate();
  });
});
