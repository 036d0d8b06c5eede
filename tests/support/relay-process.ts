// The relay as its own process (relay/main.ts, as an operator runs it), for
// tests that kill, restart or configure it through the environment. It starts on
// PORT=0 unless told otherwise and reports the port it got in its `listening`
// log line, which is read here: no guessing at free ports, no race with another
// process taking one.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RELAY_NODE_FLAGS } from '../../relay/node-flags.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx compiles on first start; a loaded 2-core machine needs a few seconds. */
export const RELAY_START_MS = 15_000;
/** Output kept for assertions and error messages; the rest is drained so the child never blocks on a full pipe. */
const KEEP_OUTPUT_CHARS = 256 * 1024;

export interface RelayProcess {
  /** `http://127.0.0.1:<port>` once listening. */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote so far (the first 256 KiB). */
  stdout(): string;
  stderr(): string;
  /** SIGKILLs it (if still running) and waits for the exit. Safe twice. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  /** 0 (the default) lets the OS pick; pass the old port to restart a relay where clients expect it. */
  port?: number;
  /** Extra environment; ZING_LOG is `info` so the `listening` line is written. */
  env?: Record<string, string>;
  /** Start from an empty environment (PATH only), as an operator's clean service would. */
  cleanEnv?: boolean;
  /** Preload bench:relay's GC hook so heapAfterGc can read the V8 heap after a full collection. */
  gc?: boolean;
}

/** Starts relay/main.ts without waiting for it (a test of start-up failures reads `exited` and `stderr`). */
export function launchRelay(opts: SpawnOptions = {}): RelayProcess & { listening: Promise<{ url: string; port: number }> } {
  const gcArgs = opts.gc ? ['--expose-gc', '--import', './bench/lib/gc-hook.ts'] : [];
  const base = opts.cleanEnv ? { PATH: process.env.PATH ?? '' } : process.env;
  const child = spawn(process.execPath, [...RELAY_NODE_FLAGS, '--import', 'tsx', ...gcArgs, 'relay/main.ts'], {
    cwd: ROOT,
    env: { ...base, PORT: String(opts.port ?? 0), HOST: '127.0.0.1', ZING_LOG: 'info', ...opts.env },
    stdio: opts.gc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const keep = (text: string, add: Buffer) => (text.length < KEEP_OUTPUT_CHARS ? text + add.toString() : text);
  child.stderr?.on('data', (d: Buffer) => {
    err = keep(err, d);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let address = { url: '', port: 0 };
  let pending = '';
  const listening = new Promise<{ url: string; port: number }>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out = keep(out, d);
      if (address.port !== 0) return;
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const found = listeningAddress(line);
        if (found) {
          address = found;
          resolve(found);
        }
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`relay exited (${code ?? signal}) before listening: ${err}`)));
  });
  listening.catch(() => undefined); // a caller that awaits it sees the error; one that does not must not crash the run
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    get url() {
      return address.url;
    },
    get port() {
      return address.port;
    },
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    kill,
    listening,
  };
}

/** Starts relay/main.ts and resolves once it is listening, with the port it reported. */
export async function spawnRelay(opts: SpawnOptions = {}): Promise<RelayProcess> {
  const relay = launchRelay(opts);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      relay.listening,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`relay did not report listening within ${RELAY_START_MS} ms: ${relay.stderr()}`)),
          RELAY_START_MS,
        );
      }),
    ]);
  } catch (err) {
    await relay.kill();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return relay;
}

/** The address in a `listening` log line (relay/server.ts), or undefined for any other line. */
export function listeningAddress(line: string): { url: string; port: number } | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined; // not a log line (the --announce banner)
  }
  if (typeof entry !== 'object' || entry === null || !('event' in entry) || entry.event !== 'listening') return undefined;
  if (!('url' in entry) || typeof entry.url !== 'string') return undefined;
  const port = Number(new URL(entry.url).port);
  return { url: entry.url, port };
}

/** Bytes of V8 heap in use after a full GC, in a relay spawned with `{ gc: true }`. */
export function heapAfterGc(relay: RelayProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the relay did not answer the GC request')), 10_000);
    const onMessage = (msg: unknown) => {
      if (typeof msg !== 'object' || msg === null || !('heapUsed' in msg) || typeof msg.heapUsed !== 'number') return;
      clearTimeout(timer);
      relay.child.off('message', onMessage);
      resolve(msg.heapUsed);
    };
    relay.child.on('message', onMessage);
    relay.child.send('gc');
  });
}
