// Rooms that span relay instances, through one Redis: membership in Redis,
// events and signals over pub/sub. Rooms (rooms.ts) see only the Bus contract.
//
// In Redis (prefix `zing:`):
//   i:<instance>         this instance is alive: refreshed every third of the TTL, gone TTL after a crash
//   instances            SET of instance ids that may still own peers (the sweep's list)
//   i:<instance>:rooms   SET of rooms where that instance has peers
//   r:<room>             ZSET `<peer>/<instance>` scored by join order (`seq`): the room's members
//   c:<room>             pub/sub channel: the room's ordered log of joins, leaves, signals
//
// Every membership change is one Lua script that changes the ZSET and publishes
// the event in the same step, so every instance subscribed to the room sees the
// events in the order the changes happened, and the room cap holds across
// instances (the count and the add are atomic). Signals are plain PUBLISHes on
// the same connection as the scripts, so one sender's signals and its leave
// arrive in the order it sent them.
//
// A crashed instance (SIGKILL, lost host) cannot say goodbye. Its peers stay in
// the ZSETs until its `i:<instance>` key expires; then the next sweep by any
// live instance (every quarter of the TTL) removes them and publishes `left`
// for each, atomically, so exactly one sweep reports each peer. A sweep rather
// than keyspace notifications: those need `notify-keyspace-events` set on the
// server (often not allowed on managed Redis), are lost by an instance that is
// disconnected when they fire, and fire only when Redis gets round to expiring
// the key. A sweep is one small script per instance per period, bounded by a
// budget of rooms per run, and it picks up whatever an earlier one missed.
//
// An instance that lost Redis for a while (or found its own key expired, so it
// was taken for dead and swept) re-registers: for each of its rooms one script
// puts its live peers back and drops the ones that left meanwhile, publishing
// `joined`/`left` for them. One TTL later, when every live instance has had
// its turn (after Redis restarted empty, each one re-adds only its own), it
// publishes each room's full membership (`present`) so that views that missed
// events while disconnected are set right; earlier, a slower instance's peers
// would be dropped and re-added, a flicker in everyone's call.
//
// One Redis (or a Sentinel-managed primary), not Redis Cluster: the sweep
// touches keys of many rooms in one script.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Bus, BusEvent, BusListener } from './bus.ts';
import type { Logger } from './log.ts';
import type { PeerId, RoomId } from '../protocol/relay.ts';
import { isPeerId } from '../protocol/ids.ts';
import { MAX_MESSAGE_BYTES_CEILING } from './config.ts';

export interface RedisBusOptions {
  url: string;
  /** How long this instance counts as alive without a refresh; a crashed instance's peers go within this plus a sweep period. */
  instanceTtlMs: number;
  log: Logger;
  /** Key and channel prefix: several deployments (or tests) can share one Redis. */
  prefix?: string;
}

/** Counters and state for /metrics. */
export interface BusStats {
  published: number;
  received: number;
  errors: number;
  /** Peers of crashed instances this instance swept out. */
  swept: number;
  /** Bus messages dropped as malformed (a peer id that is not one, a signal past MAX_MESSAGE_BYTES_CEILING). */
  rejected: number;
  /**
   * Signals route: both connections are ready and, after a reconnect, this instance's rooms are
   * subscribed and registered again (#resync). Between the two, what is published reaches nobody here.
   */
  up: boolean;
}

/**
 * Bounds on waiting for Redis. A join that cannot be answered in this time
 * fails (the client is told to reconnect) rather than hanging; 5 s is far above
 * a healthy round trip (well under 1 ms on a LAN) and below a user's patience.
 */
const COMMAND_TIMEOUT_MS = 5_000;
/** Start-up gives up (the process exits 1, the orchestrator retries) if Redis does not answer in this time. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Rooms one sweep run cleans at most: keeps each script short (Redis runs scripts one at a time). */
const SWEEP_ROOM_BUDGET = 200;

// Peer and instance ids are base64url, so '/', ',' and '\n' never occur in them.
const ADMIT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
if #members >= tonumber(ARGV[3]) then return 0 end
local before = {}
for i, m in ipairs(members) do
  local p = string.sub(m, 1, string.find(m, '/', 1, true) - 1)
  if p == ARGV[1] then return 0 end
  before[i] = p
