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

/** Starts `relay/main.ts` on `port` and waits until /healthz answers. */
export async function spawnRelay(port: number, env: Record<string, string> = {}): Promise<RelayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ZING_LOG: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
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
