// Rooms across relay instances through a real Redis: two relays on port 0
// sharing one redis-server, real ws clients on each. A third instance runs as a
// child process so it can be SIGKILLed like a crashed host.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisBus } from '../../relay/redis-bus.ts';
import type { Relay } from '../../relay/server.ts';
import { TEST_CONFIG, TestClient, newRoomId, socketUrl, startTestRelay, withTimeout } from './helpers.ts';
import { freePort } from '../support/ports.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Short, so a crashed instance's peers go within a test's patience; the sweep runs every quarter of it. */
const TTL_MS = 1_000;
/** A child relay compiles its TypeScript first (tsx); on a loaded 2-core machine that takes a while. */
const START_MS = 30_000;
/** For tests that restart things: generous, since a loaded machine can stall a reconnect for seconds. */
const SLOW_TEST_MS = 60_000;

let redis: RedisServer;
const relays: Relay[] = [];
let clients: TestClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
});

afterAll(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await redis?.stop();
});

async function startPair(instanceTtlMs = TTL_MS): Promise<[Relay, Relay]> {
  const config = { redis: { url: redis.url, instanceTtlMs } };
  const pair: [Relay, Relay] = [await startTestRelay(config), await startTestRelay(config)];
  relays.push(...pair);
  return pair;
}

async function connect(relay: { url: string }, label: string): Promise<TestClient> {
  const c = await TestClient.connect(socketUrl(relay), label);
  clients.push(c);
  return c;
}

/** A new room with Alice on `one` and Bob on `two`, each knowing of the other. */
async function aliceAndBobIn(one: Relay, two: Relay) {
  const room = newRoomId();
  const alice = await connect(one, 'alice');
  const bob = await connect(two, 'bob');
  await alice.join(room);
  await bob.join(room);
  await alice.next('peerJoined');
  return { room, alice, bob };
}

/** A new pair of instances, with aliceAndBobIn's room across them. */
async function aliceAndBobAcross(instanceTtlMs = TTL_MS) {
  const [one, two] = await startPair(instanceTtlMs);
  return { one, two, ...(await aliceAndBobIn(one, two)) };
}

/**
 * Resolves the moment every bus's `up` is `up`, watched on every turn of the event loop so that
 * nothing a bus does after flipping it can run first; fails after `timeoutMs`.
 */
function whenBuses(buses: RedisBus[], up: boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (buses.every((b) => b.stats.up === up)) resolve();
      else if (Date.now() > until) reject(new Error(`buses up: ${buses.map((b) => b.stats.up).join(', ')}, not all ${up}`));
      else setImmediate(check);
    };
    check();
  });
}