end
redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[1] .. '/' .. ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('PUBLISH', ARGV[5], 'j\\n' .. ARGV[2] .. '\\n' .. ARGV[1] .. '\\n' .. table.concat(before, ','))
return 1`;

const LEAVE = `
if redis.call('ZREM', KEYS[1], ARGV[1] .. '/' .. ARGV[2]) == 0 then return 0 end
local mine = '/' .. ARGV[2]
local still = false
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, -#mine) == mine then still = true break end
end
if not still then redis.call('SREM', KEYS[2], ARGV[3]) end
redis.call('PUBLISH', ARGV[4], 'l\\n' .. ARGV[2] .. '\\n' .. ARGV[1])
return 1`;

/** Returns 1 if the instance key was still there, 0 if it had expired (or Redis lost it). */
const HEARTBEAT = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return existed`;

/**
 * Puts this instance's live peers of one room back (publishing `joined` for
 * each it had to add) and drops its others (publishing `left`). It never
 * refuses a live peer for the cap: a peer already in a call stays in it.
 */
const REREGISTER = `
local mine = '/' .. ARGV[1]
local live = {}
for i = 4, #ARGV do live[ARGV[i] .. mine] = true end
local have = {}
local before = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, -#mine) == mine and not live[m] then
    redis.call('ZREM', KEYS[1], m)
    redis.call('PUBLISH', ARGV[3], 'l\\n' .. ARGV[1] .. '\\n' .. string.sub(m, 1, -#mine - 1))
  else
    have[m] = true
    before[#before + 1] = string.sub(m, 1, string.find(m, '/', 1, true) - 1)
  end
end
for i = 4, #ARGV do
  local m = ARGV[i] .. mine
  if not have[m] then
    redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), m)
    redis.call('PUBLISH', ARGV[3], 'j\\n' .. ARGV[1] .. '\\n' .. ARGV[i] .. '\\n' .. table.concat(before, ','))
    before[#before + 1] = ARGV[i]
  end
end
if #ARGV >= 4 then
  redis.call('SADD', KEYS[2], ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[1])
else
  redis.call('SREM', KEYS[2], ARGV[2])
end
return 1`;

/** Publishes who is in the room (`<peer>/<instance>`, join order), for every instance to set its view right. */
const SNAPSHOT = `
redis.call('PUBLISH', ARGV[1], 'p\\n' .. ARGV[2] .. '\\n' .. table.concat(redis.call('ZRANGE', KEYS[1], 0, -1), ','))
return 1`;

/** Removes the peers of instances whose key expired, publishing `left` for each; returns {peers removed, more to do}. */
const SWEEP = `
local prefix = ARGV[1]
local budget = tonumber(ARGV[2])
local removed = 0
for _, inst in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', prefix .. 'i:' .. inst) == 0 then
    local roomsKey = prefix .. 'i:' .. inst .. ':rooms'
    local rooms = redis.call('SPOP', roomsKey, budget)
    local mine = '/' .. inst
    for _, room in ipairs(rooms) do
      local key = prefix .. 'r:' .. room
      for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do
        if string.sub(m, -#mine) == mine then
          redis.call('ZREM', key, m)
          redis.call('PUBLISH', prefix .. 'c:' .. room, 'l\\n' .. inst .. '\\n' .. string.sub(m, 1, -#mine - 1))
          removed = removed + 1
        end
      end
    end
    budget = budget - #rooms
    if redis.call('SCARD', roomsKey) == 0 then redis.call('SREM', KEYS[1], inst) end
    if budget <= 0 then return {removed, 1} end
  end
end
return {removed, 0}`;

/** This instance's own record of a room: its admitted peers and the joins under way. */
interface LocalRoom {
  readonly peers: Set<PeerId>;
  pending: number;
  /** Resolves once the subscription to the room's channel is confirmed. */
  subscribed: Promise<unknown>;
}

/** A short, stable label for a failure (a Node error code such as ECONNREFUSED, else the error's name): never its message, which may carry data. */
function errorCode(err: unknown): string {
  if (!(err instanceof Error)) return 'UNKNOWN';
  const code: unknown = (err as Error & { code?: unknown }).code; // Node's system errors carry a string code
  return typeof code === 'string' ? code : err.name;
}

