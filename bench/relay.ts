// bench:relay: Zing's relay against a bare `ws` forwarder and a forwarder whose
// WebSockets go through @hono/node-server's own upgrade, all started in the same
// run and driven one at a time by the same load; beside them, Zing scaled out:
// two relay instances on one redis-server, the two peers of every pair on
// different instances (CPU is both instances plus redis-server).
//
//   npm run bench:relay                 full run, about 5 minutes
//   BENCH_QUICK=1 npm run bench:relay   smaller and shorter, about 1 minute
//
// Overrides (numbers): BENCH_IDLE_CONNS BENCH_IDLE_ROUNDS BENCH_SETTLE_S BENCH_ROOMS BENCH_RATE
// BENCH_SLOTS BENCH_SLOT_MS BENCH_SLOT_WARMUP_MS BENCH_RETRIES BENCH_FLOOD_MS
// BENCH_FLOOD_PAIRS BENCH_FLOOD_WINDOW BENCH_MSG_BYTES BENCH_DEADLINE_S;
// BENCH_SERVERS=zing,bare,bare-flags,hono,redis picks the columns (redis needs redis-server;
// it has no idle-memory figures: those are per process).
// BENCH_BASE_DIR=<another checkout> adds a column `zing base`: the relay of that
// checkout (a worktree at an earlier commit, sharing node_modules), for a
// before/after in one run. BENCH_CPU_PROF_DIR=<dir> writes a V8 CPU profile of
// each server process (not the Redis pair) in <dir>/<column> when it exits (node --cpu-prof).
//
// Loopback only. The load generator runs in this process on the same cores as
// the server under test. Server CPU comes from /proc/<pid>/stat, so the
// generator's own CPU is not counted, but it competes for the cores, and so
// does anything else running on the machine: the rate test is cut into short
// slots that rotate between the servers, and a slot in which other programs
// took a good share of the cores is thrown away and run again, time allowing.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { Load, percentile, type FloodResult, type RateResult } from './lib/load.ts';
import { REDIS_PAIR_SPEC, RedisPair } from './lib/redis-pair.ts';
import { SERVERS, ServerProcess, killAll, machineBusyMicros, selfCpuMicros, type ServerSpec } from './lib/servers.ts';
import { sleep } from './lib/time.ts';

const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, short: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return quick ? short : full;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
};

const cfg = {
  idleConns: num('BENCH_IDLE_CONNS', 10_000, 2_000),
  /** Each idle round starts every server afresh; RSS is read from new processes only. */
  idleRounds: Math.max(1, num('BENCH_IDLE_ROUNDS', 2, 1)),
  /**
   * In the first round, how long Zing and bare ws are left idle for their RSS to settle (0: not at all).
   * Right after a burst of joins, RSS still holds the young generation V8 grew for it; V8 gives it back
   * by itself once the process has been quiet a while (measured here: 25-100 s).
   */
  settleS: num('BENCH_SETTLE_S', 150, 0),
  rooms: num('BENCH_ROOMS', 1_000, 1_000),
  rate: num('BENCH_RATE', 10_000, 10_000),
  /** The rate test per server is `slots` windows of `slotMs`, rotating between servers. */
  slots: Math.max(1, num('BENCH_SLOTS', 5, 2)),
  slotMs: num('BENCH_SLOT_MS', 2_000, 1_500),
  slotWarmupMs: num('BENCH_SLOT_WARMUP_MS', 300, 300),
  /** Extra slots per server to replace disturbed ones, time allowing. */
  retries: num('BENCH_RETRIES', 5, 2),
  floodMs: num('BENCH_FLOOD_MS', 5_000, 2_000),
  floodPairs: num('BENCH_FLOOD_PAIRS', 100, 100),
  floodWindow: num('BENCH_FLOOD_WINDOW', 10, 10),
  messageBytes: num('BENCH_MSG_BYTES', 1_000, 1_000),
  deadlineS: num('BENCH_DEADLINE_S', 480, 120),
};
const wanted = (process.env.BENCH_SERVERS ?? 'zing,bare,bare-flags,hono,redis').split(',').map((s) => s.trim());
const baseDir = process.env.BENCH_BASE_DIR || undefined;
const profDir = process.env.BENCH_CPU_PROF_DIR || undefined;
const zingSpec = SERVERS.find((s) => s.key === 'zing');
const BASE_SPEC: ServerSpec | undefined = baseDir && zingSpec ? { ...zingSpec, key: 'base', label: 'zing base', cwd: baseDir } : undefined;
const specs: ServerSpec[] = [...SERVERS, ...(BASE_SPEC ? [BASE_SPEC] : []), REDIS_PAIR_SPEC]
  .filter((s) => wanted.includes(s.key) || s === BASE_SPEC)
  .map((s) =>
    profDir && s !== REDIS_PAIR_SPEC ? { ...s, nodeArgs: [...(s.nodeArgs ?? []), '--cpu-prof', `--cpu-prof-dir=${profDir}/${s.key}`] } : s,
  );
