// A real redis-server for the scale-out tests: its own process on a free
// loopback port, no persistence, killed at the end. A missing redis-server
// fails the test that needs it, saying what to install; it never skips.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

const REDIS_SERVER = process.env.ZING_REDIS_SERVER ?? 'redis-server';
const START_MS = 10_000;

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** A client for looking inside; closed by stop(). */
  readonly client: Redis;
  /** SIGKILLs the server and waits for it to exit. Safe twice. */
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (a free one if not given: pass the old one to restart in place). */
export async function startRedis(port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(
              `${REDIS_SERVER} not found: the scale-out tests need a real Redis. Install it (Debian: apt-get install redis-server) or set ZING_REDIS_SERVER to its path.`,
            )
          : err,
      ),
    );
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined); // connection refused while it starts: retried below
  const stop = async () => {
    client.disconnect();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + START_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr}`);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') break;
    } catch {
      client.disconnect(); // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING within ${START_MS} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, child, client, stop };
}
