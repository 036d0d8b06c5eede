// relay/main.ts as an operator runs it: a child process, configured by its environment.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.ts';
import { RELAY_START_MS as START_MS, type RelayProcess, launchRelay, spawnRelay } from '../support/relay-process.ts';
import { TestClient, newRoomId, withTimeout } from './helpers.ts';

const started: RelayProcess[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((relay) => relay.kill()));
});

/** relay/main.ts from an empty environment (PATH only): no inherited ZING_* from the developer's shell. */
function launch(env: Record<string, string>): ReturnType<typeof launchRelay> {
  const relay = launchRelay({ env, cleanEnv: true });
  started.push(relay);
  return relay;
}

describe('relay/main.ts', () => {
  it('serves on the port it reports, closes clients with 1001 on SIGTERM and exits 0', async () => {
    const proc = await spawnRelay({ cleanEnv: true });
    started.push(proc);
    const { port } = proc;
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);

    const room = newRoomId();
    const alice = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'alice');
    const bob = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'bob');
    await alice.join(room);
    await bob.join(room);
    await alice.next('peerJoined');
    alice.send({ type: 'signal', to: bob.id, data: 'secret-sdp-payload' });
    expect(await bob.next('signal')).toMatchObject({ data: 'secret-sdp-payload' });
    // 50 bad frames in a row: one error line, the rest counted in one `suppressed` line.
    for (let i = 0; i < 50; i++) alice.sendRaw('not json');
    for (let i = 0; i < 50; i++) expect((await alice.next('error')).code).toBe('BAD_JSON');

    proc.child.kill('SIGTERM');
    expect((await withTimeout(alice.closed, 'alice closed', START_MS)).code).toBe(1001);
    expect((await withTimeout(bob.closed, 'bob closed', START_MS)).code).toBe(1001);
    expect(await withTimeout(proc.exited, 'relay exit', START_MS)).toEqual({ code: 0, signal: null });

    // The info log has one JSON line per event and never a payload.
    const lines = proc
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; code?: string; lines?: number }); // log.ts writes JSON lines
    const events = lines.map((l) => l.event);
    expect(events.filter((e) => e !== 'suppressed')).toEqual(['listening', 'join', 'join', 'error', 'leave', 'leave', 'shutdown']);
    expect(lines.find((l) => l.event === 'error')).toMatchObject({ code: 'BAD_JSON', peer: alice.id });
    // Within a second of the first suppressed line, or at shutdown: before the last line either way.
    expect(lines.filter((l) => l.event === 'suppressed')).toEqual([expect.objectContaining({ lines: 49 })]);
    expect(events.indexOf('suppressed')).toBeLessThan(events.indexOf('shutdown'));
    expect(proc.stdout()).not.toContain('secret-sdp-payload');
  });

  it('refuses to start on a malformed setting, naming the variable', async () => {
    const proc = launch({ ZING_MAX_PEERS_PER_ROOM: 'abc' });
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
      const proc = launchRelay({ port, cleanEnv: true, env: { ZING_LOG: 'silent' } });
      started.push(proc);
      const { code } = await withTimeout(proc.exited, 'relay exit', START_MS);
      expect(code).toBe(1);
      expect(proc.stderr()).toMatch(/failed to start: .*EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