/** What the rate and flood tests measure: one server process, or the Redis pair. */
type Measured = Pick<ServerProcess, 'spec' | 'cpuMicros' | 'stop'>;
const started = Date.now();
const secondsLeft = () => cfg.deadlineS - (Date.now() - started) / 1000;

// ---- never leave a child behind -------------------------------------------------
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}
const deadline = setTimeout(() => {
  process.stderr.write(`bench:relay: over the ${cfg.deadlineS} s deadline, stopping\n`);
  killAll();
  process.exit(1);
}, cfg.deadlineS * 1000);
deadline.unref();

const log = (line: string) => process.stderr.write(`${line}\n`);

// ---- measurements ---------------------------------------------------------------
interface Results {
  idleKiBPerConn: number[];
  idleHeapBytesPerConn: number[];
  /** RSS per connection once the server has been left idle until it gave memory back (first round only). */
  settledKiBPerConn?: number;
  /** How long that took; undefined: RSS did not fall within cfg.settleS, and settledKiBPerConn is the last reading. */
  settledAfterS?: number;
  kept: RateResult[];
  /** Slots thrown away because the machine was busy or the generator fell behind. */
  discarded: RateResult[];
  flood?: FloodResult;
  violations: number;
  violationExamples: string[];
  /** Frames the generator had to parse as JSON (not the signal frame it reads as bytes). */
  slowFrames: number;
}

function collect(r: Results, load: Load): void {
  r.violations += load.violations.count;
  r.slowFrames += load.slowFrames;
  for (const e of load.violations.examples) if (r.violationExamples.length < 10) r.violationExamples.push(e);
}

/** RSS has given back the young generation: this far under the reading right after the joins. */
const SETTLED_SHARE = 0.8;
const SETTLE_POLL_MS = 5_000;

/**
 * Leaves the connections idle until the server's RSS per connection falls to SETTLED_SHARE of `after`
 * and holds there one more reading, or settleS runs out.
 */
async function settle(server: ServerProcess, before: number, after: number, conns: number, r: Results): Promise<void> {
  const start = Date.now();
  let fellAt: number | undefined;
  let last = after;
  while ((Date.now() - start) / 1000 < cfg.settleS) {
    await sleep(SETTLE_POLL_MS);
    last = server.rssKiB();
    if (last - before > SETTLED_SHARE * (after - before)) {
      fellAt = undefined;
      continue;
    }
    if (fellAt !== undefined) break;
    fellAt = (Date.now() - start) / 1000;
  }
  r.settledKiBPerConn = (last - before) / conns;
  r.settledAfterS = fellAt;
  log(
    `  ${server.spec.label}: left idle, RSS ${before} -> ${last} KiB (${r.settledKiBPerConn.toFixed(2)} KiB each), ` +
      (fellAt === undefined ? `not given back within ${cfg.settleS} s` : `given back within ${fellAt.toFixed(0)} s of the reading above`),
  );
}

