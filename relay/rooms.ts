// Room membership and routing. No sockets and no JSON: a member is anything
// that can take a ServerMessage, so the same logic serves tests, benchmarks and
// members on other relay instances. Which instances there are is the bus's
// business (bus.ts): rooms only ever talk to a Bus, never to Redis.
import { MemoryBus, type Bus, type BusEvent } from './bus.ts';
import type { ErrorCode, PeerId, RoomId, ServerMessage } from '../protocol/relay.ts';

export interface Member {
  readonly id: PeerId;
  deliver(msg: ServerMessage): void;
}

export type JoinResult = { ok: true; peers: PeerId[] } | { ok: false; code: Extract<ErrorCode, 'ROOM_FULL'> };
export type RouteResult = { ok: true } | { ok: false; code: Extract<ErrorCode, 'UNKNOWN_PEER'> };

export interface RoomsOptions {
  maxPeersPerRoom: number;
}

/** Counters for /metrics: plain numbers, so routing a message costs two additions. */
export interface RoomStats {
  /** Signals accepted for routing. */
  messages: number;
  /** Characters of their data (sealed payloads are ASCII, so bytes). */
  bytes: number;
}

/** One room as this instance sees it, built from the bus's events only. */
interface RoomView {
  /** Every peer of the room on every instance, oldest first: a local peer maps to its Member, a remote one to undefined. */
  readonly peers: Map<PeerId, Member | undefined>;
  /** Local members in `peers`. While 0, `peers` is empty and the bus's events are ignored. */
  local: number;
  /** Joins waiting for the bus; they keep the view (and so the room's events) alive. */
  waiting: number;
}

interface Joining {
  room: RoomId;
  member: Member;
  /** Set by the member's own `joined` event: who was there before it. */
  peers: PeerId[] | undefined;
  /** True while the bus's join() call runs: an event then is answered synchronously (MemoryBus). */
  inCall: boolean;
  /**
   * A bus that answers later (RedisBus) hands over the member's own `joined`
   * event and then, before the caller has sent `joined` to the client, maybe
   * more events of the room. Until then the view holds this stand-in, which
   * keeps what arrives for the member, in order, to hand over after `joined`.
   */
  standIn: (Member & { readonly inbox: ServerMessage[] }) | undefined;
}

// Shared answers: routing a message allocates no result object.
const ROUTED: RouteResult = { ok: true };
const UNKNOWN_PEER: RouteResult = { ok: false, code: 'UNKNOWN_PEER' };
const ROOM_FULL: JoinResult = { ok: false, code: 'ROOM_FULL' };

export class Rooms {
  // Insertion order of a Map is join order, so `peers` comes out oldest first.
  readonly #rooms = new Map<RoomId, RoomView>();
  readonly #joining = new Map<PeerId, Joining>();
  readonly #opts: RoomsOptions;
  readonly #bus: Bus;
  readonly stats: RoomStats = { messages: 0, bytes: 0 };

  constructor(opts: RoomsOptions, bus: Bus = new MemoryBus()) {
    this.#opts = opts;
    this.#bus = bus;
    bus.listen((room, event) => this.#onEvent(room, event));
  }

  /**
   * Adds `member` and tells the others; refuses a full room without touching it.
   * Synchronous on a MemoryBus; a promise where the bus has to ask another
   * process (it rejects if the bus cannot answer, and the member is then in no room).
   */
  join(room: RoomId, member: Member): JoinResult | Promise<JoinResult> {
    let view = this.#rooms.get(room);
    if (!view) this.#rooms.set(room, (view = { peers: new Map(), local: 0, waiting: 0 }));
    view.waiting++;
    const joining: Joining = { room, member, peers: undefined, inCall: true, standIn: undefined };
    this.#joining.set(member.id, joining);
    let admitted: boolean | Promise<boolean>;
    try {
      admitted = this.#bus.join(room, member.id, this.#opts.maxPeersPerRoom);
    } catch (err) {
      this.#abandon(joining);
      throw err;
    } finally {
      joining.inCall = false;
    }
    if (typeof admitted === 'boolean') return this.#admitted(joining, admitted);
    return admitted.then(
      (ok) => {
        const result = this.#admitted(joining, ok);
        // The caller sends `joined` in its own reaction to this promise, a microtask away; after that, the backlog.
        if (joining.standIn) setImmediate(() => this.#welcome(joining));
        return result;
      },
      (err: unknown) => {
        this.#abandon(joining);
        throw err;
      },
    );
  }

  #admitted(joining: Joining, ok: boolean): JoinResult {
    this.#settle(joining);
    if (!ok) return ROOM_FULL;
    if (!joining.peers) {
      this.#abandon(joining);
      throw new Error('the bus admitted a peer without handing over its joined event');
    }
    return { ok: true, peers: joining.peers };
  }

  /** Puts the member itself in place of its stand-in and hands it what arrived meanwhile. */
  #welcome(joining: Joining): void {
    const standIn = joining.standIn;
    joining.standIn = undefined;
    const view = this.#rooms.get(joining.room);
    if (!standIn || view?.peers.get(standIn.id) !== standIn) return; // left in the meantime
    view.peers.set(standIn.id, joining.member); // same key: its place in join order stays
    for (const msg of standIn.inbox) joining.member.deliver(msg);
  }