describe('two relay instances on one Redis', () => {
  let one: Relay;
  let two: Relay;

  beforeAll(async () => {
    [one, two] = await startPair();
  });

  it('runs each relay on its own RedisBus instance', () => {
    expect(one.bus).toBeInstanceOf(RedisBus);
    expect(two.bus).toBeInstanceOf(RedisBus);
    expect((one.bus as RedisBus).instance).not.toBe((two.bus as RedisBus).instance); // checked just above
  });

  it('puts peers on different instances in one room: joined lists the other, peerJoined tells it', async () => {
    const room = newRoomId();
    const alice = await connect(one, 'alice');
    const bob = await connect(two, 'bob');
    expect((await alice.join(room)).peers).toEqual([]);
    expect((await bob.join(room)).peers).toEqual([alice.id]);
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: bob.id });
    expect(alice.id).not.toBe(bob.id);
    expect(one.rooms.peersIn(room)).toEqual([alice.id, bob.id]);
    expect(two.rooms.peersIn(room)).toEqual([alice.id, bob.id]);
  });

  it('routes a signal to one peer both ways, and a broadcast to every other peer on every instance', async () => {
    const room = newRoomId();
    const alice = await connect(one, 'alice');
    const bob = await connect(two, 'bob');
    const carol = await connect(two, 'carol');
    await alice.join(room);
    await bob.join(room);
    await alice.next('peerJoined');
    await carol.join(room);
    await alice.next('peerJoined');
    await bob.next('peerJoined');

    alice.send({ type: 'signal', to: bob.id, data: 'offer for bob' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'offer for bob' });
    bob.send({ type: 'signal', to: alice.id, data: 'answer for alice' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'answer for alice' });

    carol.send({ type: 'signal', data: 'hello all' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'hello all' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'hello all' });
    alice.send({ type: 'signal', data: 'and from one' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'and from one' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'and from one' });

    // Nothing else arrived: not the unicast at carol, no echo of a broadcast to its sender.
    bob.send({ type: 'signal', to: carol.id, data: 'sentinel' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'sentinel' });
    for (const c of [alice, bob, carol]) expect(c.pending).toEqual([]);
  });

  it('keeps the order of many signals from one peer on one instance to a peer on the other', async () => {
    const { alice, bob } = await aliceAndBobIn(one, two);
    // Unicasts and broadcasts interleaved: they take the same path and must not overtake each other.
    for (let i = 0; i < 100; i++) alice.send(i % 3 ? { type: 'signal', to: bob.id, data: `m${i}` } : { type: 'signal', data: `m${i}` });
    for (let i = 0; i < 100; i++) expect((await bob.next('signal')).data).toBe(`m${i}`);
  });

  it('holds the room cap across instances, even when everyone joins at once', async () => {
    const room = newRoomId();
    const cap = TEST_CONFIG.maxPeersPerRoom;
    const crowd = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(i % 2 ? two : one, `p${i}`)));
    for (const c of crowd) c.send({ type: 'join', room });
    const answers = await Promise.all(crowd.map((c) => c.next()));
    const joined = answers.filter((a) => a.type === 'joined');
    const full = answers.filter((a) => a.type === 'error');
    expect(joined).toHaveLength(cap);
    expect(full).toHaveLength(crowd.length - cap);
    for (const f of full) expect(f).toMatchObject({ type: 'error', code: 'ROOM_FULL' });
    const inRedis = (await redis.client.zrange(`zing:r:${room}`, '0', '-1')).map((m) => m.split('/')[0]);
    expect(inRedis).toHaveLength(cap);
    expect(new Set(inRedis)).toEqual(new Set(joined.map((j) => (j.type === 'joined' ? j.self : ''))));
    // Each instance with a member there sees them all, in Redis's order (join order).
    for (const r of [one, two]) {
      if (r.rooms.peersIn(room).length > 0) await expect.poll(() => r.rooms.peersIn(room)).toEqual(inRedis);
    }
  });

  it('refuses one more across instances and admits again after a leave', async () => {
    const room = newRoomId();
    const members = [await connect(one, 'a'), await connect(two, 'b'), await connect(one, 'c')];
    for (const [i, m] of members.entries()) {
      await m.join(room);
      for (const earlier of members.slice(0, i)) await earlier.next('peerJoined');
    }
    const late = await connect(two, 'late');
    late.send({ type: 'join', room });
    expect(await late.next('error')).toMatchObject({ code: 'ROOM_FULL' });

    members[0]!.send({ type: 'leave' }); // three members were pushed above
    for (const m of members.slice(1)) expect(await m.next('peerLeft')).toEqual({ type: 'peerLeft', peer: members[0]!.id });
    expect((await late.join(room)).peers).toEqual([members[1]!.id, members[2]!.id]);
  });

  it('tells the other instance when a peer leaves or its socket closes', async () => {
    const room = newRoomId();
    const alice = await connect(one, 'alice');
    const bob = await connect(two, 'bob');
    const carol = await connect(two, 'carol');
    await alice.join(room);
    await bob.join(room);
    await alice.next('peerJoined');
    await carol.join(room);
    await alice.next('peerJoined');
    await bob.next('peerJoined');

    bob.send({ type: 'leave' });
    expect(await alice.next('peerLeft')).toEqual({ type: 'peerLeft', peer: bob.id });
    expect(await carol.next('peerLeft')).toEqual({ type: 'peerLeft', peer: bob.id });
    await alice.close();
    expect(await carol.next('peerLeft')).toEqual({ type: 'peerLeft', peer: alice.id });
    expect(two.rooms.peersIn(room)).toEqual([carol.id]);
    await carol.close();
    await expect.poll(() => redis.client.exists(`zing:r:${room}`)).toBe(0);
    expect(one.rooms.peersIn(room)).toEqual([]);
  });

  it('drops what is published on a room’s channel in no instance’s form, and the room goes on', async () => {
    const room = newRoomId();
    const alice = await connect(one, 'alice');
    await alice.join(room);
    const bob = await connect(two, 'bob');
    await bob.join(room);
    await alice.next('peerJoined');
    const stats = [(one.bus as RedisBus).stats, (two.bus as RedisBus).stats]; // RedisBus: started with redis
    const rejected = stats.map((s) => s.rejected);
    // Anyone who can reach Redis: a joined peer whose id is not one (every client's joined list would carry it, and a
    // client refuses a frame it cannot parse), a leave and a signal from ids that are not ones.
    const channel = `zing:c:${room}`;
    for (const frame of [
      'j\nforged\nbad id!\n',
      'j\nforged\nx\nbad id,list',
      'l\nforged\n<script>',
      `s\nforged\nnot an id\n${bob.id}\nhi`,
    ]) {
      await redis.client.publish(channel, frame);
    }
    await expect.poll(() => stats.map((s, i) => s.rejected - (rejected[i] ?? 0)), { timeout: 5_000 }).toEqual([4, 4]);
    // Nobody was told anything, and a newcomer on either instance joins with a list every client can read.
    expect(alice.pending).toEqual([]);
    expect(bob.pending).toEqual([]);
    const carol = await connect(one, 'carol');
    expect((await carol.join(room)).peers).toEqual([alice.id, bob.id]);
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
    expect(await bob.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
    alice.send({ type: 'signal', to: bob.id, data: 'still fine' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'still fine' });
  });

  it('never crosses rooms between instances', async () => {
    const [roomA, roomB] = [newRoomId(), newRoomId()];
    const alice = await connect(one, 'alice');
    const bob = await connect(two, 'bob');
    const eve = await connect(two, 'eve');
    await alice.join(roomA);
    await bob.join(roomA);
    await alice.next('peerJoined');
    await eve.join(roomB);

    eve.send({ type: 'signal', to: alice.id, data: 'x' });
    expect(await eve.next('error')).toMatchObject({ code: 'UNKNOWN_PEER' });
    eve.send({ type: 'signal', data: 'anyone?' });
    alice.send({ type: 'signal', data: 'room A only' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'room A only' });
    bob.send({ type: 'signal', to: alice.id, data: 'sentinel' });
    expect(await alice.next('signal')).toMatchObject({ data: 'sentinel' });
    expect(eve.pending).toEqual([]);
    expect(alice.pending).toEqual([]);
  });
});

