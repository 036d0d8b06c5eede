// A real coturn (Debian's `coturn` package, 4.6) on loopback for one test file:
// REST credentials (use-auth-secret), a generated config and log in a temp dir.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TURNSERVER = process.env.ZING_TURNSERVER ?? 'turnserver';
const UCLIENT = process.env.ZING_TURNUTILS_UCLIENT ?? 'turnutils_uclient';
/** coturn starts in well under a second here; a loaded 2-core machine gets ten. */
const START_MS = 10_000;

export interface Coturn {
  port: number;
  /** The static-auth-secret coturn was started with. */
  secret: string;
  realm: string;
  /** `turn:127.0.0.1:<port>?transport=udp` */
  url: string;
  /** coturn's log so far. */
  log(): string;
  /** SIGTERM, SIGKILL after a grace period, then the temp dir goes. Safe twice. */
  stop(): Promise<void>;
}

/** A port free for both UDP and TCP on 127.0.0.1 a moment ago: coturn listens on both. */
async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port)); // a TCP listener
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP after 20 tries');
}

/** True once a STUN Binding request to 127.0.0.1:port gets a Binding success response. */
function stunAnswers(port: number, timeoutMs: number): Promise<boolean> {
  // RFC 8489: type 0x0001 (Binding request), length 0, magic cookie, 96-bit transaction id.
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (msg) =>
      done(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(request.subarray(8, 20))),
    );
    socket.send(request, port, '127.0.0.1');
  });
}

export interface CoturnOptions {
  /**
   * coturn's `max-bps`: bytes per second each TURN session may move in each
   * direction, the rest dropped: a short network path between two peers.
   */
  maxBytesPerSecond?: number;
}

/** `port` and `secret` start it again where a stopped one was (a TURN server coming back). */
export async function startCoturn(again?: Pick<Coturn, 'port' | 'secret'>, options: CoturnOptions = {}): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'zing-coturn-'));
  const port = again?.port ?? (await freeUdpTcpPort());
  const secret = again?.secret ?? randomBytes(24).toString('base64url');
  const realm = 'zing.test';
  const logFile = join(dir, 'turn.log');
  const configFile = join(dir, 'turnserver.conf');
  writeFileSync(
    configFile,
    [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      `realm=${realm}`,
      // Both peers' relayed addresses are on 127.0.0.1: coturn refuses loopback peers unless told.
      'allow-loopback-peers',
      'no-cli',
      'no-tls',
      'no-dtls',
      'fingerprint',
      // verbose: one line per ALLOCATE and its outcome, which the test reads.
      'verbose',
      `log-file=${logFile}`,
      'simple-log',
      'no-stdout-log',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      // Keep coturn's own database out of /var/lib/turn.
      `userdb=${join(dir, 'turndb')}`,
      ...(options.maxBytesPerSecond ? [`max-bps=${options.maxBytesPerSecond}`] : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(TURNSERVER, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const grace = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(grace);
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + START_MS;
  while (!(await stunAnswers(port, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = `coturn did not answer STUN on ${port}: exit ${child.exitCode}; ${stderr}\n${log().slice(-2_000)}`;
      await stop();
      throw new Error(why);
    }
  }
  return { port, secret, realm, url: `turn:127.0.0.1:${port}?transport=udp`, log, stop };
}

/**
 * Runs coturn's own test client: one allocation with these credentials, then a
 * couple of packets between two of its clients through it. Exit 0 only if the
 * allocations succeeded.
 */
export function allocateWith(turn: Coturn, username: string, credential: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const args = ['-p', String(turn.port), '-u', username, '-w', credential, '-y', '-c', '-n', '2', '127.0.0.1'];
    execFile(UCLIENT, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      // execFile reports a non-zero exit as an error carrying the code; a spawn failure has a string code.
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ status: code, output: `${stdout}${stderr}${err && typeof err.code !== 'number' ? String(err) : ''}` });
    });
  });
}
