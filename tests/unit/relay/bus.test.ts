import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus, type Bus, type BusEvent, type BusListener } from '../../../relay/bus.ts';
import type { ServerMessage } from '../../../protocol/relay.ts';
import { Rooms, type Member } from '../../../relay/rooms.ts';

class FakeMember implements Member {
  readonly inbox: ServerMessage[] = [];
  constructor(readonly id: string) {}
  deliver(msg: ServerMessage): void {
    this.inbox.push(msg);
  }
  take(): ServerMessage[] {
    return this.inbox.splice(0);
  }
}

const A = 'roomAAAAAAAAAAAA';
const B = 'roomBBBBBBBBBBBB';
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('MemoryBus', () => {
  let bus: MemoryBus;
  let events: Array<[string, BusEvent]>;

  beforeEach(() => {
    bus = new MemoryBus();
    events = [];
    bus.listen((room, event) => events.push([room, event]));
  });

  it('admits up to the cap and hands each join to the listener with who was there before', () => {
    expect(bus.join(A, 'p1', 2)).toBe(true);
    expect(bus.join(A, 'p2', 2)).toBe(true);
    expect(bus.join(A, 'p3', 2)).toBe(false);
    expect(events).toEqual([
      [A, { type: 'joined', peer: 'p1', before: [] }],
      [A, { type: 'joined', peer: 'p2', before: ['p1'] }],
    ]);
  });

  it('refuses a peer id already in the room, so two peers never share an address', () => {
    bus.join(A, 'p1', 8);
    expect(bus.join(A, 'p1', 8)).toBe(false);
    expect(bus.join(B, 'p1', 8)).toBe(true);
  });

  it('hands over a leave once, and nothing for a peer that is not there', () => {
    bus.join(A, 'p1', 8);
    events.length = 0;
    bus.leave(A, 'p1');
    bus.leave(A, 'p1');
    bus.leave(B, 'p1');
    expect(events).toEqual([[A, { type: 'left', peer: 'p1' }]]);
  });
});

/** A bus whose joins the test answers by hand, as RedisBus answers after a round trip, with events injected at will. */
class LaterBus implements Bus {
  listener: BusListener = () => undefined; // replaced by listen()
  readonly joins: Array<{ room: string; peer: string; resolve: (ok: boolean) => void; reject: (err: Error) => void }> = [];
  readonly left: Array<[string, string]> = [];
  readonly sent: Array<[string, string, string | undefined, string]> = [];

