// The bus in front of room fan-out: the one place that knows whether a room
// lives in this process only (MemoryBus) or spans relay instances (RedisBus in
// redis-bus.ts). Rooms (rooms.ts) talk to a Bus and never know which.
//
// The contract is an ordered log per room. Every membership change goes through
// the bus, and the bus hands it back to its listener as an event, in the one
// order every instance sees; a room's view on each instance is built from those
// events only, so all instances agree on who is in a room and in what order.
// Signals between peers of the same instance never touch the bus; only those
// for peers on other instances do.
import type { PeerId, RoomId } from '../protocol/relay.ts';

export type BusEvent =
  /** `peer` was admitted; `before` are the peers that were there, oldest first. */
  | { type: 'joined'; peer: PeerId; before: readonly PeerId[] }
  | { type: 'left'; peer: PeerId }
  /** From a peer on another instance: to one peer, or (without `to`) to every peer but the sender. */
  | { type: 'signal'; from: PeerId; to: PeerId | undefined; data: string }
  /**
   * Everyone in the room by the bus's record, oldest first, after an instance
   * lost touch with the bus and re-registered its peers: each instance sets
   * its view of the room right against it.
   */
  | { type: 'present'; peers: readonly PeerId[] };

export type BusListener = (room: RoomId, event: BusEvent) => void;

export interface Bus {
  /** Where this bus's events go: set once, by Rooms, before the first join. */
  listen(listener: BusListener): void;
  /**
   * Admits `peer` into `room` if fewer than `maxPeers` are in it on every
   * instance, atomically. On `true` the peer's `joined` event has already
   * reached the listener. A bus that cannot answer rejects (RedisBus) or
   * throws; the caller then holds no membership.
   */
  join(room: RoomId, peer: PeerId, maxPeers: number): boolean | Promise<boolean>;
  /** Removes `peer`; the `left` event follows. Safe for a peer already gone. */
  leave(room: RoomId, peer: PeerId): void;
  /** Carries a signal to the peers of `room` on other instances. Per sender, in order. */
  send(room: RoomId, from: PeerId, to: PeerId | undefined, data: string): void;
  /** Stops the bus after the last leave went out; safe twice. */
  close(): Promise<void>;
}

/**
 * One relay process, nothing shared: membership in a map and every event
 * handed to the listener at once, so joins and leaves complete synchronously,
 * exactly as before the bus existed.
 */
export class MemoryBus implements Bus {
  // An array per room: rooms hold at most 64 peers, and an array of two costs less than a Set.
  readonly #rooms = new Map<RoomId, PeerId[]>();
  #listener: BusListener = () => undefined; // no listener until Rooms subscribes

  listen(listener: BusListener): void {
    this.#listener = listener;
  }

  join(room: RoomId, peer: PeerId, maxPeers: number): boolean {
    let peers = this.#rooms.get(room);
    // A peer id already in the room is refused like a full room: two peers never share an address.
    if (peers && (peers.length >= maxPeers || peers.includes(peer))) return false;
    if (!peers) this.#rooms.set(room, (peers = []));
    const before = peers.slice();
    peers.push(peer);
    this.#listener(room, { type: 'joined', peer, before });
    return true;
  }

  leave(room: RoomId, peer: PeerId): void {
    const peers = this.#rooms.get(room);
    const i = peers ? peers.indexOf(peer) : -1;
    if (!peers || i < 0) return;
    peers.splice(i, 1);
    if (peers.length === 0) this.#rooms.delete(room);
    this.#listener(room, { type: 'left', peer });
  }

  send(): void {
    // No other instances to reach: Rooms delivers to its own peers itself.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
