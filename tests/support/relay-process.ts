// The relay as its own process, for tests that kill and restart it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number }; // a TCP listener
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RelayProcess {
  url: string;
  child: ChildProcess;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts `relay/main.ts` on `port` and waits until /healthz answers. With
 * `gc`, the process preloads bench:relay's GC hook, so `heapAfterGc` can read
 * the V8 heap after a full collection.
 */
export async function spawnRelay(port: number, env: Record<string, string> = {}, opts: { gc?: boolean } = {}): Promise<RelayProcess> {
  const gcArgs = opts.gc ? ['--expose-gc', '--import', './bench/lib/gc-hook.ts'] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...gcArgs, 'relay/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ZING_LOG: 'silent', ...env },
    stdio: opts.gc ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child, exited };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`relay did not come up on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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
