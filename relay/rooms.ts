// Room membership and routing. No sockets and no JSON: a member is anything
// that can take a ServerMessage, so the same logic serves tests, benchmarks and
// (later) members on other relay instances.
import type { ErrorCode, PeerId, RoomId, ServerMessage } from './protocol.ts';

export interface Member {
  readonly id: PeerId;
  deliver(msg: ServerMessage): void;
}

export type JoinResult = { ok: true; peers: PeerId[] } | { ok: false; code: Extract<ErrorCode, 'ROOM_FULL'> };
export type RouteResult = { ok: true } | { ok: false; code: Extract<ErrorCode, 'UNKNOWN_PEER'> };

export interface RoomsOptions {
  maxPeersPerRoom: number;
}

export class Rooms {
  // Insertion order of a Map is join order, so `peers` comes out oldest first.
  readonly #rooms = new Map<RoomId, Map<PeerId, Member>>();
  readonly #opts: RoomsOptions;

  constructor(opts: RoomsOptions) {
    this.#opts = opts;
  }

  /** Adds `member` and tells the others; refuses a full room without touching it. */
  join(room: RoomId, member: Member): JoinResult {
    let members = this.#rooms.get(room);
    if (members && members.size >= this.#opts.maxPeersPerRoom) return { ok: false, code: 'ROOM_FULL' };
    if (!members) {
      members = new Map();
      this.#rooms.set(room, members);
    }
    const peers = [...members.keys()];
    for (const other of members.values()) other.deliver({ type: 'peerJoined', peer: member.id });
    members.set(member.id, member);
    return { ok: true, peers };
  }

  /** Removes a member and tells the others. Safe to call for a member already gone. */
  leave(room: RoomId, peer: PeerId): boolean {
    const members = this.#rooms.get(room);
    if (!members?.delete(peer)) return false;
    if (members.size === 0) this.#rooms.delete(room);
    else for (const other of members.values()) other.deliver({ type: 'peerLeft', peer });
    return true;
  }

  /** Delivers `data` from `from` to one peer of the room, or to all the others. Never across rooms. */
  route(room: RoomId, from: PeerId, to: PeerId | undefined, data: string): RouteResult {
    const members = this.#rooms.get(room);
    if (!members) return { ok: false, code: 'UNKNOWN_PEER' };
    const msg: ServerMessage = { type: 'signal', from, data };
    if (to === undefined) {
      for (const other of members.values()) if (other.id !== from) other.deliver(msg);
      return { ok: true };
    }
    const target = to === from ? undefined : members.get(to);
    if (!target) return { ok: false, code: 'UNKNOWN_PEER' };
    target.deliver(msg);
    return { ok: true };
  }

  get roomCount(): number {
    return this.#rooms.size;
  }

  peersIn(room: RoomId): PeerId[] {
    return [...(this.#rooms.get(room)?.keys() ?? [])];
  }
}
