// The scaled-out relay for bench:relay: two Zing relay instances sharing rooms
// through one redis-server, all three their own processes. The load puts the
// two peers of every pair on different instances, so every message crosses
// Redis; CPU is the sum of both instances and redis-server, from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../../tests/support/ports.ts';
import { SERVERS, ServerProcess, type ServerSpec } from './servers.ts';
import { timeout } from './time.ts';

/** /proc/<pid>/stat counts CPU in clock ticks; 100 per second on Linux x86-64 and arm64 (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

export const REDIS_PAIR_SPEC: ServerSpec = { key: 'redis', label: 'zing x2 + redis', entry: 'relay/main.ts' };

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** User + system CPU of one process, in microseconds. */
function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

export class RedisPair {
  readonly spec = REDIS_PAIR_SPEC;
  readonly #redis: ChildProcess;
  readonly #instances: [ServerProcess, ServerProcess];

  private constructor(redis: ChildProcess, instances: [ServerProcess, ServerProcess]) {
    this.#redis = redis;
    this.#instances = instances;
  }

  /** Starts redis-server (no persistence) on a free port, then two relays on it. Throws, naming what is missing. */
  static async start(): Promise<RedisPair> {
    const port = await freePort();
    const redis = spawn(
      process.env.ZING_REDIS_SERVER ?? 'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    live.add(redis);
    redis.once('exit', () => live.delete(redis));
    await timeout(
      new Promise<void>((resolve, reject) => {
        redis.once('spawn', resolve);
        redis.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'ENOENT'
              ? new Error('redis-server not found (Debian: apt-get install redis-server); or leave "redis" out of BENCH_SERVERS')
              : err,
          ),
        );
      }),
      5_000,
      'redis-server start',
    );
    const zing = SERVERS.find((s) => s.key === 'zing');
    if (!zing) throw new Error('no zing server spec');
    // Same settings as the single instance, plus the bus. The relays retry until Redis listens.
    const spec: ServerSpec = { ...zing, key: 'redis', env: { ...zing.env, REDIS_URL: `redis://127.0.0.1:${port}` } };
    try {
      const instances: [ServerProcess, ServerProcess] = [await ServerProcess.start(spec), await ServerProcess.start(spec)];
      return new RedisPair(redis, instances);
    } catch (err) {
      redis.kill('SIGKILL');
      throw err;
    }
  }

  /** Where the two peers of each pair connect: one instance each. */
  get wsUrls(): [string, string] {
    return [this.#instances[0].wsUrl, this.#instances[1].wsUrl];
  }

  /** Both instances and redis-server, user + system, in microseconds. */
  cpuMicros(): number {
    if (this.#redis.pid === undefined) throw new Error('redis-server has no pid');
    return this.#instances[0].cpuMicros() + this.#instances[1].cpuMicros() + cpuMicrosOf(this.#redis.pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#instances.map((s) => s.stop()));
    if (this.#redis.exitCode === null && this.#redis.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.#redis.once('exit', () => resolve()));
      this.#redis.kill('SIGTERM');
      await timeout(exited, 5_000, 'redis-server exit').catch(() => this.#redis.kill('SIGKILL'));
    }
  }
}