export class RedisBus implements Bus {
  /** Random per process: a restarted instance is a new one, and the old one's peers are swept. */
  readonly instance = randomBytes(9).toString('base64url');
  readonly stats: BusStats = { published: 0, received: 0, errors: 0, swept: 0, rejected: 0, up: false };
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #ttlMs: number;
  readonly #log: Logger;
  readonly #prefix: string;
  readonly #keys: { instance: string; instances: string; rooms: string; seq: string };
  readonly #rooms = new Map<RoomId, LocalRoom>();
  /** Joins waiting for their own `joined` event to come back through the subscription. */
  readonly #awaiting = new Map<PeerId, () => void>();
  readonly #timers: NodeJS.Timeout[] = [];
  #listener: BusListener = () => undefined; // no listener until Rooms subscribes
  #registered = false;
  #resyncing: Promise<void> | undefined;
  #resyncAgain = false;
  /** Resync passes begun so far: a join whose ADMIT overlapped one has that room re-registered again. */
  #resyncPasses = 0;
  #snapshot: NodeJS.Timeout | undefined;
  /**
   * Set when a heartbeat found this instance's key gone (Redis lost its data, or
   * took us for dead); cleared once the snapshots a TTL later went out. Until
   * then no snapshot goes out early, however often we resync meanwhile.
   */
  #keyLost = false;
  #closing: Promise<void> | undefined;

