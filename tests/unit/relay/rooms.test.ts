import { beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../protocol/relay.ts';
import { Rooms, type Member } from '../../../relay/rooms.ts';

/** A member that records what the room delivers to it. */
class FakeMember implements Member {
  readonly inbox: ServerMessage[] = [];
  constructor(readonly id: string) {}
  deliver(msg: ServerMessage): void {
    this.inbox.push(msg);
  }
  /** Returns and forgets what arrived so far. */
  take(): ServerMessage[] {
    return this.inbox.splice(0);
  }
}

const A = 'roomAAAAAAAAAAAA';
const B = 'roomBBBBBBBBBBBB';

describe('Rooms', () => {
  let rooms: Rooms;
  let alice: FakeMember, bob: FakeMember, carol: FakeMember, dave: FakeMember;

  beforeEach(() => {
    rooms = new Rooms({ maxPeersPerRoom: 3 });
    [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((id) => new FakeMember(id)) as [
      FakeMember,
      FakeMember,
      FakeMember,
      FakeMember,
    ]; // map over four ids gives four members
  });

  describe('join', () => {
    it('gives the first member an empty peer list and creates the room', () => {
      expect(rooms.join(A, alice)).toEqual({ ok: true, peers: [] });
      expect(rooms.roomCount).toBe(1);
      expect(alice.inbox).toEqual([]);
    });

    it('lists the peers already there, oldest first', () => {
      rooms.join(A, carol);
      rooms.join(A, alice);
      expect(rooms.join(A, bob)).toEqual({ ok: true, peers: ['carol', 'alice'] });
      expect(rooms.peersIn(A)).toEqual(['carol', 'alice', 'bob']);
    });

    it('tells every member already there that a peer joined, and not the newcomer', () => {
      rooms.join(A, alice);
      rooms.join(A, bob);
      expect(alice.take()).toEqual([{ type: 'peerJoined', peer: 'bob' }]);
      rooms.join(A, carol);
      expect(alice.take()).toEqual([{ type: 'peerJoined', peer: 'carol' }]);
      expect(bob.take()).toEqual([{ type: 'peerJoined', peer: 'carol' }]);
      expect(carol.inbox).toEqual([]);
    });

    it('refuses a full room with ROOM_FULL and leaves it untouched', () => {
      rooms.join(A, alice);
      rooms.join(A, bob);
      rooms.join(A, carol);
      for (const m of [alice, bob, carol]) m.take();

      expect(rooms.join(A, dave)).toEqual({ ok: false, code: 'ROOM_FULL' });
      expect(rooms.peersIn(A)).toEqual(['alice', 'bob', 'carol']);
      for (const m of [alice, bob, carol, dave]) expect(m.inbox).toEqual([]);
      // dave is not secretly a member: nothing routes to him
      expect(rooms.route(A, 'alice', 'dave', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
    });

    it('admits a newcomer again once a member of a full room leaves', () => {
      rooms.join(A, alice);
      rooms.join(A, bob);
      rooms.join(A, carol);
      rooms.leave(A, 'bob');
      expect(rooms.join(A, dave)).toEqual({ ok: true, peers: ['alice', 'carol'] });
    });

    it('counts the cap per room, not across rooms', () => {
      rooms.join(A, alice);
      rooms.join(A, bob);
      rooms.join(A, carol);
      expect(rooms.join(B, dave)).toEqual({ ok: true, peers: [] });
      expect(alice.take()).toEqual([
        { type: 'peerJoined', peer: 'bob' },
        { type: 'peerJoined', peer: 'carol' },
      ]);
    });
  });

  describe('leave', () => {
    it('tells the remaining members that the peer left', () => {
      rooms.join(A, alice);
      rooms.join(A, bob);
      rooms.join(A, carol);
      for (const m of [alice, bob, carol]) m.take();

      expect(rooms.leave(A, 'bob')).toBe(true);
      expect(alice.take()).toEqual([{ type: 'peerLeft', peer: 'bob' }]);
      expect(carol.take()).toEqual([{ type: 'peerLeft', peer: 'bob' }]);
      expect(bob.inbox).toEqual([]);
      expect(rooms.peersIn(A)).toEqual(['alice', 'carol']);
    });

    it('deletes a room when its last member leaves', () => {
      rooms.join(A, alice);
      rooms.join(B, bob);
      rooms.leave(A, 'alice');
      expect(rooms.roomCount).toBe(1);
      expect(rooms.peersIn(A)).toEqual([]);
      rooms.leave(B, 'bob');
      expect(rooms.roomCount).toBe(0);
    });

    it('is safe for a member already gone or a room that does not exist', () => {
      rooms.join(A, alice);
      rooms.join(A, bob);
      alice.take();
      expect(rooms.leave(A, 'bob')).toBe(true);
      expect(rooms.leave(A, 'bob')).toBe(false);
      expect(rooms.leave(B, 'alice')).toBe(false);
      expect(alice.take()).toEqual([{ type: 'peerLeft', peer: 'bob' }]);
      expect(rooms.peersIn(A)).toEqual(['alice']);
    });

    it('does not remove a member from its room when asked to leave a different room', () => {
      rooms.join(A, alice);
      rooms.join(B, bob);
      expect(rooms.leave(B, 'alice')).toBe(false);
      expect(rooms.peersIn(A)).toEqual(['alice']);
      expect(bob.inbox).toEqual([]);
    });
  });

  describe('route', () => {
    beforeEach(() => {
      rooms.join(A, alice);
      rooms.join(A, bob);
      rooms.join(A, carol);
      rooms.join(B, dave);
      for (const m of [alice, bob, carol, dave]) m.take();
    });

    it('delivers to the one named peer with the sender as `from`', () => {
      expect(rooms.route(A, 'alice', 'carol', 'offer')).toEqual({ ok: true });
      expect(carol.take()).toEqual([{ type: 'signal', from: 'alice', data: 'offer' }]);
      expect(bob.inbox).toEqual([]);
      expect(alice.inbox).toEqual([]);
    });

    it('delivers to every other member when no peer is named, never back to the sender', () => {
      expect(rooms.route(A, 'bob', undefined, 'hello')).toEqual({ ok: true });
      expect(alice.take()).toEqual([{ type: 'signal', from: 'bob', data: 'hello' }]);
      expect(carol.take()).toEqual([{ type: 'signal', from: 'bob', data: 'hello' }]);
      expect(bob.inbox).toEqual([]);
    });

    it('never crosses rooms: a peer id of another room is UNKNOWN_PEER', () => {
      expect(rooms.route(B, 'dave', 'alice', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
      expect(rooms.route(A, 'alice', 'dave', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
      for (const m of [alice, bob, carol, dave]) expect(m.inbox).toEqual([]);
    });

    it('keeps a broadcast inside its room', () => {
      rooms.route(B, 'dave', undefined, 'anyone?');
      rooms.route(A, 'alice', undefined, 'hi');
      expect(dave.inbox).toEqual([]);
      expect(bob.take()).toEqual([{ type: 'signal', from: 'alice', data: 'hi' }]);
    });

    it('cannot route to the sender itself', () => {
      expect(rooms.route(A, 'alice', 'alice', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
      expect(alice.inbox).toEqual([]);
    });

    it('cannot route to an unknown peer or within an unknown room', () => {
      expect(rooms.route(A, 'alice', 'nobody', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
      expect(rooms.route('roomCCCCCCCCCCCC', 'alice', 'bob', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
      expect(bob.inbox).toEqual([]);
    });

    it('stops delivering to a member once it has left', () => {
      rooms.leave(A, 'carol');
      alice.take();
      bob.take();
      expect(rooms.route(A, 'alice', 'carol', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
      rooms.route(A, 'alice', undefined, 'y');
      expect(carol.inbox).toEqual([]);
      expect(bob.take()).toEqual([{ type: 'signal', from: 'alice', data: 'y' }]);
    });
  });
});
