// A real relay on port 0 and real `ws` clients that queue what the relay sends.
import { once } from 'node:events';
import { afterEach, beforeEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { DEFAULTS, type RelayConfig } from '../../relay/config.ts';
import { SOCKET_PATH } from '../../protocol/ids.ts';
import { parseServerMessage, type ClientMessage, type PeerId, type ServerMessage } from '../../protocol/relay.ts';
import { startRelay, type Relay } from '../../relay/server.ts';

/** Long enough for a loaded 2-core CI machine, short enough that a missing frame fails fast. */
export const WAIT_MS = 2_000;

/** Small limits so tests reach them quickly. */
export const TEST_CONFIG: RelayConfig = {
  ...DEFAULTS,
  port: 0,
  logLevel: 'silent',
  maxMessageBytes: 4 * 1024,
  maxPeersPerRoom: 3,
  heartbeatMs: 200,
  shutdownGraceMs: 300,
  // No web build: /r/<room> answers with the explanation page unless a test points this at one.
  webDir: join(tmpdir(), 'zing-test-no-web-build'),
  // Every test client comes from 127.0.0.1 and some tests send hundreds of frames:
  // the abuse limits are loose here, and abuse.test.ts starts relays with small ones.
  msgRatePerSecond: 100_000,
  msgBurst: 100_000,
  byteRatePerSecond: 1024 * 1024 * 1024,
  byteBurst: 1024 * 1024 * 1024,
  maxConnectionsPerIp: 10_000,
  maxPendingHandshakesPerIp: 10_000,
  joinsPerMinutePerIp: 10_000,
};

export function startTestRelay(overrides: Partial<RelayConfig> = {}): Promise<Relay> {
  return startRelay({ ...TEST_CONFIG, ...overrides });
}

export const socketUrl = (relay: { url: string }, path = SOCKET_PATH) => `${relay.url.replace(/^http/, 'ws')}${path}`;

let roomSeq = 0;
/** A fresh valid room id per call, so tests never share a room by accident. */
export const newRoomId = () => `testroom${String(++roomSeq).padStart(8, '0')}`;

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

interface Waiter {
  resolve: (msg: ServerMessage) => void;
  reject: (err: Error) => void;
}

/**
 * A real ws client that parses every frame with the client-side parser (so a
 * malformed frame from the relay fails the test) and queues it for `next()`.
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly label: string;
  /** Resolves with the close code and reason once the socket has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set by `join()`: the relay-assigned peer id. */
  id: PeerId = '';
  readonly #queue: ServerMessage[] = [];
  readonly #waiters: Waiter[] = [];
  #failure: Error | undefined;

  private constructor(ws: WebSocket, label: string) {
    this.ws = ws;
    this.label = label;
    ws.on('message', (data: RawData, isBinary: boolean) => this.#onFrame(data, isBinary));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        this.#fail(new Error(`${label}: socket closed (${code}) while waiting for a message`));
      });
    });
    // 'error' precedes 'close'; the close settles everything.
    ws.on('error', () => undefined); // a test that expects an error reads it from the close
  }

  static async connect(url: string, label = 'client', options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws, label);
    await withTimeout(once(ws, 'open'), `${label}: open`);
    return client;
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.#fail(new Error(`${this.label}: relay sent a binary frame`));
    const parsed = parseServerMessage(data.toString());
    if (!parsed.ok) return this.#fail(new Error(`${this.label}: relay sent a malformed frame: ${data.toString()}`));
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(parsed.msg);
    else this.#queue.push(parsed.msg);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }

  /**
   * The next message from the relay. With `type`, it must be of that type:
   * an unexpected message in between fails the test rather than being skipped.
   */
  async next(type?: undefined, timeoutMs?: number): Promise<ServerMessage>;
  async next<T extends ServerMessage['type']>(type: T, timeoutMs?: number): Promise<Msg<T>>;
  async next(type?: ServerMessage['type'], timeoutMs = WAIT_MS): Promise<ServerMessage> {
    const msg = this.#queue.shift() ?? (await this.#wait(`next(${type ?? ''})`, timeoutMs));
    if (type !== undefined && msg.type !== type) {
      throw new Error(`${this.label}: expected "${type}", got ${JSON.stringify(msg)}`);
    }
    return msg;
  }

  #wait(what: string, timeoutMs: number): Promise<ServerMessage> {
    if (this.#failure) return Promise.reject(this.#failure);
    let waiter: Waiter | undefined;
    const arrived = new Promise<ServerMessage>((resolve, reject) => {
      waiter = { resolve, reject };
      this.#waiters.push(waiter);
    });
    return withTimeout(arrived, `${this.label}: ${what}`, timeoutMs, () => {
      const i = waiter ? this.#waiters.indexOf(waiter) : -1;
      if (i >= 0) this.#waiters.splice(i, 1);
    });
  }

  /** Messages received and not yet taken by `next()`. */
  get pending(): readonly ServerMessage[] {
    return this.#queue;
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Joins `room`, checks the answer and remembers the assigned id. */
  async join(room: string): Promise<Msg<'joined'>> {
    this.send({ type: 'join', room });
    const joined = await this.next('joined');
    this.id = joined.self;
    return joined;
  }

  close(): Promise<unknown> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.close();
    return withTimeout(this.closed, `${this.label}: close`).catch(() => this.ws.terminate());
  }
}

/** One TestClient per label, as a tuple of the same length. */
export type ClientsFor<L extends readonly string[]> = { -readonly [K in keyof L]: TestClient };

/** Connects one client per label and joins them into `room` one after the other, draining the peerJoined noise. */
export async function joinedClients<const L extends readonly string[]>(relay: Relay, room: string, labels: L): Promise<ClientsFor<L>> {
  const clients: TestClient[] = [];
  for (const label of labels) {
    const c = await TestClient.connect(socketUrl(relay), label);
    await c.join(room);
    for (const earlier of clients) await earlier.next('peerJoined');
    clients.push(c);
  }
  return clients as ClientsFor<L>; // one client pushed per label, in order
}

export async function withTimeout<T>(p: Promise<T>, what: string, ms = WAIT_MS, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`timed out after ${ms} ms: ${what}`));
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A fresh relay for each test of the calling file, and clients that are closed
 * after it: `connect` opens a socket, `join` opens sockets already in a room.
 */
export function useRelay(overrides: Partial<RelayConfig> = {}) {
  let relay: Relay | undefined;
  let clients: TestClient[] = [];
  beforeEach(async () => {
    relay = await startTestRelay(overrides);
    clients = [];
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await relay?.close();
  });
  const current = (): Relay => {
    if (!relay) throw new Error('useRelay: no relay outside a test');
    return relay;
  };
  return {
    get relay(): Relay {
      return current();
    },
    async connect(label: string): Promise<TestClient> {
      const c = await TestClient.connect(socketUrl(current()), label);
      clients.push(c);
      return c;
    },
    async join<const L extends readonly string[]>(room: string, ...labels: L): Promise<ClientsFor<L>> {
      const joined = await joinedClients(current(), room, labels);
      clients.push(...joined);
      return joined;
    },
  };
}