describe('TURN credentials across instances', () => {
  it('gives a lone joiner none, and credentials just before the peerJoined of someone arriving on another instance', async () => {
    const turn = { turnSecret: 'zing-test-turn-secret-0123456789', turnUrls: ['turn:127.0.0.1:3478'] };
    const config = { redis: { url: redis.url, instanceTtlMs: TTL_MS }, ...turn };
    const one = await startTestRelay(config);
    const two = await startTestRelay(config);
    relays.push(one, two);
    const room = newRoomId();
    const alice = await connect(one, 'alice');
    const bob = await connect(two, 'bob');
    expect(await alice.join(room)).not.toHaveProperty('iceServers');
    expect((await bob.join(room)).iceServers?.[0]?.username).toMatch(new RegExp(`^\\d+:${bob.id}$`));
    expect((await alice.next('iceServers')).iceServers[0]?.username).toMatch(new RegExp(`^\\d+:${alice.id}$`));
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: bob.id });
  });
});

describe('an instance that lost touch with Redis', () => {
  it('puts its peers back when it finds itself taken for dead and swept, and the call goes on', async () => {
    const { two, alice, bob } = await aliceAndBobAcross();

    // As if two had paused longer than the TTL: its key is gone, so one's next sweep removes bob.
    await redis.client.del(`zing:i:${(two.bus as RedisBus).instance}`); // a RedisBus: started with redis
    expect(await alice.next('peerLeft', 3_000)).toEqual({ type: 'peerLeft', peer: bob.id });
    // two's next heartbeat notices, re-registers bob and tells the room.
    expect(await alice.next('peerJoined', 3_000)).toEqual({ type: 'peerJoined', peer: bob.id });
    expect(bob.pending).toEqual([]);
    bob.send({ type: 'signal', to: alice.id, data: 'still here' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'still here' });
    alice.send({ type: 'signal', data: 'me too' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'me too' });
  });

  it(
    're-registers every room after Redis restarts empty, so rooms, routing and the cap carry on',
    async () => {
      const { one, two, room, alice, bob } = await aliceAndBobAcross();

      await redis.stop();
      redis = await startRedis(redis.port);
      await expect.poll(() => redis.client.zcard(`zing:r:${room}`), { timeout: 15_000 }).toBe(2);
      await expect.poll(() => (one.bus as RedisBus).stats.up && (two.bus as RedisBus).stats.up, { timeout: 15_000 }).toBe(true); // RedisBus: started with redis
      alice.send({ type: 'signal', to: bob.id, data: 'after the restart' });
      expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'after the restart' });
      const carol = await connect(two, 'carol');
      expect((await carol.join(room)).peers).toEqual([alice.id, bob.id]);
      expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
      expect(await bob.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });
      const dave = await connect(one, 'dave');
      dave.send({ type: 'join', room });
      expect(await dave.next('error')).toMatchObject({ code: 'ROOM_FULL' });
      // Nobody saw anyone leave or arrive twice, not even once the snapshots went round (a TTL after the restart).
      await new Promise((r) => setTimeout(r, TTL_MS + 300));
      for (const c of [alice, bob, carol]) expect(c.pending).toEqual([]);
    },
    SLOW_TEST_MS,
  );
});

