// A seeded fuzzer throws 100,000+ random and mutated frames from many
// connections at a relay while a real two-person call runs through it.
// Properties: the call still works afterwards, the relay process is alive and
// printed no uncaught error, and its memory is back near where it started.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { callLinkOf, joinCall, launchPerson, startCall, tiles, videoFrames, type Person } from '../support/browser.ts';
import { mulberry32 } from '../support/prng.ts';
import { heapAfterGc, spawnRelay, type RelayProcess } from '../support/relay-process.ts';

const SEED = Number(process.env.ZING_FUZZ_SEED ?? 0x5eed);
const CONNECTIONS = 40;
const FRAMES_PER_CONNECTION = 2_600; // 104,000 in all
// The relay under test caps frames at this (a sealed SDP offer is ~8 KiB), and 1% of frames go over it.
const MAX_FRAME = 32 * 1024;

function frames(rand: () => number, rooms: string[], peers: string[]) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const text = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0x2fff))).join('');
  const anyValue = (): unknown =>
    pick([null, true, 0, -1, 1e308, '', 'x'.repeat(Math.floor(rand() * 300)), [], {}, [1, 'a'], { type: 'join' }, text(8)]);
  const valid = (): Record<string, unknown> =>
    pick([
      () => ({ type: 'join', room: pick(rooms) }),
      () => ({ type: 'signal', data: text(Math.floor(rand() * 200)) }),
      () => ({ type: 'signal', to: pick(peers), data: 'x' }),
      () => ({ type: 'leave' }),
    ])();
  return (): string | Buffer => {
    if (rand() < 0.01) return 'x'.repeat(MAX_FRAME + 1 + Math.floor(rand() * 1000)); // oversize: 1009 and a reconnect
    switch (Math.floor(rand() * 8)) {
      case 0: // raw random bytes, sent as text or binary
        return rand() < 0.5 ? text(Math.floor(rand() * 100)) : Buffer.from(text(Math.floor(rand() * 100)));
      case 1: // a control character or lone surrogate inside otherwise valid JSON
        return JSON.stringify({ type: 'signal', data: `\u0000\ud800${text(4)}` });
      case 2: // JSON that is not an object
        return JSON.stringify(anyValue());
      case 3: {
        // a valid frame with one field mutated
        const f = valid();
        const keys = [...Object.keys(f), 'type', 'room', 'to', 'data', 'from', '__proto__'];
        f[pick(keys)] = anyValue();
        return JSON.stringify(f);
      }
      case 4: {
        // a valid frame, cut short
        const s = JSON.stringify(valid());
        return s.slice(0, Math.floor(rand() * s.length));
      }
      case 5: // deep nesting
        return '['.repeat(1 + Math.floor(rand() * 2_000));
      default: // valid frames: joins into random rooms, signals to random peers
        return JSON.stringify(valid());
    }
  };
}

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

describe('the relay under a fuzzer, during a real call', () => {
  let relay: RelayProcess;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    relay = await spawnRelay({
      env: {
        ZING_MAX_MESSAGE_BYTES: String(MAX_FRAME),
        // This test is about malformed input; the rate limits have tests of their own.
        ZING_MAX_CONNECTIONS_PER_IP: '1000',
        ZING_JOINS_PER_MINUTE_PER_IP: '100000',
        ZING_MSG_RATE: '100000',
        ZING_MSG_BURST: '100000',
      },
      gc: true,
    });
    [alice, bob] = await Promise.all([
      launchPerson({ name: 'Alice', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
      launchPerson({ name: 'Bob', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.kill();
  });

  it(`survives ${CONNECTIONS * FRAMES_PER_CONNECTION} fuzzed frames (seed ${SEED}) with the call intact`, {
    timeout: 180_000,
  }, async () => {
    const a = await startCall(alice);
    const link = await callLinkOf(a);
    const b = await joinCall(bob, link);
    await Promise.all([videoFrames(a, 'Bob'), videoFrames(b, 'Alice')]);
    const pid = relay.child.pid!;
    const before = rssKiB(pid);
    const heapBefore = await heapAfterGc(relay);

    const realRoom = new URL(link).pathname.split('/')[2]!;
    const rand = mulberry32(SEED);
    const rooms = [realRoom, 'fuzzroomAAAAAAAAAAAA', 'fuzzroomBBBBBBBBBBBB', 'short', ''];
    const peers = ['AAAAAAAAAAAA', 'nope', '', 'x'.repeat(40)];
    const next = frames(rand, rooms, peers);
    let sent = 0;
    const deadline = Date.now() + 120_000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        let left = FRAMES_PER_CONNECTION;
        while (left > 0 && Date.now() < deadline) {
          const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/ws`);
          ws.on('error', () => undefined); // refused and reset sockets are the point of the fuzzer
          ws.on('message', (m) => {
            const text = m.toString();
            if (text.includes('"joined"')) {
              const self = /"self":"([^"]+)"/.exec(text)?.[1];
              if (self && peers.length < 50) peers.push(self);
            }
          });
          await new Promise<void>((resolve) => {
            ws.once('open', resolve);
            ws.once('close', () => resolve());
          });
          // Send until done or the relay closes this socket (oversize frames do); then reconnect.
          while (left > 0 && ws.readyState === WebSocket.OPEN) {
            ws.send(next());
            left--;
            sent++;
            if (left % 200 === 0) await new Promise((r) => setImmediate(r)); // let the socket drain
          }
          ws.close();
        }
      }),
    );
    expect(sent).toBeGreaterThanOrEqual(100_000);

    // The relay is alive and healthy, and printed nothing uncaught.
    expect(relay.child.exitCode).toBeNull();
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    expect(relay.stderr()).not.toMatch(/Uncaught|Unhandled|TypeError|RangeError|SyntaxError|at .+\(.+\.ts:\d+/);

    // The call still works: frames both ways, and a mute crosses the relay.
    await Promise.all([videoFrames(a, 'Bob'), videoFrames(b, 'Alice')]);
    await a.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await b.getByRole('group', { name: 'Alice', exact: true }).getByText('Microphone off', { exact: true }).waitFor({ timeout: 3_000 });
    // The fuzzer could not get into the call.
    expect(await tiles(a).count()).toBe(2);

    // Memory is back near where it was: the V8 heap after a full GC within 8 MiB (leaking even
    // 100 B per frame would be 10 MiB), and RSS, which V8 gives back lazily, within 64 MiB.
    const heapAfter = await heapAfterGc(relay);
    expect(heapAfter - heapBefore).toBeLessThan(8 * 1024 * 1024);
    expect(rssKiB(pid) - before).toBeLessThan(64 * 1024);
  });
});
