// The abusive side of slow-reader.test.ts, run in a worker thread so that
// building and sending megabytes of frames does not stall the test's own event
// loop, where the relay and the healthy room it measures run. In each room,
// round after round: three senders flood a member that stopped reading until
// the relay closes it, then a fresh member joins and stops reading.
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket, type RawData } from 'ws';

export interface AbuseJob {
  url: string;
  rooms: string[];
  rounds: number;
  frameChars: number;
}

export interface AbuseResult {
  /** Bytes of frame data sent at members that stopped reading. */
  sent: number;
  /** Members the relay closed (each seen leaving by its room). */
  closed: number;
}

/** A sender sends on while less than this waits in its own socket: fast, without buffering megabytes here. */
const QUEUE_BYTES = 256 * 1024;

type Frame = { type?: string; self?: string; peer?: string; code?: string };

class Member {
  readonly ws: WebSocket;
  id = '';
  readonly #frames: Frame[] = [];
  #wake: (() => void) | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('error', () => undefined); // the relay closing a stalled member is the point
    ws.on('message', (raw: RawData) => {
      this.#frames.push(JSON.parse(raw.toString()) as Frame); // the relay sends JSON objects
      this.#wake?.();
    });
  }

  static async join(url: string, room: string): Promise<Member> {
    const m = new Member(new WebSocket(url, { perMessageDeflate: false }));
    await new Promise((resolve, reject) => {
      m.ws.once('open', resolve);
      m.ws.once('error', reject);
    });
    m.ws.send(JSON.stringify({ type: 'join', room }));
    m.id = String((await m.next('joined')).self);
    return m;
  }

  /** The next frame of `type`, past UNKNOWN_PEER errors (answers to frames that were on the way when their target left). */
  async next(type: string): Promise<Frame> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const f = this.#frames.shift();
      if (f?.type === type) return f;
      if (f && !(f.type === 'error' && f.code === 'UNKNOWN_PEER')) throw new Error(`expected ${type}, got ${JSON.stringify(f)}`);
      if (!f) {
        if (Date.now() > deadline) throw new Error(`no ${type} within 10 s`);
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    }
  }

  /** Whether a peerLeft for `peer` has arrived (without taking anything). */
  sawLeave(peer: string): boolean {
    return this.#frames.some((f) => f.type === 'peerLeft' && f.peer === peer);
  }
}

async function abuseRoom(job: AbuseJob, room: string, result: AbuseResult): Promise<void> {
  const senders: Member[] = [];
  for (let i = 0; i < 3; i++) {
    senders.push(await Member.join(job.url, room));
    for (const s of senders.slice(0, -1)) await s.next('peerJoined');
  }
  const data = 'x'.repeat(job.frameChars);
  for (let round = 0; round < job.rounds; round++) {
    const victim = await Member.join(job.url, room);
    for (const s of senders) await s.next('peerJoined');
    (victim.ws as unknown as { _socket: Socket })._socket.pause(); // ws 8 keeps its TCP socket in _socket
    const frame = JSON.stringify({ type: 'signal', to: victim.id, data });
    const deadline = Date.now() + 10_000;
    while (!senders.every((s) => s.sawLeave(victim.id))) {
      if (Date.now() > deadline) throw new Error('the relay never closed the member that stopped reading');
      // Paced by the senders' own queues: what counts as sent has left this process.
      for (const s of senders) {
        if (s.ws.bufferedAmount > QUEUE_BYTES) continue;
        s.ws.send(frame);
        result.sent += job.frameChars;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    for (const s of senders) await s.next('peerLeft');
    result.closed++;
    victim.ws.terminate();
  }
  for (const s of senders) s.ws.terminate();
}

const job = workerData as AbuseJob; // slow-reader.test.ts starts this worker with an AbuseJob
const result: AbuseResult = { sent: 0, closed: 0 };
Promise.all(job.rooms.map((room) => abuseRoom(job, room, result))).then(
  () => parentPort?.postMessage(result),
  (err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) }),
);
