// Members that stop reading, against a real relay: the relay stops queueing for
// them at its cap, closes them with 4013, and everyone else carries on.
import type { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayConfig } from '../../relay/config.ts';
import type { LogEvent, Logger } from '../../relay/log.ts';
import { CloseCode, type ServerMessage } from '../../protocol/relay.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import type { AbuseJob, AbuseResult } from './slow-reader-abuser.ts';
import { TEST_CONFIG, TestClient, newRoomId, socketUrl, withTimeout } from './helpers.ts';

/** Small, so a few MiB of frames reach it quickly (the kernel's buffers take the first few MiB). */
const CAP = 256 * 1024;
const FRAME_CHARS = 60_000;
/** A signal frame of FRAME_CHARS as the relay encodes it: `from`, the JSON around it and the ws header. */
const FRAME_BYTES = FRAME_CHARS + 100;
/** How long the healthy pair waits for one round trip: past the slowest stall of a loaded 2-core machine. */
const ROUND_TRIP_WAIT_MS = 10_000;

let relay: Relay | undefined;
let clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients) c.ws.terminate(); // paused sockets would never finish a close handshake
  clients = [];
  await relay?.close();
  relay = undefined;
});

interface Logged {
  event: LogEvent;
  fields: Record<string, string | number>;
}

async function start(overrides: Partial<RelayConfig> = {}): Promise<{ r: Relay; logged: Logged[] }> {
  const logged: Logged[] = [];
  const logger: Logger = (event, fields = {}) => logged.push({ event, fields });
  relay = await startRelay(
    {
      ...TEST_CONFIG,
      maxMessageBytes: 64 * 1024,
      maxPeersPerRoom: 8,
      maxOutboundBytes: CAP,
      // Long enough for a paused client to resume and read the close frame behind its backlog.
      closeGraceMs: 5_000,
      // The heartbeat is not under test here: a stalled reader must be caught by the cap alone.
      heartbeatMs: 60_000,
      ...overrides,
    },
    logger,
  );
  return { r: relay, logged };
}

async function connect(r: Relay, label: string): Promise<TestClient> {
  const c = await TestClient.connect(socketUrl(r), label);
  clients.push(c);
  return c;
}

/** ws keeps the TCP socket private; pausing it makes a member that reads nothing more. */
const tcpSocketOf = (c: TestClient): Socket => (c.ws as unknown as { _socket: Socket })._socket; // ws 8 names it _socket

/** Joins `labels` into `room` in order, each earlier member taking the peerJoined. */
async function joinAll(r: Relay, room: string, labels: string[]): Promise<TestClient[]> {
  const joined: TestClient[] = [];
  for (const label of labels) {
    const c = await connect(r, label);
    await c.join(room);
    for (const earlier of joined) await earlier.next('peerJoined');
    joined.push(c);
  }
  return joined;
}

/**
 * The next message of `type`, past UNKNOWN_PEER errors: frames a sender had on
 * the way when its target left are answered with one each.
 */
async function nextPastStrays<T extends ServerMessage['type']>(c: TestClient, type: T): Promise<Extract<ServerMessage, { type: T }>> {
  for (;;) {
    const m = await c.next();
    if (m.type === type) return m as Extract<ServerMessage, { type: T }>; // just checked
    if (m.type !== 'error' || m.code !== 'UNKNOWN_PEER') throw new Error(`${c.label}: expected ${type}, got ${JSON.stringify(m)}`);
  }
}

const slowReaderLines = (logged: Logged[]) => logged.filter((l) => l.event === 'error' && l.fields.code === 'SLOW_READER');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(0);

/** Sends up to `frames` frames of FRAME_CHARS from each sender to `to`, a round at a time so the event loop breathes; returns the bytes sent. */
async function flood(senders: TestClient[], to: string, frames: number, stop: () => boolean): Promise<number> {
  const data = 'x'.repeat(FRAME_CHARS);
  let sent = 0;
  for (let i = 0; i < frames && !stop(); i++) {
    for (const s of senders) s.send({ type: 'signal', to, data });
    sent += senders.length * FRAME_CHARS;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}

describe('a member that stops reading', () => {
  it('is closed with 4013 once more than the cap waits for it, logged once, and the relay never holds more than the cap plus a frame', async () => {
    const { r, logged } = await start();
    const room = newRoomId();
    const [victim, ...senders] = await joinAll(r, room, ['victim', 'a', 'b', 'c']);
    if (!victim) throw new Error('no victim');
    const rssBefore = process.memoryUsage().rss;
    tcpSocketOf(victim).pause();

    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, r.transport.outboundBytes)), 2);
    const closed = () => slowReaderLines(logged).length > 0;
    // ~11 MB in all: the kernel's send and receive buffers hold the first few MiB, the relay at most CAP more.
    const sent = await flood(senders, victim.id, 60, closed);
    await withTimeout(
      (async () => {
        while (!closed()) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      'the relay to close the slow reader',
    );
    clearInterval(sampler);
    const rssAfter = process.memoryUsage().rss;

    // The room hears at once, before the close handshake could finish.
    for (const s of senders) expect(await nextPastStrays(s, 'peerLeft')).toEqual({ type: 'peerLeft', peer: victim.id });
    const [line] = slowReaderLines(logged);
    const queued = Number(line?.fields.queued);
    console.log(
      `slow reader: ${mib(sent)} MiB sent at it; closed with ${kib(queued)} KiB queued for it (cap ${kib(CAP)} KiB); outbound ` +
        `accounting peaked at ${kib(peak)} KiB; test process RSS ${mib(rssBefore)} -> ${mib(rssAfter)} MiB (relay and clients in one process)`,
    );
    expect(queued).toBeGreaterThan(CAP);
    expect(queued).toBeLessThanOrEqual(CAP + FRAME_BYTES);
    expect(peak).toBeLessThanOrEqual(CAP + FRAME_BYTES);

    // Once it reads again it finds the close frame, with Zing's code, behind what was already queued.
    tcpSocketOf(victim).resume();
    expect(await withTimeout(victim.closed, 'victim closed', 5_000)).toEqual({
      code: CloseCode.SLOW_READER,
      reason: 'not reading: too much waits for this socket',
    });
    // Senders kept sending after the close: no second line, no queue left behind.
    await flood(senders, victim.id, 5, () => false);
    await expect.poll(() => r.transport.outboundBytes).toBe(0);
    expect(slowReaderLines(logged)).toHaveLength(1);
    expect(r.rooms.peersIn(room)).toEqual(senders.map((s) => s.id));
    const [a, b] = senders;
    if (!a || !b) throw new Error('no senders');
    a.send({ type: 'signal', to: b.id, data: 'carry on' });
    expect(await nextPastStrays(b, 'signal')).toEqual({ type: 'signal', from: a.id, data: 'carry on' });
  });

  it('is cut after the close grace period when it never reads the close frame', async () => {
    const { r } = await start({ closeGraceMs: 200 });
    const room = newRoomId();
    const [victim, ...senders] = await joinAll(r, room, ['victim', 'a', 'b']);
    if (!victim) throw new Error('no victim');
    tcpSocketOf(victim).pause();
    await flood(senders, victim.id, 80, () => r.transport.connectionCount < 3);
    // Terminated (1006 at the client, which never read the close frame): the socket and its queue are gone.
    await expect.poll(() => r.transport.connectionCount, { timeout: 3_000 }).toBe(2);
    expect(r.transport.outboundBytes).toBe(0);
  });
});

