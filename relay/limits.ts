// The relay's abuse limits as plain arithmetic: a token bucket, counters per
// client address, and the address itself. No sockets and no timers: every
// function takes the time, so tests drive a clock by hand.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * A token bucket's state. Deliberately a bare shape rather than a class: the
 * transport keeps these two numbers on each connection object itself, which
 * costs far less per idle socket than one more object (see transport.ts).
 */
export interface TokenBucket {
  /** Tokens left; at most the burst, never below 0. */
  tokens: number;
  /** The time (ms, the caller's monotonic clock) the tokens were last brought up to date. */
  refilledAt: number;
}

export interface Rate {
  /** Tokens added per second. */
  perSecond: number;
  /** The bucket's size: how many may go at once after a quiet spell. */
  burst: number;
}

export const fullBucket = (rate: Rate, now: number): TokenBucket => ({ tokens: rate.burst, refilledAt: now });

/** Adds the tokens earned since the last refill. A clock that steps back earns nothing. */
export function refill(bucket: TokenBucket, rate: Rate, now: number): void {
  const elapsedMs = now - bucket.refilledAt;
  if (elapsedMs > 0) bucket.tokens = Math.min(rate.burst, bucket.tokens + (elapsedMs * rate.perSecond) / 1000);
  bucket.refilledAt = now;
}

/** Takes one token if there is one. A refused take costs nothing, so a client that slows down recovers at once. */
export function take(bucket: TokenBucket, rate: Rate, now: number): boolean {
  refill(bucket, rate, now);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/**
 * Per-connection limiting: a bucket of messages, a bucket of bytes beside it
 * (both refilled at `refilledAt`), and a count of what they refused.
 */
export interface MessageBucket extends TokenBucket {
  /** Bytes left; at most the byte burst, never below 0. */
  byteTokens: number;
  /** Messages refused since both buckets were last full. */
  dropped: number;
}

export interface MessageLimits {
  messages: Rate;
  /** In bytes: a few large frames cost as much as many small ones. */
  bytes: Rate;
  /** Refusals in a row (without both buckets refilling) that close the connection. */
  dropsBeforeClose: number;
}

export type MessageVerdict = 'ok' | 'limited' | 'close';

/**
 * One inbound frame of `bytes` against the connection's buckets. `ok` takes a
 * message and its bytes. `limited`: drop it and say so; a refusal costs no
 * tokens, so a sender that slows down gets through at once. `close`: the
 * sender has had `dropsBeforeClose` frames refused without once pausing long
 * enough to refill both buckets, which no call set-up does; it is a flood,
 * and each refusal costs the relay an error frame.
 */
export function admitMessage(bucket: MessageBucket, limits: MessageLimits, bytes: number, now: number): MessageVerdict {
  const { messages, bytes: byteRate } = limits;
  const elapsedMs = now - bucket.refilledAt;
  if (elapsedMs > 0) {
    bucket.tokens = Math.min(messages.burst, bucket.tokens + (elapsedMs * messages.perSecond) / 1000);
    bucket.byteTokens = Math.min(byteRate.burst, bucket.byteTokens + (elapsedMs * byteRate.perSecond) / 1000);
  }
  bucket.refilledAt = now;
  if (bucket.tokens >= messages.burst && bucket.byteTokens >= byteRate.burst) bucket.dropped = 0;
  if (bucket.tokens >= 1 && bucket.byteTokens >= bytes) {
    bucket.tokens -= 1;
    bucket.byteTokens -= bytes;
    return 'ok';
  }
  bucket.dropped += 1;
  return bucket.dropped >= limits.dropsBeforeClose ? 'close' : 'limited';
}

/**
 * A token bucket per key (a client address). A key whose bucket has refilled
 * completely is indistinguishable from a key never seen, so it is forgotten:
 * the map only ever holds keys active within the last `burst / perSecond`
 * seconds, swept at most once per that interval.
 */
export class KeyedBuckets {
  readonly #rate: Rate;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #refillMs: number;
  #sweptAt: number;

  constructor(rate: Rate, now: number) {
    this.#rate = rate;
    this.#refillMs = (rate.burst / rate.perSecond) * 1000;
    this.#sweptAt = now;
  }

  take(key: string, now: number): boolean {
    if (now - this.#sweptAt >= this.#refillMs) this.sweep(now);
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = fullBucket(this.#rate, now)));
    return take(bucket, this.#rate, now);
  }

  /** Forgets every key whose bucket is full by `now`. */
  sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) {
      refill(bucket, this.#rate, now);
      if (bucket.tokens >= this.#rate.burst) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/** How many of something each key holds right now (open connections per address). A key at 0 is deleted. */
export class KeyedCounts {
  readonly #counts = new Map<string, number>();

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.#counts.set(key, this.count(key) + 1);
  }

  remove(key: string): void {
    const n = this.count(key) - 1;
    if (n > 0) this.#counts.set(key, n);
    else this.#counts.delete(key);
  }

  get size(): number {
    return this.#counts.size;
  }
}

/**
 * The key limits per address count against. IPv4 as is (an IPv4-mapped IPv6
 * address is IPv4); IPv6 by its /64, because one host is routinely given a
 * whole /64 and could otherwise take a fresh address per connection.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address)) return address;
  const bare = address.split('%')[0] ?? address; // a zone index (fe80::1%eth0) is local detail
  if (!isIPv6(bare)) return address.slice(0, 64);
  return `${expandIPv6(bare).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of a valid IPv6 address, lowercase and without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  // A trailing dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two hextets.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((h) => parseInt(h, 16).toString(16));
}

/**
 * The client's address. With `trustedProxies` = 0, the socket's peer. With N
 * proxies in front that each append to X-Forwarded-For, the Nth entry from the
 * right: the address the outermost trusted proxy saw. Entries to the left of it
 * were written by the client and can say anything, so they are never used.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: number,
): string | undefined {
  if (trustedProxies === 0 || forwardedFor === undefined) return socketAddress;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  // The chain as the relay sees it, nearest last: the client's claims, each proxy's view, then the socket.
  const chain = [...hops, socketAddress];
  const picked = chain[Math.max(0, chain.length - 1 - trustedProxies)];
  const address = picked === undefined ? undefined : stripPort(picked);
  return address !== undefined && (isIPv4(address) || isIPv6(address)) ? address : socketAddress;
}

/** "1.2.3.4:5678" → "1.2.3.4", "[::1]:80" → "::1"; anything else unchanged. */
function stripPort(hop: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (v6?.[1] !== undefined) return v6[1];
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop);
  return v4?.[1] ?? hop;
}