  listen(listener: BusListener): void {
    this.listener = listener;
  }
  join(room: string, peer: string): Promise<boolean> {
    return new Promise((resolve, reject) => this.joins.push({ room, peer, resolve, reject }));
  }
  leave(room: string, peer: string): void {
    this.left.push([room, peer]);
  }
  send(room: string, from: string, to: string | undefined, data: string): void {
    this.sent.push([room, from, to, data]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  emit(room: string, event: BusEvent): void {
    this.listener(room, event);
  }
  /** Admits the oldest waiting join: its event first (as Redis's subscription brings it), then the answer. */
  admit(before: string[]): void {
    const j = this.joins.shift();
    if (!j) throw new Error('no join waiting');
    this.emit(j.room, { type: 'joined', peer: j.peer, before });
    j.resolve(true);
  }
}

describe('Rooms over a bus that answers later', () => {
  let bus: LaterBus;
  let rooms: Rooms;
  let alice: FakeMember;

  beforeEach(() => {
    bus = new LaterBus();
    rooms = new Rooms({ maxPeersPerRoom: 8 }, bus);
    alice = new FakeMember('alice');
  });

  it('answers a join with the peers its own joined event found, oldest first, remote ones included', async () => {
    const joined = rooms.join(A, alice);
    expect(joined).toBeInstanceOf(Promise);
    bus.admit(['remote1', 'remote2']);
    expect(await joined).toEqual({ ok: true, peers: ['remote1', 'remote2'] });
    expect(rooms.peersIn(A)).toEqual(['remote1', 'remote2', 'alice']);
  });

  it('holds what arrives for a newcomer before its `joined` went out, and hands it over after, in order', async () => {
    const joined = rooms.join(A, alice);
    bus.admit([]);
    // In the same turn (one read from Redis), before the caller could send `joined`:
    bus.emit(A, { type: 'joined', peer: 'bob', before: ['alice'] });
    bus.emit(A, { type: 'signal', from: 'bob', to: 'alice', data: 'offer' });
    expect(await joined).toEqual({ ok: true, peers: [] });
    expect(alice.inbox).toEqual([]); // the caller sends `joined` now, in its reaction to the promise
    await nextTurn();
    expect(alice.take()).toEqual([
      { type: 'peerJoined', peer: 'bob' },
      { type: 'signal', from: 'bob', data: 'offer' },
    ]);
    bus.emit(A, { type: 'signal', from: 'bob', to: 'alice', data: 'candidate' });
    expect(alice.take()).toEqual([{ type: 'signal', from: 'bob', data: 'candidate' }]);
  });

  it('answers ROOM_FULL when the bus refuses, and keeps no room', async () => {
    const joined = rooms.join(A, alice);
    bus.joins.shift()?.resolve(false);
    expect(await joined).toEqual({ ok: false, code: 'ROOM_FULL' });
    expect(rooms.roomCount).toBe(0);
  });

  it('rejects when the bus cannot answer, and leaves nothing behind here or on the bus', async () => {
    const joined = rooms.join(A, alice);
    bus.joins.shift()?.reject(new Error('Redis away'));
    await expect(joined).rejects.toThrow('Redis away');
    expect(rooms.roomCount).toBe(0);
    expect(bus.left).toEqual([[A, 'alice']]);
  });

  describe('with alice in the room and bob on another instance', () => {
    beforeEach(async () => {
      const joined = rooms.join(A, alice);
      bus.admit([]);
      await joined;
      bus.emit(A, { type: 'joined', peer: 'bob', before: ['alice'] });
      await nextTurn();
      alice.take();
    });

    it('sends a signal for a remote peer to the bus, and delivers a local one itself', async () => {
      const carol = new FakeMember('carol');
      const joined = rooms.join(A, carol);
      bus.admit(['alice', 'bob']);
      await joined;
      await nextTurn();
      alice.take();

      expect(rooms.route(A, 'alice', 'bob', 'to bob')).toEqual({ ok: true });
      expect(rooms.route(A, 'alice', 'carol', 'to carol')).toEqual({ ok: true });
      expect(carol.take()).toEqual([{ type: 'signal', from: 'alice', data: 'to carol' }]);
      expect(bus.sent).toEqual([[A, 'alice', 'bob', 'to bob']]);
      expect(rooms.route(A, 'alice', 'nobody', 'x')).toEqual({ ok: false, code: 'UNKNOWN_PEER' });
    });

    it('delivers a broadcast locally and sends it to the bus once, for the remote peers', () => {
      rooms.route(A, 'alice', undefined, 'hi all');
      expect(bus.sent).toEqual([[A, 'alice', undefined, 'hi all']]);
      expect(alice.inbox).toEqual([]);
    });

    it('tells alice when bob leaves, and ignores a second leave or one for a stranger', () => {
      bus.emit(A, { type: 'left', peer: 'bob' });
      bus.emit(A, { type: 'left', peer: 'bob' });
      bus.emit(A, { type: 'left', peer: 'stranger' });
      expect(alice.take()).toEqual([{ type: 'peerLeft', peer: 'bob' }]);
      expect(rooms.peersIn(A)).toEqual(['alice']);
    });

    it('keeps a local member the bus says has left while its socket is open', () => {
      bus.emit(A, { type: 'left', peer: 'alice' });
      expect(rooms.peersIn(A)).toEqual(['alice', 'bob']);
      expect(alice.inbox).toEqual([]);
    });

    it('delivers signals only from peers of the room, never across rooms', () => {
      bus.emit(A, { type: 'signal', from: 'mallory', to: 'alice', data: 'x' });
      bus.emit(B, { type: 'signal', from: 'bob', to: 'alice', data: 'x' });
      bus.emit(A, { type: 'signal', from: 'bob', to: undefined, data: 'hello' });
      expect(alice.take()).toEqual([{ type: 'signal', from: 'bob', data: 'hello' }]);
    });

    it('sets its view right against a `present` list: strangers join, the missing leave, local members stay', () => {
      bus.emit(A, { type: 'present', peers: ['dave'] });
      expect(alice.take()).toEqual([
        { type: 'peerLeft', peer: 'bob' },
        { type: 'peerJoined', peer: 'dave' },
      ]);
      expect(rooms.peersIn(A)).toEqual(['alice', 'dave']);
    });

    it('tells the bus when alice leaves and forgets the room', () => {
      expect(rooms.leave(A, 'alice')).toBe(true);
      expect(bus.left).toEqual([[A, 'alice']]);
      expect(rooms.roomCount).toBe(0);
      bus.emit(A, { type: 'signal', from: 'bob', to: 'alice', data: 'late' });
      expect(alice.inbox).toEqual([]);
    });
  });
});
