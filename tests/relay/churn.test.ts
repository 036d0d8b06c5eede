// 1,000 joins and leaves from many sockets against one relay (a child process,
// so its heap can be read after a full GC): no room is left behind, in the
// relay or in Redis, and memory comes back to where it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClient, withTimeout } from './helpers.ts';
import { freePort } from '../support/ports.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAIRS = 25;
/** Joins per measured run: PAIRS pairs, two joins per pair and cycle. */
const JOINS = 1_000;
const CYCLES = JOINS / (2 * PAIRS);
const WARMUP_CYCLES = 10;

interface Heap {
  heapUsed: number;
}

class ChildRelay {
  readonly url: string;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, url: string) {
    this.#child = child;
    this.url = url;
  }

  static async start(env: Record<string, string>): Promise<ChildRelay> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', './bench/lib/gc-hook.ts', 'relay/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        ZING_LOG: 'silent',
        // Every socket comes from 127.0.0.1: lift the per-address abuse limits for this test.
        ZING_JOINS_PER_MINUTE_PER_IP: '1000000',
        ZING_MAX_CONNECTIONS_PER_IP: '10000',
        ZING_MAX_PENDING_HANDSHAKES_PER_IP: '10000',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const relay = new ChildRelay(child, `http://127.0.0.1:${port}`);
    // tsx compiles the relay first: a loaded 2-core machine needs a while.
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`relay exited: ${stderr}`);
      try {
        if ((await fetch(`${relay.url}/healthz`)).ok) return relay;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`relay not healthy: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A full GC in the relay (bench/lib/gc-hook.ts), then its heap. */
  gc(): Promise<Heap> {
    const done = new Promise<Heap>((resolve) => {
      const onMessage = (m: unknown) => {
        if (typeof m !== 'object' || m === null || !('heapUsed' in m)) return;
        this.#child.off('message', onMessage);
        resolve(m as Heap); // gc-hook.ts sends { gcDone, heapUsed, ... }
      };
      this.#child.on('message', onMessage);
    });
    this.#child.send('gc');
    return withTimeout(done, 'relay gc', 5_000);
  }

  rssKiB(): number {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.#child.pid}/status`, 'utf8'));
    return Number(m?.[1]);
  }

  async gauge(name: string): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no ${name} in /metrics`);
    return Number(line.slice(name.length + 1));
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}

let seq = 0;
const churnRoom = () => `churnroom${String(++seq).padStart(10, '0')}`;

/**
 * Each pair, `cycles` times: a joins, b joins (a sees it), a leaves (b sees it),
 * b leaves; every fifth cycle b hangs up and dials again instead of leaving.
 */
async function churn(relay: ChildRelay, pairs: Array<[TestClient, TestClient]>, cycles: number): Promise<Array<[TestClient, TestClient]>> {
  return Promise.all(
    pairs.map(async ([a, b0]) => {
      let b = b0;
      for (let i = 0; i < cycles; i++) {
        const room = churnRoom();
        await a.join(room);
        await b.join(room);
        await a.next('peerJoined');
        a.send({ type: 'leave' });
        await b.next('peerLeft');
        if (i % 5 === 4) {
          await b.close();
          b = await TestClient.connect(`${relay.url.replace('http', 'ws')}/ws`, b.label);
        } else {
          b.send({ type: 'leave' });
        }
      }
      return [a, b] as [TestClient, TestClient];
    }),
  );
}

async function pairsOn(relay: ChildRelay): Promise<Array<[TestClient, TestClient]>> {
  const ws = `${relay.url.replace('http', 'ws')}/ws`;
  return Promise.all(
    Array.from(
      { length: PAIRS },
      async (_, i) => [await TestClient.connect(ws, `a${i}`), await TestClient.connect(ws, `b${i}`)] as [TestClient, TestClient],
    ),
  );
}

describe.each(['memory', 'redis'] as const)('churn against one relay (%s bus)', (bus) => {
  let redis: RedisServer | undefined;
  let relay: ChildRelay | undefined;

  afterAll(async () => {
    relay?.kill();
    await redis?.stop();
  });

  it(`leaves no room behind after ${JOINS} joins and leaves, and memory comes back`, async () => {
    if (bus === 'redis') redis = await startRedis();
    relay = await ChildRelay.start(redis ? { REDIS_URL: redis.url, ZING_INSTANCE_TTL_MS: '2000' } : {});
    let pairs = await pairsOn(relay);
    pairs = await churn(relay, pairs, WARMUP_CYCLES); // JIT, pools and caches reach their working size
    for (const [a, b] of pairs) await Promise.all([a.close(), b.close()]);
    await expect.poll(() => relay!.gauge('zing_relay_connections')).toBe(0); // started just above
    const heap0 = (await relay.gc()).heapUsed;
    const rss0 = relay.rssKiB();

    pairs = await churn(relay, await pairsOn(relay), CYCLES);
    expect(await relay.gauge('zing_relay_rooms')).toBe(0);
    expect(await relay.gauge('zing_relay_joins_total')).toBe(2 * PAIRS * (WARMUP_CYCLES + CYCLES));
    for (const [a, b] of pairs) await Promise.all([a.close(), b.close()]);
    await expect.poll(() => relay!.gauge('zing_relay_connections')).toBe(0);
    expect(await relay.gauge('zing_relay_rooms')).toBe(0);
    if (redis) {
      // Nothing of the rooms is left in Redis: no member sets, no room in the instance's list.
      await expect.poll(() => redis!.client.keys('zing:r:*')).toEqual([]);
      const [instanceRooms] = await redis.client.keys('zing:i:*:rooms');
      expect(instanceRooms === undefined ? 0 : await redis.client.scard(instanceRooms)).toBe(0);
    }

    const heap1 = (await relay.gc()).heapUsed;
    const rss1 = relay.rssKiB();
    console.log(`churn (${bus}): heap ${(heap0 / 1024).toFixed(0)} -> ${(heap1 / 1024).toFixed(0)} KiB, RSS ${rss0} -> ${rss1} KiB`);
    // A leak of even 100 B per join would show as 100 KB; allow for V8's own caches.
    expect(heap1 - heap0).toBeLessThan(512 * 1024);
    // RSS is lumpier (allocator arenas, JIT code): a generous bound, still far below a leak of sockets.
    expect(rss1 - rss0).toBeLessThan(16 * 1024);
  }, 120_000);
});