/** One fresh server, `conns` idle joined connections: RSS and JS heap per connection; `settling`: then left idle (settle()). */
async function idleRound(spec: ServerSpec, conns: number, r: Results, settling: boolean): Promise<void> {
  const server = await ServerProcess.start(spec);
  try {
    await sleep(500);
    const heap0 = await server.gc();
    await sleep(1_000);
    const before = server.rssKiB();
    const load = await Load.open(server.wsUrl, conns / 2, { messageBytes: cfg.messageBytes, concurrency: 100, ms: 60_000 });
    await sleep(2_000); // let the server settle after the last joins
    const heap1 = await server.gc();
    await sleep(500);
    const after = server.rssKiB();
    r.idleKiBPerConn.push((after - before) / load.peers.length);
    r.idleHeapBytesPerConn.push((heap1.heapUsed - heap0.heapUsed) / load.peers.length);
    collect(r, load);
    log(
      `  ${spec.label}: ${load.peers.length} idle connections, RSS ${before} -> ${after} KiB ` +
        `(${((after - before) / load.peers.length).toFixed(2)} KiB each), JS heap +${((heap1.heapUsed - heap0.heapUsed) / load.peers.length).toFixed(0)} B each`,
    );
    if (settling) await settle(server, before, after, load.peers.length, r);
    load.close();
  } finally {
    await server.stop();
  }
}

/**
 * A slot in which other programs took a good share of the cores, or the generator
 * fell behind or paused, says more about the machine than about the server (a starved
 * server batches more frames per wake-up and even looks cheaper per message).
 * /proc/stat runs ~10% behind the per-process clocks here, hence a margin, not 0.
 */
const FOREIGN_CPU_LIMIT_PERCENT = 25;
/**
 * The generator paused this long for its own GC: every message in flight then
 * waits in the generator, and its tail is the generator's. Most slots' longest
 * pause is 3-5 ms; the slots with a 10-17 ms pause were the ones whose p99 reached
 * 20-50 ms, for Zing and bare ws alike (four full runs, 11:33-11:39).
 */
const GENERATOR_PAUSE_LIMIT_MS = 8;
const disturbed = (res: RateResult, generatorPauseMs: number) =>
  res.skipped > 0 ||
  // Under the rate: the generator fell behind; over it: it caught up in a burst, and the slot measured the burst.
  Math.abs(res.achievedRate / res.targetRate - 1) > 0.03 ||
  res.foreignCpuPercent > FOREIGN_CPU_LIMIT_PERCENT ||
  generatorPauseMs > GENERATOR_PAUSE_LIMIT_MS;

