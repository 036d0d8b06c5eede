// bench:slow-reader: issue 13's scenario against Zing's relay with its default
// limits, beside a bare `ws` forwarder in the same run. Three rooms; in each, one
// member stops reading its socket (and sends an unprompted pong every second, so
// a heartbeat that counts any pong keeps it) while seven members send it 60 KB
// frames at 40 a second each. A healthy pair in a fourth room pings and pongs
// throughout. Prints the server's RSS over time, what happened to the stalled
// and the sending sockets, and the healthy pair's round trips.
//
//   npm run bench:slow-reader
//
// Overrides (numbers): BENCH_SLOW_SECONDS (25) BENCH_SLOW_ROOMS (3) BENCH_SLOW_SENDERS (7)
// BENCH_SLOW_FRAME_BYTES (60000) BENCH_SLOW_RATE (40 frames/s per sender);
// BENCH_SERVERS=zing,bare picks the columns. BENCH_BASE_DIR=<another checkout>
// adds a row `zing base`: that checkout's relay with the same defaults (a
// worktree at an earlier commit, with node_modules linked in), for a
// before/after on the same machine in one run.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { Socket } from 'node:net';
import { WebSocket, type RawData } from 'ws';
import { percentile } from './lib/load.ts';
import { ServerProcess, killAll, type ServerSpec } from './lib/servers.ts';
import { sleep, timeout } from './lib/time.ts';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
};
const cfg = {
  seconds: num('BENCH_SLOW_SECONDS', 25),
  rooms: num('BENCH_SLOW_ROOMS', 3),
  senders: num('BENCH_SLOW_SENDERS', 7),
  frameBytes: num('BENCH_SLOW_FRAME_BYTES', 60_000),
  rate: num('BENCH_SLOW_RATE', 40),
};