describe('a Redis that stops answering without closing its connections', () => {
  it(
    'is noticed within a few seconds (the bus goes down), and the instances come back and route once it answers again',
    async () => {
      const { one, two, alice, bob } = await aliceAndBobAcross(5_000);
      const buses = [one.bus as RedisBus, two.bus as RedisBus]; // started with redis
      redis.child.kill('SIGSTOP'); // the process stays, its sockets open: nothing answers
      try {
        for (let i = 0; i < 50; i++) alice.send({ type: 'signal', to: bob.id, data: `into the stall ${i}` });
        await expect.poll(() => buses.map((b) => b.stats.up), { timeout: 10_000, interval: 100 }).toEqual([false, false]);
      } finally {
        redis.child.kill('SIGCONT');
      }
      // `up` means routing is back, so one signal sent the moment both buses say so arrives.
      await whenBuses(buses, true, 15_000);
      alice.send({ type: 'signal', to: bob.id, data: 'after the stall' });
      // First comes what got through of the stall, and with the stall longer than the instances' TTL,
      // Alice leaving and coming back as the other instance swept her and hers re-registered her.
      let msg = await bob.next();
      while (!(msg.type === 'signal' && msg.data === 'after the stall')) msg = await bob.next();
      expect(msg).toEqual({ type: 'signal', from: alice.id, data: 'after the stall' });
    },
    SLOW_TEST_MS,
  );

  it(
    'leaves no channel subscribed for a room whose last member here left while Redis was down',
    async () => {
      const { one, two, room, alice } = await aliceAndBobAcross(5_000);
      const port = redis.port;
      await redis.stop();
      await alice.close(); // one's last member of the room: its unsubscribe cannot reach Redis now
      await new Promise((r) => setTimeout(r, 1_500));
      redis = await startRedis(port);
      const buses = [one.bus as RedisBus, two.bus as RedisBus]; // started with redis
      await expect.poll(() => buses.map((b) => b.stats.up), { timeout: 15_000, interval: 100 }).toEqual([true, true]);
      // Only two's subscription (bob is still there); one's would be there for the life of its process.
      await expect.poll(async () => (await redis.client.pubsub('NUMSUB', `zing:c:${room}`))[1], { timeout: 5_000 }).toBe(1);
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await redis.client.pubsub('NUMSUB', `zing:c:${room}`))[1]).toBe(1);
    },
    SLOW_TEST_MS,
  );
});