/** This process's (the load generator's) GC pauses: a pause here delays every message it times. */
const generatorGc: { at: number; ms: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) generatorGc.push({ at: e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

async function rateSlot(server: Measured, load: Load, r: Results): Promise<void> {
  const clocks = { server: () => server.cpuMicros(), self: selfCpuMicros, machine: machineBusyMicros };
  // The Redis pair is three processes and has no GC figures.
  const serverGc = server instanceof ServerProcess ? () => server.gcPauses() : async () => undefined;
  await serverGc();
  const slotStart = performance.now();
  const res = await load.rate({ rate: cfg.rate, warmupMs: cfg.slotWarmupMs, measureMs: cfg.slotMs, clocks });
  const pauses = generatorGc.splice(0).filter((g) => g.at >= slotStart);
  const gcMax = Math.max(0, ...pauses.map((g) => g.ms));
  const own = await serverGc();
  const bad = disturbed(res, gcMax);
  (bad ? r.discarded : r.kept).push(res);
  log(
    `  ${server.spec.label.padEnd(12)} ${res.achievedRate.toFixed(0)} msg/s, ${res.cpuMicrosPerMsg.toFixed(1)} µs CPU/msg, ` +
      `p50 ${res.p50ms.toFixed(2)} ms, p99 ${res.p99ms.toFixed(2)} ms, generator ${res.generatorCpuPercent.toFixed(0)}%, ` +
      `others ${res.foreignCpuPercent.toFixed(0)}% of a core, generator GC ${pauses.length}× max ${gcMax.toFixed(1)} ms${own ? `, server GC ${own.count}× max ${own.maxMs.toFixed(1)} ms` : ''}${bad ? `: disturbed${res.skipped ? ` (${res.skipped} skipped)` : ''}, discarded` : ''}`,
  );
}

// ---- report -----------------------------------------------------------------------
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
/** The kept slots, or all of them (flagged in the report) when none was undisturbed. */
const slotsOf = (r: Results) => (r.kept.length ? r.kept : r.discarded);
const pooled = (r: Results) =>
  slotsOf(r)
    .flatMap((x) => x.latencies)
    .sort((a, b) => a - b);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

interface Row {
  metric: string;
  value: (r: Results) => number | string | undefined;
  digits: number;
  /** Zing may be at most this many times bare ws (lower is better). */
  target?: number;
  /** Must be 0 in every column. */
  zero?: boolean;
  /** Measured in the rate slots, so only comparable when both columns kept some undisturbed slots. */
  rate?: boolean;
}

const rows: Row[] = [
  // Right after 10,000 joins RSS still holds the young generation grown for them (the relay's flag makes it
  // larger: relay/node-flags.ts); left idle, each process gives it back, and what stays is the connections'.
  { metric: 'RSS per connection, just after the joins (KiB)', value: (r) => mean(r.idleKiBPerConn), digits: 2 },
  { metric: 'idle RSS per connection, settled (KiB)', value: (r) => r.settledKiBPerConn, digits: 2, target: 1.1 },
  {
    metric: '  settled within (s)',
    value: (r) => (r.settledKiBPerConn === undefined ? undefined : r.settledAfterS === undefined ? `>${cfg.settleS}` : r.settledAfterS),
    digits: 0,
  },
  { metric: 'idle JS heap per connection (B)', value: (r) => mean(r.idleHeapBytesPerConn), digits: 0 },
  {
    metric: `CPU per message at ${cfg.rate} msg/s (µs)`,
    value: (r) => sum(slotsOf(r).map((x) => x.serverMicros)) / sum(slotsOf(r).map((x) => x.measured)),
    digits: 1,
    target: 1.1,
    rate: true,
  },
  {
    metric: '  spread over slots (min-max)',
    value: (r) => {
      const xs = slotsOf(r).map((x) => x.cpuMicrosPerMsg);
      return xs.length ? `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}` : undefined;
    },
    digits: 0,
  },
  { metric: 'one-way latency p50 (ms)', value: (r) => percentile(pooled(r), 0.5), digits: 2 },
  { metric: 'one-way latency p99 (ms)', value: (r) => percentile(pooled(r), 0.99), digits: 2, target: 1.25, rate: true },
  {
    // The pooled p99 follows the worst slot; this says whether one slot or all of them put it there.
    metric: '  p99 per slot, min / median / max',
    value: (r) => {
      const xs = slotsOf(r).map((x) => x.p99ms);
      return xs.length ? `${Math.min(...xs).toFixed(0)} / ${median(xs).toFixed(0)} / ${Math.max(...xs).toFixed(0)}` : undefined;
    },
    digits: 0,
  },
  {
    // Every slot run, the disturbed ones too: the kept slots can be few (7 of 10 discarded in a run here),
    // and a server whose few kept slots were quiet ones then compares well or badly by luck. Not a verdict.
    metric: '  p99 per slot, every slot run (median)',
    value: (r) => {
      const xs = [...r.kept, ...r.discarded].map((x) => x.p99ms);
      return xs.length ? `${median(xs).toFixed(0)} (${xs.length} slots)` : undefined;
    },
    digits: 0,
  },
  { metric: 'server CPU, rate test (% of a core)', value: (r) => median(slotsOf(r).map((x) => x.serverCpuPercent)), digits: 0 },
  { metric: 'generator CPU, rate test (%)', value: (r) => median(slotsOf(r).map((x) => x.generatorCpuPercent)), digits: 0 },
  { metric: 'other programs, rate test (%)', value: (r) => median(slotsOf(r).map((x) => x.foreignCpuPercent)), digits: 0 },
  { metric: 'rate slots kept / discarded', value: (r) => `${r.kept.length} / ${r.discarded.length}`, digits: 0 },
  { metric: 'achieved rate (msg/s)', value: (r) => median(slotsOf(r).map((x) => x.achievedRate)), digits: 0 },
  { metric: 'flood throughput (msg/s)', value: (r) => r.flood?.msgPerSec, digits: 0 },
  { metric: 'flood CPU per message (µs)', value: (r) => r.flood?.cpuMicrosPerMsg, digits: 1 },
  {
    metric: 'messages not delivered',
    value: (r) => sum([...r.kept, ...r.discarded].map((x) => x.undelivered)) + (r.flood?.undelivered ?? 0),
    digits: 0,
    zero: true,
  },
  { metric: 'order/duplicate/misroute violations', value: (r) => r.violations, digits: 0, zero: true },
];

function printTable(results: Map<string, Results>): void {
  const cols = specs.map((s) => s.key);
  const header = [
    'metric',
    ...specs.map((s) => s.label),
    'zing/bare',
    'zing/bare+flags',
    'hono/bare',
    'redis/zing',
    ...(BASE_SPEC ? ['zing/base'] : []),
    'target',
    'verdict',
  ];
  const lines: string[][] = [header];
  for (const row of rows) {
    const vals = cols.map((k) => {
      const r = results.get(k);
      return r ? row.value(r) : undefined;
    });
    const numberIn = (k: string) => {
      const v = vals[cols.indexOf(k)];
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    };
    const ratio = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined || b === 0 ? '' : `${(a / b).toFixed(2)}x`;
    const z = numberIn('zing');
    const b = numberIn('bare');
    let verdict = '';
    if (row.target !== undefined && z !== undefined && b !== undefined && b > 0) verdict = z / b <= row.target ? 'ok' : 'MISS';
    // A ratio against a column measured on a busy machine compares the machine, not the servers.
    const busy = ['zing', 'bare'].some((k) => results.get(k)?.kept.length === 0);
    if (busy && row.rate && row.target !== undefined) verdict = 'n/a: busy';
    if (row.zero) verdict = vals.every((v) => v === 0 || v === undefined) ? 'ok' : 'FAIL';
    lines.push([
      row.metric,
      ...vals.map((v) => (typeof v === 'string' ? v : v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(row.digits))),
      row.target === undefined ? '' : ratio(z, b),
      row.target === undefined ? '' : ratio(z, numberIn('bare-flags')),
      row.target === undefined ? '' : ratio(numberIn('hono'), b),
      row.target === undefined ? '' : ratio(numberIn('redis'), z),
      ...(BASE_SPEC ? [row.target === undefined ? '' : ratio(z, numberIn('base'))] : []),
      row.target === undefined ? (row.zero ? '0' : '') : `<= ${row.target}x`,
      verdict,
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(fmt(lines[0] ?? []));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines.slice(1)) console.log(fmt(l));
}

function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !m?.[1] || m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
}

// ---- run ----------------------------------------------------------------------------
async function main(): Promise<void> {
  const limit = openFilesLimit();
  let idleConns = Math.floor(cfg.idleConns / 2) * 2;
  const notes: string[] = [];
  // The server holds one descriptor per connection, and so does this process.
  if (limit < idleConns + 200) {
    idleConns = Math.floor((limit - 200) / 2) * 2;
    notes.push(`ulimit -n is ${limit}: the idle test used ${idleConns} connections instead of ${cfg.idleConns}`);
  }
  console.log(
    `bench:relay${quick ? ' (quick)' : ''}: node ${process.version}, ${cpus().length} cores, load average ` +
      `${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, ulimit -n ${limit}`,
  );
  console.log(
    `idle: ${idleConns} connections in rooms of 2, ${cfg.idleRounds} fresh start(s) per server | rate: ${cfg.rooms} rooms of 2, ` +
      `${cfg.rate} msg/s of ~${cfg.messageBytes} B, ${cfg.slots} slots of ${cfg.slotMs} ms (+${cfg.slotWarmupMs} ms warm-up) per server, ` +
      `rotating | flood: ${cfg.floodPairs} rooms, ${cfg.floodWindow} in flight per sender, ${cfg.floodMs} ms`,
  );

  const results = new Map<string, Results>(
    specs.map((s) => [
      s.key,
      { idleKiBPerConn: [], idleHeapBytesPerConn: [], kept: [], discarded: [], violations: 0, violationExamples: [], slowFrames: 0 },
    ]),
  );
  const resultsOf = (key: string): Results => {
    const r = results.get(key);
    if (!r) throw new Error(`no results for ${key}`);
    return r;
  };

  log('1. idle connections, each server started afresh');
  for (let round = 0; round < cfg.idleRounds; round++) {
    const single = specs.filter((s) => s !== REDIS_PAIR_SPEC);
    for (const spec of round % 2 ? [...single].reverse() : single) {
      const settling = round === 0 && cfg.settleS > 0 && (spec.key === 'zing' || spec.key === 'bare');
      await idleRound(spec, idleConns, resultsOf(spec.key), settling);
    }
  }

  log(`2. ${cfg.rate} msg/s in ${cfg.rooms} rooms, slots rotating between servers`);
  const servers: Measured[] = [];
  const loads = new Map<Measured, Load>();
  try {
    for (const spec of specs) {
      const server = spec === REDIS_PAIR_SPEC ? await RedisPair.start() : await ServerProcess.start(spec);
      servers.push(server);
      const urls = server instanceof RedisPair ? server.wsUrls : (server as ServerProcess).wsUrl; // the two kinds started just above
      loads.set(server, await Load.open(urls, cfg.rooms, { messageBytes: cfg.messageBytes, concurrency: 100, ms: 30_000 }));
    }
    const loadOf = (s: Measured): Load => {
      const l = loads.get(s);
      if (!l) throw new Error(`no load for ${s.spec.label}`);
      return l;
    };
    const slotSeconds = (cfg.slotMs + cfg.slotWarmupMs) / 1000 + 0.3;
    // Keep enough time for the floods and the report.
    const reserve = servers.length * (cfg.floodMs / 1000 + 2) + 10;
    for (let slot = 0; slot < cfg.slots; slot++) {
      const order = slot % 2 ? [...servers].reverse() : servers;
      for (const s of order) await rateSlot(s, loadOf(s), resultsOf(s.spec.key));
    }
    // Replace disturbed slots, still rotating, while time allows.
    for (let extra = 0; extra < cfg.retries; extra++) {
      const short = servers.filter((s) => resultsOf(s.spec.key).kept.length < cfg.slots);
      if (short.length === 0) break;
      if (secondsLeft() - reserve < short.length * slotSeconds) {
        notes.push('out of time to replace every disturbed rate slot');
        break;
      }
      log(`  (re-running disturbed slots: ${short.map((s) => s.spec.label).join(', ')})`);
      for (const s of short) await rateSlot(s, loadOf(s), resultsOf(s.spec.key));
    }

    log(`3. flood: ${cfg.floodPairs} rooms, ${cfg.floodWindow} messages in flight per sender`);
    for (const s of servers) {
      const r = resultsOf(s.spec.key);
      r.flood = await loadOf(s).flood({ pairs: cfg.floodPairs, window: cfg.floodWindow, ms: cfg.floodMs, cpuMicros: () => s.cpuMicros() });
      log(`  ${s.spec.label.padEnd(12)} ${r.flood.msgPerSec.toFixed(0)} msg/s, ${r.flood.cpuMicrosPerMsg.toFixed(1)} µs CPU/msg`);
    }
  } finally {
    for (const [s, load] of loads) {
      collect(resultsOf(s.spec.key), load);
      load.close();
    }
    for (const s of servers) await s.stop();
  }

  console.log('');
  printTable(results);
  console.log('');
  console.log(
    'Targets: CPU/msg and KiB/conn within 1.1x of bare ws, p99 within 1.25x. CPU/msg is total server CPU over total ' +
      'messages of the kept slots (a slot is re-run where other programs took the cores or the generator ' +
      `fell behind, caught up in a burst or paused over ${GENERATOR_PAUSE_LIMIT_MS} ms for its own GC); latencies are pooled over them. The load generator shares the ` +
      `${cpus().length} cores with the server under test. Flood throughput swings between runs and does not rank relays.`,
  );
  for (const [key, r] of results) {
    if (r.kept.length === 0) console.log(`warning: every rate slot of ${key} was disturbed; its rate figures come from disturbed slots`);
    for (const e of r.violationExamples) console.log(`violation (${key}): ${e}`);
    if (r.slowFrames > 0) {
      console.log(
        `note: ${key} sent ${r.slowFrames} frames not shaped as the generator reads them fast; it parsed them as JSON, with more garbage of its own`,
      );
    }
  }
  if (quick) notes.push('quick mode: a few seconds of rate slots are too few samples for the p99 verdict; use the full run');
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`finished in ${((Date.now() - started) / 1000).toFixed(0)} s, load average now ${loadavg()[0]?.toFixed(2)}`);
  const failed = [...results.values()].some(
    (r) => r.violations > 0 || [...r.kept, ...r.discarded].some((x) => x.undelivered > 0) || (r.flood?.undelivered ?? 0) > 0,
  );
  process.exitCode = failed ? 1 : 0;
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:relay failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    clearTimeout(deadline);
  });
