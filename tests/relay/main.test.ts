// relay/main.ts as an operator runs it: a child process, configured by its environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, newRoomId, withTimeout } from './helpers.ts';
import { freePort } from '../support/ports.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx compiles on first start; a loaded 2-core machine needs a few seconds. */
const START_MS = 10_000;

interface RelayProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function spawnRelay(env: Record<string, string>): RelayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    cwd: ROOT,
    // Only what the relay needs: no inherited ZING_* from the developer's shell.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitForHealthy(url: string, proc: RelayProcess): Promise<void> {
  const deadline = Date.now() + START_MS;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`relay exited early: ${proc.stderr()}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet; try again shortly
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`relay not healthy after ${START_MS} ms: ${proc.stderr()}`);
}

describe('relay/main.ts', () => {
  it('serves on PORT, closes clients with 1001 on SIGTERM and exits 0', async () => {
    const port = await freePort();
    const proc = spawnRelay({ PORT: String(port), ZING_LOG: 'info' });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealthy(url, proc);

    const room = newRoomId();
    const alice = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'alice');
    const bob = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'bob');
    await alice.join(room);
    await bob.join(room);
    await alice.next('peerJoined');
    alice.send({ type: 'signal', to: bob.id, data: 'secret-sdp-payload' });
    expect(await bob.next('signal')).toMatchObject({ data: 'secret-sdp-payload' });

    proc.child.kill('SIGTERM');
    expect((await withTimeout(alice.closed, 'alice closed', START_MS)).code).toBe(1001);
    expect((await withTimeout(bob.closed, 'bob closed', START_MS)).code).toBe(1001);
    expect(await withTimeout(proc.exited, 'relay exit', START_MS)).toEqual({ code: 0, signal: null });

    // The info log has one JSON line per event and never a payload.
    const events = proc
      .stdout()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { event: string }).event); // log.ts writes JSON lines
    expect(events).toEqual(['listening', 'join', 'join', 'leave', 'leave', 'shutdown']);
    expect(proc.stdout()).not.toContain('secret-sdp-payload');
  });

  it('refuses to start on a malformed setting, naming the variable', async () => {
    const proc = spawnRelay({ PORT: '0', ZING_MAX_PEERS_PER_ROOM: 'abc' });
    const { code } = await withTimeout(proc.exited, 'relay exit', START_MS);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(proc.stderr()).toContain('ZING_MAX_PEERS_PER_ROOM');
    expect(proc.stderr()).toContain('"abc"');
  });

  it('exits 1 with the reason when its port is taken', async () => {
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', () => resolve()));
    try {
      const proc = spawnRelay({ PORT: String(port), ZING_LOG: 'silent' });
      const { code } = await withTimeout(proc.exited, 'relay exit', START_MS);
      expect(code).toBe(1);
      expect(proc.stderr()).toMatch(/failed to start: .*EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