describe('an instance whose subscriber is cut', () => {
  /** Kills one connection of `bus` by its name (zing-sub-… or zing-pub-…), as Redis does to a client over its output limits. */
  async function clientKill(bus: RedisBus, which: 'sub' | 'pub'): Promise<void> {
    const list = await redis.client.client('LIST');
    const line = String(list)
      .split('\n')
      .find((l) => l.includes(` name=zing-${which}-${bus.instance} `));
    const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
    if (!id) throw new Error(`no zing-${which} connection of ${bus.instance} in CLIENT LIST`);
    expect(await redis.client.client('KILL', 'ID', id)).toBe(1);
  }

  it('keeps a newcomer whose join was under way as it resynchronised: Redis and the other instance still have them', async () => {
    const { one, room, alice, bob } = await aliceAndBobAcross(5_000);
    // Carol's ADMIT runs in Redis at once, but one hears its answer a second late: the resync that
    // a cut subscriber starts meanwhile reads the room without her and re-registers it so.
    const evalOf = Redis.prototype.eval;
    let hold = true;
    const spy = vi.spyOn(Redis.prototype, 'eval').mockImplementation(async function (this: Redis, ...args: unknown[]) {
      const answer = await (evalOf as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      if (hold && String(args[0]).includes('#members >= tonumber')) {
        hold = false;
        await clientKill(one.bus as RedisBus, 'sub'); // RedisBus: started with redis
        await new Promise((r) => setTimeout(r, 1_000));
      }
      return answer;
    });
    try {
      const carol = await connect(one, 'carol');
      expect((await carol.join(room)).peers).toEqual([alice.id, bob.id]);
      await expect.poll(async () => (await redis.client.zrange(`zing:r:${room}`, '0', '-1')).length, { timeout: 5_000 }).toBe(3);
      await new Promise((r) => setTimeout(r, 500));
      expect((await redis.client.zrange(`zing:r:${room}`, '0', '-1')).length).toBe(3);
      carol.send({ type: 'signal', to: bob.id, data: 'still here' });
      await expect.poll(() => bob.pending.some((m) => m.type === 'signal' && m.data === 'still here'), { timeout: 5_000 }).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('is up again only once its rooms are subscribed again: a signal sent that moment arrives', async () => {
    const { two, room, alice, bob } = await aliceAndBobAcross(5_000);
    const bus = two.bus as RedisBus; // started with redis
    const down = whenBuses([bus], false, 5_000);
    await clientKill(bus, 'sub');
    await down;
    await whenBuses([bus], true, 10_000);
    // Before, `up` came with the new connection, a few round trips before its SUBSCRIBE.
    expect((await redis.client.pubsub('NUMSUB', `zing:c:${room}`))[1]).toBe(2);
    alice.send({ type: 'signal', to: bob.id, data: 'right away' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'right away' });
  });

  it('tries a resync that failed again at its next heartbeat, and is up once it went through', async () => {
    const { two, room, alice, bob } = await aliceAndBobAcross();
    const bus = two.bus as RedisBus; // started with redis
    // The resync after the cut fails once part way, as a command that times out does; the connections stay up.
    const smembersOf = Redis.prototype.smembers;
    let failures = 0;
    const spy = vi.spyOn(Redis.prototype, 'smembers').mockImplementation(async function (this: Redis, ...args: unknown[]) {
      if (failures === 0) {
        failures += 1;
        throw new Error('Command timed out');
      }
      return (smembersOf as (...a: unknown[]) => Promise<string[]>).apply(this, args);
    });
    try {
      const down = whenBuses([bus], false, 5_000);
      await clientKill(bus, 'sub');
      await down;
      // No reconnect is coming: the heartbeat (every TTL / 3) starts the resync again.
      await whenBuses([bus], true, 5_000);
      expect(failures).toBe(1);
      expect((await redis.client.pubsub('NUMSUB', `zing:c:${room}`))[1]).toBe(2);
      alice.send({ type: 'signal', to: bob.id, data: 'after the retry' });
      expect(await bob.next('signal')).toEqual({ type: 'signal', from: alice.id, data: 'after the retry' });
    } finally {
      spy.mockRestore();
    }
  });

  it('reconnects and resynchronises its rooms at once: joins and leaves it missed reach its members, and signals flow again', async () => {
    // A long TTL: the resynchronisation must not wait for it (Redis kept its data, only a connection was cut).
    const ttl = 5_000;
    const [one, two] = await startPair(ttl);
    const bus = two.bus as RedisBus; // started with redis
    const room = newRoomId();
    const alice = await connect(one, 'alice');
    const dave = await connect(one, 'dave');
    const bob = await connect(two, 'bob');
    await alice.join(room);
    await dave.join(room);
    await alice.next('peerJoined');
    await bob.join(room);
    await alice.next('peerJoined');
    await dave.next('peerJoined');

    // Cut two's subscriber, and while two cannot hear the room, Dave leaves and Carol joins on one.
    const cut = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (!bus.stats.up) {
          clearInterval(check);
          resolve();
        }
      }, 1);
    });
    await clientKill(bus, 'sub');
    await withTimeout(cut, 'two to notice the cut');
    dave.send({ type: 'leave' });
    expect(await alice.next('peerLeft')).toEqual({ type: 'peerLeft', peer: dave.id });
    const carol = await connect(one, 'carol');
    await carol.join(room);
    expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: carol.id });

    // Back: Bob learns both, whether he heard them live or from the resynchronisation, well within the TTL.
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const m = await bob.next(undefined, ttl / 2);
      seen.push(m.type === 'peerLeft' || m.type === 'peerJoined' ? `${m.type} ${m.peer}` : JSON.stringify(m));
    }
    expect(seen.sort()).toEqual([`peerJoined ${carol.id}`, `peerLeft ${dave.id}`].sort());
    await expect.poll(() => two.rooms.peersIn(room)).toEqual([alice.id, bob.id, carol.id]);
    expect(bus.stats.up).toBe(true);
    carol.send({ type: 'signal', to: bob.id, data: 'hello bob' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: carol.id, data: 'hello bob' });
    bob.send({ type: 'signal', data: 'hello all' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'hello all' });
    expect(await carol.next('signal')).toEqual({ type: 'signal', from: bob.id, data: 'hello all' });
    // Nobody saw anyone twice.
    await new Promise((r) => setTimeout(r, 300));
    for (const c of [alice, bob, carol]) expect(c.pending).toEqual([]);
  });
});