/** Runs slow-reader-abuser.ts in a worker thread (TypeScript through tsx's loader, registered in the worker). */
function abuseInWorker(job: AbuseJob): Promise<AbuseResult> {
  const entry = new URL('./slow-reader-abuser.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true,
    workerData: job,
  });
  return new Promise<AbuseResult>((resolve, reject) => {
    worker.once('message', (m: AbuseResult | { error: string }) => {
      void worker.terminate();
      if ('error' in m) reject(new Error(`abuser: ${m.error}`));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

describe('a healthy room beside slow readers', () => {
  it('keeps its round-trip time while two rooms flood members that stopped reading', async () => {
    const { r, logged } = await start();
    const [ping, pong] = await joinAll(r, newRoomId(), ['ping', 'pong']);
    if (!ping || !pong) throw new Error('no healthy pair');
    pong.ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { type?: string; data?: string }; // the relay sends JSON objects
      if (m.type === 'signal') pong.send({ type: 'signal', to: ping.id, data: m.data ?? '' });
    });
    const rtts: number[] = [];
    let measuring = true;
    const roundTrips = (async () => {
      while (measuring) {
        const sent = performance.now();
        ping.send({ type: 'signal', to: pong.id, data: String(sent) });
        // A round trip that waits out a stall of the whole machine is measured, not a crash.
        await ping.next('signal', ROUND_TRIP_WAIT_MS);
        rtts.push(performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const quiet = async (ms: number) => {
      const from = rtts.length;
      await new Promise((resolve) => setTimeout(resolve, ms));
      return rtts.slice(from);
    };
    const baseline = await quiet(300);

    // Two abusive rooms, each three senders and, round after round, a member that stops reading.
    const ROUNDS = 6;
    const from = rtts.length;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, r.transport.outboundBytes)), 2);
    const abuse = await abuseInWorker({ url: socketUrl(r), rooms: [newRoomId(), newRoomId()], rounds: ROUNDS, frameChars: FRAME_CHARS });
    clearInterval(sampler);
    const underAbuse = rtts.slice(from);
    measuring = false;
    await roundTrips;

    const pct = (xs: number[], q: number) =>
      [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;
    console.log(
      `healthy room round trip: quiet p50 ${pct(baseline, 0.5).toFixed(1)} ms, p99 ${pct(baseline, 0.99).toFixed(1)} ms (${baseline.length} trips); ` +
        `beside ${abuse.closed} slow readers flooded with ${mib(abuse.sent)} MiB in all: p50 ${pct(underAbuse, 0.5).toFixed(1)} ms, ` +
        `p90 ${pct(underAbuse, 0.9).toFixed(1)} ms, p99 ${pct(underAbuse, 0.99).toFixed(1)} ms (${underAbuse.length} trips); outbound accounting peaked at ${kib(peak)} KiB`,
    );
    expect(abuse.closed).toBe(2 * ROUNDS);
    expect(slowReaderLines(logged)).toHaveLength(2 * ROUNDS);
    // Two stalled readers at a time, each held to the cap plus one frame.
    expect(peak).toBeLessThanOrEqual(2 * (CAP + FRAME_BYTES));
    expect(underAbuse.length).toBeGreaterThan(10);
    // Generous: the relay shares 2 cores with the abusers and, in `npm test`, with browsers. p90,
    // not p99: p99 of a hundred-odd trips is their second slowest, which is how long the machine
    // stalled, not the relay (1-2 s at a load average of 20-80 here, on main before and after #16's
    // relay work alike). Without the cap the relay buffers hundreds of MB, every round trip waits
    // behind it and takes seconds (bench:slow-reader), and this test's abusers fail first, since the
    // relay never closes the member that stopped reading.
    expect(pct(underAbuse, 0.5)).toBeLessThan(50);
    expect(pct(underAbuse, 0.9)).toBeLessThan(1_000);
  });
});