const SPECS: ServerSpec[] = [
  // Operators' defaults, logging included (to a pipe nobody reads, as under a supervisor).
  { key: 'zing', label: 'zing (defaults)', entry: 'relay/main.ts', env: { HOST: '127.0.0.1' } },
  { key: 'bare', label: 'bare ws', entry: 'bench/lib/bare-forwarder.ts' },
];
const wanted = (process.env.BENCH_SERVERS ?? 'zing,bare').split(',').map((s) => s.trim());
const baseDir = process.env.BENCH_BASE_DIR || undefined;
if (baseDir) {
  const commit = execFileSync('git', ['-C', baseDir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const zing = SPECS.find((s) => s.key === 'zing');
  if (zing) SPECS.unshift({ ...zing, key: 'base', label: `zing base ${commit} (defaults)`, cwd: baseDir });
  wanted.push('base');
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

const RUN = Date.now().toString(36);
/** Set while this script closes its own sockets, so those closes are not taken for the server's. */
let ending = false;
const roomId = (n: number) => `slowreader${RUN}r${n}`;

interface Client {
  ws: WebSocket;
  id: string;
  /** Close code, once closed. */
  closed: number | undefined;
  closedAfterMs: number | undefined;
}

async function open(url: string, room: string, t0: () => number): Promise<Client> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const c: Client = { ws, id: '', closed: undefined, closedAfterMs: undefined };
  ws.on('error', () => undefined); // the close that follows is what counts
  ws.on('close', (code) => {
    if (ending) return; // closed by this script at the end, not by the server
    c.closed = code;
    c.closedAfterMs = performance.now() - t0();
  });
  await timeout(new Promise((r) => ws.once('open', r)), 10_000, 'open');
  const joined = timeout(
    new Promise<{ self?: unknown }>((resolve) =>
      ws.once('message', (raw: RawData) => resolve(JSON.parse(raw.toString()) as { self?: unknown })),
    ), // the relay sends JSON objects
    10_000,
    'joined',
  );
  ws.send(JSON.stringify({ type: 'join', room }));
  c.id = String((await joined).self);
  return c;
}

interface Outcome {
  label: string;
  rssStartKiB: number;
  rssPeakKiB: number;
  rssEndKiB: number;
  /** JS heap in use after a full GC, before the flood and at its end (sockets still open). */
  heapStartMiB: number;
  heapEndMiB: number;
  /** RSS every second, MiB above the start. */
  curve: number[];
  stalled: Client[];
  senders: Client[];
  rtts: number[];
  healthyLost: boolean;
}

async function run(spec: ServerSpec): Promise<Outcome> {
  const server = await ServerProcess.start(spec);
  let start = 0;
  const t0 = () => start;
  const filler = 'x'.repeat(cfg.frameBytes);
  const timers: NodeJS.Timeout[] = [];
  const clients: Client[] = [];
  try {
    const stalled: Client[] = [];
    const senders: Client[] = [];
    for (let r = 0; r < cfg.rooms; r++) {
      const victim = await open(server.wsUrl, roomId(r), t0);
      stalled.push(victim);
      for (let s = 0; s < cfg.senders; s++) senders.push(await open(server.wsUrl, roomId(r), t0));
    }
    // The healthy pair: B echoes every signal back to A.
    const a = await open(server.wsUrl, roomId(99), t0);
    const b = await open(server.wsUrl, roomId(99), t0);
    clients.push(...stalled, ...senders, a, b);
    await sleep(300); // peerJoined frames settle
    const rtts: number[] = [];
    b.ws.on('message', (raw: RawData) => {
      const m = JSON.parse(raw.toString()) as { type?: string; data?: string }; // the relay sends JSON objects
      if (m.type === 'signal') b.ws.send(JSON.stringify({ type: 'signal', to: a.id, data: m.data }));
    });
    a.ws.on('message', (raw: RawData) => {
      const m = JSON.parse(raw.toString()) as { type?: string; data?: string }; // the relay sends JSON objects
      if (m.type === 'signal' && m.data) rtts.push(performance.now() - Number(m.data));
    });

    // Stop reading: the socket's bytes pile up in the kernel, then in the server.
    for (const v of stalled) (v.ws as unknown as { _socket: Socket })._socket.pause(); // ws keeps its net.Socket in _socket
    await sleep(200);
    const heapStart = await server.gc();
    const rssStartKiB = server.rssKiB();
    start = performance.now();
    const curve: number[] = [];
    let rssPeakKiB = rssStartKiB;
    timers.push(
      setInterval(() => {
        for (const v of stalled) if (v.ws.readyState === WebSocket.OPEN) v.ws.pong(); // unprompted
      }, 1_000),
      setInterval(() => {
        for (const s of senders) {
          const victim = stalled[Math.floor(senders.indexOf(s) / cfg.senders)];
          if (s.ws.readyState === WebSocket.OPEN && victim) s.ws.send(`{"type":"signal","to":"${victim.id}","data":"${filler}"}`);
        }
      }, 1_000 / cfg.rate),
      setInterval(() => {
        if (a.ws.readyState === WebSocket.OPEN) a.ws.send(JSON.stringify({ type: 'signal', to: b.id, data: String(performance.now()) }));
      }, 50),
      setInterval(() => {
        try {
          rssPeakKiB = Math.max(rssPeakKiB, server.rssKiB());
        } catch {
          // the server died (out of memory): the outcome says so
        }
      }, 100),
    );
    for (let s = 1; s <= cfg.seconds; s++) {
      await sleep(1_000);
      if (server.child.exitCode !== null || server.child.signalCode !== null) break;
      curve.push((server.rssKiB() - rssStartKiB) / 1024);
    }
    for (const t of timers.splice(0)) clearInterval(t);
    const rssEndKiB = server.child.exitCode === null ? server.rssKiB() : Number.NaN;
    const heapEnd = server.child.exitCode === null ? await server.gc() : undefined;
    return {
      label: spec.label,
      rssStartKiB,
      rssPeakKiB,
      rssEndKiB,
      heapStartMiB: heapStart.heapUsed / 1024 / 1024,
      heapEndMiB: heapEnd ? heapEnd.heapUsed / 1024 / 1024 : Number.NaN,
      curve,
      stalled,
      senders,
      rtts: rtts.sort((x, y) => x - y),
      healthyLost: a.closed !== undefined || b.closed !== undefined,
    };
  } finally {
    for (const t of timers) clearInterval(t);
    ending = true;
    for (const c of clients) c.ws.terminate();
    await sleep(100);
    ending = false;
    await server.stop();
  }
}

const codes = (cs: Client[]) => {
  const counts = new Map<string, number>();
  for (const c of cs) {
    const key = c.closed === undefined ? 'open' : `closed ${c.closed}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
};
const mib = (kib: number) => (kib / 1024).toFixed(0);

async function main(): Promise<void> {
  console.log(
    `bench:slow-reader: node ${process.version}, ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `${cfg.rooms} rooms, each: 1 member that stops reading and pongs every second, ${cfg.senders} sending it ` +
      `${cfg.frameBytes} B frames at ${cfg.rate}/s (${((cfg.senders * cfg.frameBytes * cfg.rate) / 1e6).toFixed(1)} MB/s per room), ` +
      `${cfg.seconds} s; a healthy pair pings every 50 ms beside them`,
  );
  const outcomes: Outcome[] = [];
  for (const spec of SPECS.filter((s) => wanted.includes(s.key))) {
    process.stderr.write(`  ${spec.label}...\n`);
    const o = await run(spec);
    outcomes.push(o);
    process.stderr.write(`  ${spec.label}: RSS +MiB each second: ${o.curve.map((x) => x.toFixed(0)).join(' ')}\n`);
  }
  console.log('');
  console.log(
    '| server | RSS start (MiB) | RSS peak (MiB) | RSS end (MiB) | growth to peak (MiB) | JS heap after GC, start -> end (MiB) | stalled members | senders | healthy RTT p50 / p99 (ms) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const o of outcomes) {
    const closedAt = o.stalled.map((c) => c.closedAfterMs).filter((x): x is number => x !== undefined);
    const stalledText = `${codes(o.stalled)}${closedAt.length ? ` (after ${(Math.max(...closedAt) / 1000).toFixed(1)} s at most)` : ''}`;
    console.log(
      `| ${o.label} | ${mib(o.rssStartKiB)} | ${mib(o.rssPeakKiB)} | ${Number.isNaN(o.rssEndKiB) ? 'died' : mib(o.rssEndKiB)} | ` +
        `${mib(o.rssPeakKiB - o.rssStartKiB)} | ${o.heapStartMiB.toFixed(1)} -> ${o.heapEndMiB.toFixed(1)} | ${stalledText} | ${codes(o.senders)} | ` +
        `${o.healthyLost ? 'lost' : `${percentile(o.rtts, 0.5).toFixed(1)} / ${percentile(o.rtts, 0.99).toFixed(1)}`} |`,
    );
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:slow-reader failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(killAll);
