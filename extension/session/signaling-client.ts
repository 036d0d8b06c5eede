// The relay socket: join a room, send and receive opaque payloads, reconnect
// with exponential backoff and jitter. Knows nothing about WebRTC.
import { SOCKET_PATH } from '../../protocol/ids.ts';
import {
  encodeMessage,
  parseServerMessage,
  type ClientMessage,
  type ErrorCode,
  type PeerId,
  type RoomId,
  type TurnServer,
} from '../../protocol/relay.ts';
import { TypedEmitter } from './typed-emitter.ts';
import { socketUrl, type ShareLink } from './share-link.ts';

export type SignalingState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export type SignalingEvents = {
  stateChanged: [SignalingState];
  /** Fired on each (re)join; `peers` are already in the room; TURN credentials only if someone is. */
  joined: [{ self: PeerId; peers: PeerId[]; iceServers: TurnServer[] | undefined }];
  /** TURN credentials for a member that joined alone, just before the first peerJoined. */
  iceServers: [TurnServer[]];
  peerJoined: [PeerId];
  peerLeft: [PeerId];
  signal: [{ from: PeerId; data: string }];
  /** A typed error frame from the relay; the socket stays usable. */
  relayError: [{ code: ErrorCode; detail: string }];
  /** The relay could not be reached `attempt` times in a row; reconnecting goes on. */
  unreachable: [{ attempt: number }];
};

export interface SignalingOptions {
  /** First retry delay; doubles per failure up to `maxBackoffMs`, each jittered down to half of that so peers do not stampede a restarted relay. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A socket that has not opened by then counts as a failed attempt. */
  connectTimeoutMs: number;
  /**
   * After this long without a frame from the relay, a joined client pings it;
   * a ping not answered within as long again means the path is dark, and the
   * socket is given up for a new one. Both within the relay's own patience
   * (two 15 s heartbeats), so the others see a reconnect, not a leave.
   */
  livenessMs: number;
  /**
   * A socket given up for dark is closed this long after the next one joined,
   * not at once: where its close does reach the relay (the relay was slow, not
   * gone), the relay tells the others this address left, and an address that is
   * still someone's current one leaving is a leave (roster.ts). By then they
   * have heard from the new address, so it is an old one: a reconnect.
   */
  retiredCloseMs: number;
  createSocket: (url: string) => WebSocket;
  /** Milliseconds on a clock that only moves forward; tests pass their own. */
  now: () => number;
}

export const DEFAULT_SIGNALING_OPTIONS: SignalingOptions = {
  baseBackoffMs: 250,
  // Signaling must be back within ~2 s of a relay restart, so retries never wait longer.
  maxBackoffMs: 2_000,
  connectTimeoutMs: 5_000,
  livenessMs: 4_000,
  retiredCloseMs: 5_000,
  createSocket: (url) => new WebSocket(url),
  now: () => performance.now(),
};

/** How often a joined client looks at its socket's liveness (coarse: the figures it checks are seconds). */
const LIVENESS_TICK_MS = 1_000;
/** A socket given up for dark is closed after this at the latest, even if no next one ever joins. */
const RETIRED_MAX_MS = 30_000;