  private constructor(opts: RedisBusOptions) {
    this.#ttlMs = opts.instanceTtlMs;
    this.#log = opts.log;
    this.#prefix = opts.prefix ?? 'zing:';
    this.#keys = {
      instance: `${this.#prefix}i:${this.instance}`,
      instances: `${this.#prefix}instances`,
      rooms: `${this.#prefix}i:${this.instance}:rooms`,
      seq: `${this.#prefix}seq`,
    };
    const options = {
      // Reconnect at least every quarter TTL (ioredis backs off to 5 s): a live instance must be
      // back in Redis within the TTL, or the others take its peers for gone.
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 10), opts.instanceTtlMs / 4) + Math.floor(Math.random() * 50),
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: COMMAND_TIMEOUT_MS,
      // A Redis that stops answering (stopped, busy, cut off without a reset) keeps its TCP
      // connection open: commandTimeout fails each command but leaves it queued, the socket's
      // buffer grows with every publish, and no 'close' ever says the bus is down. A write
      // answered by nothing for this long ends the socket: the bus goes down, reconnects and resyncs.
      socketTimeout: COMMAND_TIMEOUT_MS,
      // Fail queued commands after one retry instead of 20: a join then fails fast and the client reconnects.
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    };
    // Two connections: one in subscriber mode can run nothing but (un)subscribe.
    // Auto-pipelining batches the PUBLISHes of one tick into one write, in order.
    this.#pub = new Redis(opts.url, { ...options, enableAutoPipelining: true, connectionName: `zing-pub-${this.instance}` });
    // Not resubscribed by ioredis after a reconnect: #resync subscribes the rooms live then, and a
    // room whose last member left while Redis was down (its unsubscribe lost) stays unsubscribed.
    this.#sub = new Redis(opts.url, { ...options, autoResubscribe: false, connectionName: `zing-sub-${this.instance}` });
    for (const [name, conn] of [
      ['pub', this.#pub],
      ['sub', this.#sub],
    ] as const) {
      conn.on('error', (err: unknown) => this.#failed(`${name} connection`, err));
      conn.on('close', () => this.#setUp(false));
      conn.on('ready', () => {
        // A reconnect may have lost events (sub) or leaves (pub): set the record straight. The bus is
        // up once that is done, when its rooms are subscribed again and signals reach them.
        if (this.#registered) this.#resync();
      });
    }
    this.#sub.on('message', (channel: string, message: string) => this.#onMessage(channel, message));
  }

  /** Connects both connections, registers this instance and starts its heartbeat and sweep. */
  static async connect(opts: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(opts);
    try {
      await withTimeout(Promise.all([bus.#pub.connect(), bus.#sub.connect()]), CONNECT_TIMEOUT_MS, 'answer from Redis');
      await bus.#heartbeat();
    } catch (err) {
      bus.#pub.disconnect();
      bus.#sub.disconnect();
      // ioredis's messages name the host and the failure, never the password.
      throw new Error(`cannot reach Redis at ${redactUrl(opts.url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    bus.#registered = true;
    bus.#setUp(true);
    bus.#timers.push(
      setInterval(() => void bus.#heartbeat(), Math.max(1, Math.floor(opts.instanceTtlMs / 3))),
      setInterval(() => void bus.#sweep(), Math.max(1, Math.floor(opts.instanceTtlMs / 4))),
    );
    for (const t of bus.#timers) t.unref();
    void bus.#sweep();
    return bus;
  }

  listen(listener: BusListener): void {
    this.#listener = listener;
  }

  async join(room: RoomId, peer: PeerId, maxPeers: number): Promise<boolean> {
    if (this.#closing) throw new Error('bus closed');
    const local = this.#localRoom(room);
    local.pending++;
    let seen: (() => void) | undefined;
    const ownEvent = new Promise<void>((resolve) => (seen = resolve));
    try {
      // Subscribed before the script runs, so no event of the room after this join is missed.
      await local.subscribed;
      this.#awaiting.set(peer, () => seen?.());
      const passesBefore = this.#resyncPasses;
      const admitted = await this.#pub.eval(
        ADMIT,
        4,
        this.#roomKey(room),
        this.#keys.rooms,
        this.#keys.seq,
        this.#keys.instances,
        peer,
        this.instance,
        maxPeers,
        room,
        this.#channel(room),
      );
      if (admitted !== 1) return false;
      local.peers.add(peer);
      // A resync pass that began after our ADMIT went out read this room's peers without this one:
      // its REREGISTER, run after ADMIT in Redis, removes the newcomer as not live. Once more, with it.
      if (this.#resyncPasses !== passesBefore) this.#resync();
      await withTimeout(ownEvent, COMMAND_TIMEOUT_MS, 'the joined event');
      return true;
    } catch (err) {
      this.#failed('join', err);
      throw err;
    } finally {
      this.#awaiting.delete(peer);
      local.pending--;
      this.#release(room, local);
    }
  }

  leave(room: RoomId, peer: PeerId): void {
    const local = this.#rooms.get(room);
    if (local) {
      local.peers.delete(peer);
      this.#release(room, local);
    }
    this.#pub
      .eval(LEAVE, 2, this.#roomKey(room), this.#keys.rooms, peer, this.instance, room, this.#channel(room))
      .catch((err: unknown) => this.#failed('leave', err)); // the next resync drops the peer from Redis
  }

  send(room: RoomId, from: PeerId, to: PeerId | undefined, data: string): void {
    this.stats.published++;
    this.#pub
      .publish(this.#channel(room), `s\n${this.instance}\n${from}\n${to ?? ''}\n${data}`)
      .catch((err: unknown) => this.#failed('publish', err));
  }

  /** Stops heartbeat and sweep, lets queued leaves go out, and deletes this instance's key so its leftovers are swept at once. Safe twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const t of this.#timers) clearInterval(t);
      clearTimeout(this.#snapshot);
      try {
        await this.#pub.del(this.#keys.instance);
        await Promise.all([this.#pub.quit(), this.#sub.quit()]);
      } catch {
        // Redis is away: nothing more to tell it; its TTL and the sweep clean up after us.
        this.#pub.disconnect();
        this.#sub.disconnect();
      }
      this.#setUp(false);
    })();
    return this.#closing;
  }

  /** Rooms where this instance has peers or joins under way. */
  get roomCount(): number {
    return this.#rooms.size;
  }

  #roomKey(room: RoomId): string {
    return `${this.#prefix}r:${room}`;
  }

  #channel(room: RoomId): string {
    return `${this.#prefix}c:${room}`;
  }

  #localRoom(room: RoomId): LocalRoom {
    let local = this.#rooms.get(room);
    if (!local) {
      const subscribed = this.#sub.subscribe(this.#channel(room));
      subscribed.catch(() => undefined); // the join awaiting it reports the failure
      local = { peers: new Set(), pending: 0, subscribed };
      this.#rooms.set(room, local);
    }
    return local;
  }

  /** Unsubscribes from a room this instance no longer has anyone in. */
  #release(room: RoomId, local: LocalRoom): void {
    if (local.peers.size > 0 || local.pending > 0 || this.#rooms.get(room) !== local) return;
    this.#rooms.delete(room);
    this.#sub.unsubscribe(this.#channel(room)).catch((err: unknown) => this.#failed('unsubscribe', err));
  }

  #onMessage(channel: string, message: string): void {
    const room = channel.slice(this.#prefix.length + 2); // after `<prefix>c:`
    if (!this.#rooms.has(room)) return; // unsubscribed a moment ago
    this.stats.received++;
    const event = this.#parse(message);
    if (event === undefined) {
      this.stats.rejected++;
      return;
    }
    if (event === null) return;
    this.#listener(room, event);
    // Our own join's event is back: the join is known everywhere (join() waits for this).
    if (event.type === 'joined' && message.startsWith(`j\n${this.instance}\n`)) this.#awaiting.get(event.peer)?.();
  }

  /**
   * One bus message as a room event: null for nothing to do, undefined for one that is malformed.
   * Whoever can publish on the room's channel (another instance, buggy or compromised, or anyone
   * with the Redis's address) is held to what instances publish: a peer id that is not one would
   * reach this instance's clients in their joined lists and signals, and a client refuses a whole
   * frame it cannot parse (protocol/relay.ts): nobody here could join the room again.
   */
  #parse(message: string): BusEvent | null | undefined {
    // "<kind>\n<origin instance>\n…": see the scripts and send() above.
    const kind = message.charCodeAt(0);
    const a = message.indexOf('\n', 2);
    const origin = message.slice(2, a);
    const b = message.indexOf('\n', a + 1);
    switch (kind) {
      case 115 /* s */:
        {
          if (origin === this.instance) return null; // Rooms delivered it here already
          const c = message.indexOf('\n', b + 1);
          const from = message.slice(a + 1, b);
          const to = message.slice(b + 1, c);
          const data = message.slice(c + 1);
          if (c < 0 || !isPeerId(from) || (to !== '' && !isPeerId(to)) || data.length > MAX_MESSAGE_BYTES_CEILING) return undefined;
          return { type: 'signal', from, to: to === '' ? undefined : to, data };
        }
      case 106 /* j */:
        {
          const peer = message.slice(a + 1, b);
          const before = message.slice(b + 1);
          const earlier = before === '' ? [] : before.split(',');
          if (!isPeerId(peer) || !earlier.every(isPeerId)) return undefined;
          return { type: 'joined', peer, before: earlier };
        }
      case 108 /* l */:
        {
          const peer = message.slice(a + 1);
          return isPeerId(peer) ? { type: 'left', peer } : undefined;
        }
      case 112 /* p */:
        {
          const list = message.slice(a + 1);
          const mine = `/${this.instance}`;
          const peers =
            list === ''
              ? []
              : list
                  .split(',')
                  .filter((m) => !m.endsWith(mine))
                  .map((m) => m.slice(0, m.indexOf('/')));
          return peers.every(isPeerId) ? { type: 'present', peers } : undefined;
        }
    }
    return undefined;
  }

  /** Refreshes this instance's key. */
  async #heartbeat(): Promise<void> {
    try {
      const existed = await this.#pub.eval(HEARTBEAT, 2, this.#keys.instance, this.#keys.instances, this.#ttlMs, this.instance);
      if (existed === 0 && this.#registered) {
        // Taken for dead (a pause longer than the TTL, or Redis lost its data): our peers may have been swept.
        this.#keyLost = true;
        this.#log('bus', { state: 'reregistering', instance: this.instance });
        this.#resync();
      } else if (this.#registered && !this.stats.up && !this.#resyncing && this.#connected()) {
        // Connected, but the last resync failed part way (a command that timed out): routing may
        // be missing for some rooms, and no reconnect is coming to start another. Try again now.
        this.#resync();
      }
    } catch (err) {
      this.#failed('heartbeat', err);
    }
  }

  async #sweep(): Promise<void> {
    try {
      for (let run = 0; run < 100; run++) {
        const [removed, more] = (await this.#pub.eval(SWEEP, 1, this.#keys.instances, this.#prefix, SWEEP_ROOM_BUDGET)) as [number, number]; // the script returns {removed, more}
        if (removed > 0) {
          this.stats.swept += removed;
          this.#log('swept', { peers: removed });
        }
        if (more === 0) return;
      }
    } catch (err) {
      this.#failed('sweep', err);
    }
  }

  /** Re-registers every room this instance has (or Redis thinks it has), one at a time. Coalesces calls. */
  #resync(): void {
    if (this.#resyncing) {
      this.#resyncAgain = true;
      return;
    }
    this.#resyncing = (async () => {
      do {
        this.#resyncAgain = false;
        this.#resyncPasses++;
        try {
          await this.#heartbeat();
          const rooms = new Set<RoomId>([...this.#rooms.keys(), ...(await this.#pub.smembers(this.#keys.rooms))]);
          const live = [...this.#rooms.keys()];
          // Subscriptions first (idempotent), so each room's `present` comes back here too.
          if (live.length > 0) await this.#sub.subscribe(...live.map((r) => this.#channel(r)));
          for (const room of rooms) {
            const peers = [...(this.#rooms.get(room)?.peers ?? [])];
            await this.#pub.eval(
              REREGISTER,
              4,
              this.#roomKey(room),
              this.#keys.rooms,
              this.#keys.seq,
              this.#keys.instances,
              this.instance,
              room,
              this.#channel(room),
              ...peers,
            );
          }
          this.#log('bus', { state: 'reregistered', instance: this.instance, rooms: rooms.size });
          this.#setUp(true);
          clearTimeout(this.#snapshot);
          if (!this.#keyLost) {
            // Our key outlived the disconnection, so Redis kept its data: only this instance's
            // connection was cut (a network blip, or Redis closing a subscriber over its output
            // limit), and Redis's record is whole. Each room's `present` goes out now, in the
            // room's own order, and sets right what this instance missed meanwhile.
            await this.#publishSnapshots();
          } else {
            // Who else is in each room is known for sure only once every live instance had a
            // chance to re-register too (Redis may have restarted empty): one TTL from now.
            this.#snapshot = setTimeout(() => {
              this.#keyLost = false;
              void this.#publishSnapshots();
            }, this.#ttlMs);
            this.#snapshot.unref();
          }
        } catch (err) {
          this.#failed('resync', err); // after a reconnect the bus stays down; the next reconnect or heartbeat tries again
        }
      } while (this.#resyncAgain && !this.#closing);
      this.#resyncing = undefined;
    })();
  }

  /** Asks Redis to tell every instance who is in each of this instance's rooms (see `present` in bus.ts). */
  async #publishSnapshots(): Promise<void> {
    try {
      for (const room of [...this.#rooms.keys()])
        await this.#pub.eval(SNAPSHOT, 1, this.#roomKey(room), this.#channel(room), this.instance);
    } catch (err) {
      this.#failed('snapshot', err);
    }
  }

  /** Both connections ready (which is not yet `up` after a reconnect: see BusStats.up). */
  #connected(): boolean {
    return this.#pub.status === 'ready' && this.#sub.status === 'ready';
  }

  #setUp(up: boolean): void {
    const now = up && this.#connected();
    if (now === this.stats.up) return;
    this.stats.up = now;
    if (!this.#closing) this.#log('bus', { state: now ? 'up' : 'down', instance: this.instance });
  }

  #failed(what: string, err: unknown): void {
    this.stats.errors++;
    if (!this.#closing) this.#log('bus', { state: 'error', op: what, code: errorCode(err) });
  }
}

/** Query parameters whose values are masked: ioredis takes any option from the query, `password` and `sentinelPassword` too. */
const SECRET_PARAM = /pass|secret|token|auth|cred/i;

/**
 * `redis://user:secret@host/?password=secret` → `redis://user:***@host/?password=***`:
 * a URL in a log or error never carries a password, in its userinfo or its query.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of new Set(u.searchParams.keys())) if (SECRET_PARAM.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return '(malformed URL)';
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