describe('an instance that crashes', () => {
  let survivor: Relay;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    survivor = await startTestRelay({ redis: { url: redis.url, instanceTtlMs: TTL_MS } });
    relays.push(survivor);
  });

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it(
    'leaves no ghost: its peers leave the other instance’s rooms within the TTL after a SIGKILL',
    async () => {
      const port = await freePort();
      child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(port),
          HOST: '127.0.0.1',
          ZING_LOG: 'silent',
          REDIS_URL: redis.url,
          ZING_INSTANCE_TTL_MS: String(TTL_MS),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const crashed = new Promise((resolve) => child?.once('exit', resolve));
      const url = `http://127.0.0.1:${port}`;
      await withTimeout(
        (async () => {
          for (;;) {
            if (child?.exitCode !== null) throw new Error(`relay exited: ${stderr}`);
            try {
              if ((await fetch(`${url}/healthz`)).ok) return;
            } catch {
              // not listening yet
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        })(),
        'child relay healthy',
        START_MS,
      );

      const room = newRoomId();
      const alice = await connect(survivor, 'alice');
      const doomed = await connect({ url }, 'doomed');
      const doomedToo = await connect({ url }, 'doomed too');
      await alice.join(room);
      await doomed.join(room);
      await alice.next('peerJoined');
      await doomedToo.join(room);
      await alice.next('peerJoined');
      doomed.send({ type: 'signal', to: alice.id, data: 'still alive' });
      expect(await alice.next('signal')).toMatchObject({ data: 'still alive' });

      child.kill('SIGKILL');
      await crashed;
      const killedAt = Date.now();
      const left = [await alice.next('peerLeft', 5_000), await alice.next('peerLeft', 5_000)];
      const after = Date.now() - killedAt;
      expect(left.map((m) => m.peer).sort()).toEqual([doomed.id, doomedToo.id].sort());
      // The key expires TTL after its last refresh (at most TTL ago), a sweep runs every TTL/4.
      // 1.5 s of slack for a loaded 2-core machine.
      expect(after).toBeLessThan(TTL_MS + TTL_MS / 4 + 1_500);
      expect(survivor.rooms.peersIn(room)).toEqual([alice.id]);
      expect(await redis.client.zrange(`zing:r:${room}`, '0', '-1')).toEqual([`${alice.id}/${(survivor.bus as RedisBus).instance}`]); // a RedisBus: started with redis
      // The room is whole again: someone new joins and sees only alice.
      const bob = await connect(survivor, 'bob');
      expect((await bob.join(room)).peers).toEqual([alice.id]);
      expect(await alice.next('peerJoined')).toEqual({ type: 'peerJoined', peer: bob.id });
      expect(alice.pending).toEqual([]);
    },
    SLOW_TEST_MS,
  );
});