/** Delay before retry number `attempt` (0-based): exponential, capped, jittered. */
export function backoffDelay(
  attempt: number,
  opts: Pick<SignalingOptions, 'baseBackoffMs' | 'maxBackoffMs'>,
  random = Math.random,
): number {
  const ceiling = Math.min(opts.maxBackoffMs, opts.baseBackoffMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export class SignalingClient extends TypedEmitter<SignalingEvents> {
  readonly #url: string;
  readonly #room: RoomId;
  readonly #opts: SignalingOptions;
  #socket: WebSocket | undefined;
  #state: SignalingState = 'closed';
  #failures = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** While joined: looks at the socket's liveness every LIVENESS_TICK_MS. */
  #liveness: ReturnType<typeof setInterval> | undefined;
  /** When the relay was last heard from (any frame), on opts.now's clock. */
  #lastHeard = 0;
  /** When the unanswered ping went out, if one did. */
  #pingSentAt: number | undefined;
  /** Sockets given up for dark and not yet closed, each with the timer that closes it. */
  readonly #retired = new Map<WebSocket, ReturnType<typeof setTimeout>>();

  constructor(link: ShareLink, opts: Partial<SignalingOptions> = {}) {
    super();
    this.#url = socketUrl(link, SOCKET_PATH);
    this.#room = link.room;
    this.#opts = { ...DEFAULT_SIGNALING_OPTIONS, ...opts };
  }

  get state(): SignalingState {
    return this.#state;
  }

  connect(): void {
    if (this.#closed || this.#socket) return;
    this.#setState(this.#failures === 0 && this.#state === 'closed' ? 'connecting' : 'reconnecting');
    let socket: WebSocket;
    try {
      socket = this.#opts.createSocket(this.#url);
    } catch {
      // A socket that cannot even be created is a failed attempt like any other.
      this.#failures += 1;
      this.emit('unreachable', { attempt: this.#failures });
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    let opened = false;
    const timeout = setTimeout(() => socket.close(), this.#opts.connectTimeoutMs);
    socket.onopen = () => {
      opened = true;
      clearTimeout(timeout);
      this.#write({ type: 'join', room: this.#room });
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (this.#socket !== socket) return; // a socket given up for dead that spoke after all
      this.#lastHeard = this.#opts.now();
      if (typeof ev.data === 'string') this.#receive(ev.data);
    };
    socket.onclose = () => {
      clearTimeout(timeout);
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#stopLiveness();
      if (this.#closed) return;
      if (!opened) {
        this.#failures += 1;
        this.emit('unreachable', { attempt: this.#failures });
      }
      this.#scheduleRetry();
    };
  }

  /** Sends `data` to one peer, or to every other peer. Returns false while not joined (the payload is dropped). */
  send(to: PeerId | undefined, data: string): boolean {
    if (this.#state !== 'open') return false;
    return this.#write(to === undefined ? { type: 'signal', data } : { type: 'signal', to, data });
  }

  /** Leaves the room and stops reconnecting. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#stopLiveness();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      if (socket.readyState === WebSocket.OPEN) socket.send(encodeMessage({ type: 'leave' }));
      socket.close(1000, 'left');
    }
    for (const old of this.#retired.keys()) this.#closeRetired(old, 0);
    this.#setState('closed');
  }

  #write(msg: ClientMessage): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(encodeMessage(msg));
    return true;
  }

  #receive(raw: string): void {
    const parsed = parseServerMessage(raw);
    if (!parsed.ok) {
      console.warn(`zing: ignored a malformed relay frame (${parsed.detail})`);
      return;
    }
    const msg = parsed.msg;
    switch (msg.type) {
      case 'joined':
        this.#failures = 0;
        // The others hear of this address before any close of an old one could reach them.
        for (const old of this.#retired.keys()) this.#closeRetired(old, this.#opts.retiredCloseMs);
        this.#startLiveness();
        this.#setState('open');
        this.emit('joined', { self: msg.self, peers: msg.peers, iceServers: msg.iceServers });
        return;
      case 'iceServers':
        return this.emit('iceServers', msg.iceServers);
      case 'peerJoined':
        return this.emit('peerJoined', msg.peer);
      case 'peerLeft':
        return this.emit('peerLeft', msg.peer);
      case 'signal':
        return this.emit('signal', { from: msg.from, data: msg.data });
      case 'pong':
        return; // heard: that is all a pong says
      case 'error':
        // A join refused for its rate is retried after a backoff, not left hanging.
        if (msg.code === 'RATE_LIMITED' && this.#state !== 'open') {
          this.#failures += 1;
          this.#socket?.close();
        }
        return this.emit('relayError', { code: msg.code, detail: msg.detail });
    }
  }

  #startLiveness(): void {
    this.#stopLiveness();
    this.#pingSentAt = undefined;
    this.#liveness = setInterval(() => this.#checkLiveness(), Math.min(LIVENESS_TICK_MS, this.#opts.livenessMs));
  }

  #stopLiveness(): void {
    clearInterval(this.#liveness);
    this.#liveness = undefined;
  }

  /**
   * Pings a relay that has been quiet, and gives up a socket whose ping went
   * unanswered. Only an answer that came after the ping counts, so a tick
   * that runs late (a throttled background tab, a machine that slept) finds
   * a live socket live.
   */
  #checkLiveness(): void {
    const socket = this.#socket;
    if (!socket || this.#state !== 'open') return;
    const now = this.#opts.now();
    if (this.#pingSentAt !== undefined && this.#lastHeard < this.#pingSentAt) {
      if (now - this.#pingSentAt >= this.#opts.livenessMs) this.#giveUp(socket);
      return;
    }
    this.#pingSentAt = undefined;
    if (now - this.#lastHeard >= this.#opts.livenessMs && this.#write({ type: 'ping' })) this.#pingSentAt = now;
  }

  /**
   * A socket that no longer reaches the relay: no longer used, and a new one
   * opened after the usual backoff; it is closed once the new one has joined
   * (retiredCloseMs).
   */
  #giveUp(socket: WebSocket): void {
    this.#socket = undefined;
    this.#stopLiveness();
    this.#closeRetired(socket, RETIRED_MAX_MS);
    this.#scheduleRetry();
  }

  /** Closes a given-up socket in `ms` (0: now), whatever timer it had. */
  #closeRetired(socket: WebSocket, ms: number): void {
    clearTimeout(this.#retired.get(socket));
    const close = () => {
      this.#retired.delete(socket);
      socket.close();
    };
    if (ms <= 0) close();
    else this.#retired.set(socket, setTimeout(close, ms));
  }

  #scheduleRetry(): void {
    this.#setState('reconnecting');
    const delay = backoffDelay(this.#failures, this.#opts);
    this.#retry = setTimeout(() => this.connect(), delay);
  }

  #setState(state: SignalingState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('stateChanged', state);
  }
}