  /** The join is over, one way or the other: the view no longer waits for it. */
  #settle(joining: Joining): void {
    if (this.#joining.get(joining.member.id) === joining) this.#joining.delete(joining.member.id);
    const view = this.#rooms.get(joining.room);
    if (!view || view.waiting === 0) return;
    view.waiting--;
    if (view.local === 0 && view.waiting === 0) this.#rooms.delete(joining.room);
  }

  /** A join that failed half way: whatever the bus or the view may hold of it goes. */
  #abandon(joining: Joining): void {
    this.#settle(joining);
    if (!this.leave(joining.room, joining.member.id)) this.#bus.leave(joining.room, joining.member.id);
  }

  /** Removes a member and tells the others. Safe to call for a member already gone. */
  leave(room: RoomId, peer: PeerId): boolean {
    const view = this.#rooms.get(room);
    if (!view?.peers.get(peer)) return false;
    view.peers.delete(peer);
    view.local--;
    if (view.local === 0) {
      view.peers.clear();
      if (view.waiting === 0) this.#rooms.delete(room);
    } else {
      for (const other of view.peers.values()) other?.deliver({ type: 'peerLeft', peer });
    }
    // Other instances hear it from the bus; its `left` event finds the peer gone here already.
    this.#bus.leave(room, peer);
    return true;
  }

  /** Delivers `data` from `from` to one peer of the room, or to all the others. Never across rooms. */
  route(room: RoomId, from: PeerId, to: PeerId | undefined, data: string): RouteResult {
    const view = this.#rooms.get(room);
    if (!view) return UNKNOWN_PEER;
    if (to === undefined) {
      const msg: ServerMessage = { type: 'signal', from, data };
      for (const [id, other] of view.peers) if (other && id !== from) other.deliver(msg);
      if (view.peers.size > view.local) this.#bus.send(room, from, undefined, data);
    } else {
      if (to === from || !view.peers.has(to)) return UNKNOWN_PEER;
      const target = view.peers.get(to);
      if (target) target.deliver({ type: 'signal', from, data });
      else this.#bus.send(room, from, to, data);
    }
    this.stats.messages++;
    this.stats.bytes += data.length;
    return ROUTED;
  }

  /** Rooms with at least one member on this instance (or one joining). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Every peer of the room on every instance, oldest first, as far as this instance knows; empty without a local member. */
  peersIn(room: RoomId): PeerId[] {
    return [...(this.#rooms.get(room)?.peers.keys() ?? [])];
  }

  #onEvent(room: RoomId, event: BusEvent): void {
    const view = this.#rooms.get(room);
    if (!view) return; // no member here and none joining: nobody to tell
    switch (event.type) {
      case 'joined': {
        if (view.peers.has(event.peer)) return;
        const joining = this.#joining.get(event.peer);
        const member = joining?.room === room ? joining.member : undefined;
        if (joining && member) {
          // The first local member's own event is where this instance's view of the room starts.
          if (view.local === 0) for (const p of event.before) view.peers.set(p, undefined);
          joining.peers = [...view.peers.keys()];
          view.local++;
        } else if (view.local === 0) {
          return; // only joins are waiting here: their own events bring the room's state
        }
        for (const other of view.peers.values()) other?.deliver({ type: 'peerJoined', peer: event.peer });
        if (joining && member && !joining.inCall) {
          const inbox: ServerMessage[] = [];
          joining.standIn = { id: member.id, inbox, deliver: (msg) => inbox.push(msg) };
          view.peers.set(event.peer, joining.standIn);
        } else {
          view.peers.set(event.peer, member);
        }
        return;
      }
      case 'left':
        // A local member stays while its socket is open, whatever the bus says:
        // its instance re-registers it (see RedisBus), and `present` tells the others.
        if (!view.peers.has(event.peer) || view.peers.get(event.peer)) return;
        this.#dropRemote(view, event.peer);
        return;
      case 'signal': {
        // Only from a peer this instance knows in this room: never across rooms.
        if (view.local === 0 || !view.peers.has(event.from)) return;
        const msg: ServerMessage = { type: 'signal', from: event.from, data: event.data };
        if (event.to !== undefined) {
          view.peers.get(event.to)?.deliver(msg);
          return;
        }
        for (const [id, other] of view.peers) if (other && id !== event.from) other.deliver(msg);
        return;
      }
      case 'present': {
        if (view.local === 0) return;
        const present = new Set(event.peers);
        for (const [id, member] of view.peers) if (!member && !present.has(id)) this.#dropRemote(view, id);
        for (const peer of event.peers) {
          if (view.peers.has(peer) || this.#joining.get(peer)?.room === room) continue;
          for (const other of view.peers.values()) other?.deliver({ type: 'peerJoined', peer });
          view.peers.set(peer, undefined);
        }
        return;
      }
    }
  }

  #dropRemote(view: RoomView, peer: PeerId): void {
    view.peers.delete(peer);
    for (const other of view.peers.values()) other?.deliver({ type: 'peerLeft', peer });
  }
}
