// Starting, measuring and stopping the servers bench:relay compares, each in its own child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RELAY_NODE_FLAGS } from '../../relay/node-flags.ts';
import { freePort } from '../../tests/support/ports.ts';
import { timeout } from './time.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** /proc/<pid>/stat counts CPU in clock ticks; 100 per second on Linux x86-64 and arm64 (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ServerSpec {
  key: string;
  label: string;
  entry: string;
  env?: Record<string, string>;
  /** The checkout the entry is in (another worktree, for a before/after in one run); this one by default. */
  cwd?: string;
  /** Extra node flags, such as --cpu-prof. */
  nodeArgs?: string[];
}

export const SERVERS: ServerSpec[] = [
  // Zing's relay exactly as operators run it, only silenced, and with the limits per
  // address and per connection raised past the load: every bench client is on
  // 127.0.0.1 and the flood sends as fast as it can. The limiter still runs on every frame.
  {
    key: 'zing',
    label: 'zing',
    entry: 'relay/main.ts',
    nodeArgs: [...RELAY_NODE_FLAGS],
    env: {
      ZING_LOG: 'silent',
      HOST: '127.0.0.1',
      ZING_MAX_CONNECTIONS_PER_IP: '1000000',
      ZING_MAX_PENDING_HANDSHAKES_PER_IP: '1000000',
      ZING_JOINS_PER_MINUTE_PER_IP: '1000000',
      ZING_MSG_RATE: '1000000',
      ZING_MSG_BURST: '1000000',
      ZING_BYTE_RATE: '1073741824',
      ZING_BYTE_BURST: '1073741824',
    },
  },
  { key: 'bare', label: 'bare ws', entry: 'bench/lib/bare-forwarder.ts' },
  // The bare forwarder with the relay's GC flags: how much of the gap the flags close that bare would also gain.
  { key: 'bare-flags', label: 'bare ws+flags', entry: 'bench/lib/bare-forwarder.ts', nodeArgs: [...RELAY_NODE_FLAGS] },
  { key: 'hono', label: 'hono-upgrade', entry: 'bench/lib/hono-forwarder.ts' },
];

const live = new Set<ChildProcess>();

/** Kills every server still running; safe to call from exit handlers and twice. */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

export interface HeapFigures {
  gcDone: true;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface GcPauses {
  count: number;
  maxMs: number;
}

const isGcPauses = (m: unknown): m is GcPauses & { pausesDone: true } =>
  typeof m === 'object' && m !== null && (m as { pausesDone?: unknown }).pausesDone === true; // gc-hook.ts sends this shape

const isHeapFigures = (m: unknown): m is HeapFigures => typeof m === 'object' && m !== null && (m as { gcDone?: unknown }).gcDone === true; // gc-hook.ts sends this shape

export class ServerProcess {
  readonly spec: ServerSpec;
  readonly port: number;
  readonly child: ChildProcess;
  #stderr = '';

  private constructor(spec: ServerSpec, port: number, child: ChildProcess) {
    this.spec = spec;
    this.port = port;
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4000);
    });
    child.once('exit', () => live.delete(child));
  }

  static async start(spec: ServerSpec): Promise<ServerProcess> {
    const port = await freePort();
    // The same flags for every server: tsx for TypeScript, a GC hook so RSS is read after a full GC.
    const args = ['--expose-gc', ...(spec.nodeArgs ?? []), '--import', 'tsx', '--import', './bench/lib/gc-hook.ts', spec.entry];
    const child = spawn(process.execPath, args, {
      cwd: spec.cwd ?? ROOT,
      env: { ...process.env, ...spec.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    live.add(child);
    const server = new ServerProcess(spec, port, child);
    await server.#waitHealthy(15_000);
    return server;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.label} has no pid`);
    return this.child.pid;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  async #waitHealthy(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.spec.label} exited: ${this.#stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(1_000) });
        await res.text();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.spec.label} not healthy after ${ms} ms: ${this.#stderr}`);
  }

  /** Resident set size in KiB, from /proc/<pid>/status. */
  rssKiB(): number {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    if (!m?.[1]) throw new Error(`no VmRSS for ${this.spec.label}`);
    return Number(m[1]);
  }

  /** User + system CPU time of the whole process (all threads, GC included), in microseconds. */
  cpuMicros(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the ")" closing the command name; utime and stime are fields 14 and 15 of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
  }

  /** How often and how long at most the server paused for GC since the last call (gc-hook.ts). */
  gcPauses(): Promise<GcPauses> {
    return this.#ask('pauses', isGcPauses, 'gc pauses');
  }

  /** Asks the server for a full GC (see gc-hook.ts), waits for it and returns its heap figures in bytes. */
  gc(): Promise<HeapFigures> {
    return this.#ask('gc', isHeapFigures, 'gc');
  }

  /** Sends gc-hook.ts `request` and waits (5 s at most) for the answer `is` recognises. */
  #ask<T>(request: string, is: (m: unknown) => m is T, what: string): Promise<T> {
    const done = new Promise<T>((resolve) => {
      const onMessage = (m: unknown) => {
        if (!is(m)) return;
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
    });
    this.child.send(request);
    return timeout(done, 5_000, `${this.spec.label} ${what}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    try {
      await timeout(exited, 5_000, `${this.spec.label} exit`);
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}

/** CPU time every core of the machine spent busy (not idle or waiting for I/O), in microseconds, from /proc/stat. */
export function machineBusyMicros(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce((a: number, b) => a + (b ?? 0), 0);
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** This process's own CPU time (the load generator), in microseconds. */
export function selfCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
