import { describe, expect, it } from 'vitest';
import {
  KeyedBuckets,
  KeyedCounts,
  addressKey,
  admitMessage,
  clientAddress,
  fullBucket,
  take,
  type MessageBucket,
  type MessageLimits,
  type Rate,
} from '../../../relay/limits.ts';

const RATE: Rate = { perSecond: 10, burst: 5 };

describe('take (token bucket)', () => {
  it('lets a full burst through at once, then refuses', () => {
    const b = fullBucket(RATE, 0);
    for (let i = 0; i < 5; i++) expect(take(b, RATE, 0)).toBe(true);
    expect(take(b, RATE, 0)).toBe(false);
  });

  it('earns one token per 1/rate seconds', () => {
    const b = fullBucket(RATE, 0);
    for (let i = 0; i < 5; i++) take(b, RATE, 0);
    expect(take(b, RATE, 99)).toBe(false);
    expect(take(b, RATE, 100)).toBe(true);
    expect(take(b, RATE, 150)).toBe(false);
    expect(take(b, RATE, 200)).toBe(true);
  });

  it('never holds more than the burst, however long it was quiet', () => {
    const b = fullBucket(RATE, 0);
    take(b, RATE, 0);
    let allowed = 0;
    while (take(b, RATE, 3_600_000)) allowed++;
    expect(allowed).toBe(5);
  });

  it('earns nothing when the clock steps back', () => {
    const b = { tokens: 0, refilledAt: 1_000 };
    expect(take(b, RATE, 500)).toBe(false);
    expect(b.tokens).toBe(0);
  });
});

describe('admitMessage', () => {
  const bucket = (): MessageBucket => ({ ...fullBucket(RATE, 0), byteTokens: BYTES.burst, dropped: 0 });
  /** 1,000 bytes a second, 2,000 at once. */
  const BYTES: Rate = { perSecond: 1_000, burst: 2_000 };
  const limits = (dropsBeforeClose: number, bytes = BYTES): MessageLimits => ({ messages: RATE, bytes, dropsBeforeClose });

  it('answers ok within the rate, limited past it, and close after enough refusals in a row', () => {
    const b = bucket();
    const verdicts = Array.from({ length: 9 }, () => admitMessage(b, limits(3), 1, 0));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'limited', 'limited', 'close', 'close']);
  });

  it('lets a sender that slows down through again at once: a refusal costs no token', () => {
    const b = bucket();
    for (let i = 0; i < 7; i++) admitMessage(b, limits(100), 1, 0);
    expect(admitMessage(b, limits(100), 1, 100)).toBe('ok');
  });

  it('forgets past refusals once the bucket has refilled completely', () => {
    const b = bucket();
    for (let i = 0; i < 7; i++) admitMessage(b, limits(3), 1, 0); // 5 ok, 2 limited
    expect(b.dropped).toBe(2);
    expect(admitMessage(b, limits(3), 1, 500)).toBe('ok'); // 5 tokens back: full
    expect(b.dropped).toBe(0);
    for (let i = 0; i < 4; i++) admitMessage(b, limits(3), 1, 500);
    expect(admitMessage(b, limits(3), 1, 500)).toBe('limited');
  });

  it('refuses a frame larger than the bytes left, even with messages to spare, and lets a smaller one through', () => {
    const b = bucket();
    expect(admitMessage(b, limits(10), 1_500, 0)).toBe('ok');
    expect(admitMessage(b, limits(10), 1_000, 0)).toBe('limited');
    expect(admitMessage(b, limits(10), 500, 0)).toBe('ok');
    expect(b.byteTokens).toBe(0);
    expect(admitMessage(b, limits(10), 1_000, 999)).toBe('limited');
    expect(admitMessage(b, limits(10), 1_000, 1_000)).toBe('ok');
  });

  it('forgets refusals only once both buckets are full again', () => {
    const b = bucket();
    admitMessage(b, limits(10), 2_000, 0);
    expect(admitMessage(b, limits(10), 10, 0)).toBe('limited');
    expect(admitMessage(b, limits(10), 10, 1_000)).toBe('ok'); // messages full, bytes at 990 of 2,000
    expect(b.dropped).toBe(1);
    expect(admitMessage(b, limits(10), 10, 3_000)).toBe('ok'); // both full: a fresh start
    expect(b.dropped).toBe(0);
  });

  it('closes a sender that keeps sending large frames under the message rate', () => {
    const b = bucket();
    const verdicts: string[] = [];
    // 5 frames of 1,000 bytes a second against 1,000 bytes a second: 4 in 5 refused.
    for (let t = 0; t <= 5_000; t += 200) verdicts.push(admitMessage(b, limits(10), 1_000, t));
    expect(verdicts).toContain('close');
  });

  it('closes a sender that stays just over the rate without ever letting the bucket fill', () => {
    const b = bucket();
    const verdicts: string[] = [];
    // 20 messages a second against 10 a second: half are refused.
    for (let t = 0; t <= 2_000; t += 50) verdicts.push(admitMessage(b, limits(10), 1, t));
    expect(verdicts).toContain('close');
    expect(verdicts.filter((v) => v === 'ok').length).toBeGreaterThan(20);
  });
});

describe('KeyedBuckets', () => {
  const joins: Rate = { perSecond: 3 / 60, burst: 3 }; // 3 a minute

  it('limits each key on its own', () => {
    const k = new KeyedBuckets(joins, 0);
    for (let i = 0; i < 3; i++) expect(k.take('a', 0)).toBe(true);
    expect(k.take('a', 0)).toBe(false);
    expect(k.take('b', 0)).toBe(true);
    expect(k.take('a', 20_000)).toBe(true); // one earned in 20 s
  });

  it('forgets a key once its bucket is full again, so memory follows recent activity only', () => {
    const k = new KeyedBuckets(joins, 0);
    for (let i = 0; i < 1_000; i++) k.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(k.size).toBe(1_000);
    k.take('10.9.9.9', 30_000); // half a minute: none is full yet
    expect(k.size).toBe(1_001);
    k.take('10.9.9.9', 60_000); // a full refill after the first 1,000: swept on this take
    expect(k.size).toBe(1);
  });

  it('remembers a key that is still owed tokens when it sweeps', () => {
    const k = new KeyedBuckets(joins, 0);
    for (let i = 0; i < 3; i++) k.take('busy', 50_000);
    k.sweep(60_000);
    expect(k.size).toBe(1);
    expect(k.take('busy', 60_000)).toBe(false);
  });
});

describe('KeyedCounts', () => {
  it('counts per key and deletes a key that drops to zero', () => {
    const c = new KeyedCounts();
    c.add('a');
    c.add('a');
    c.add('b');
    expect([c.count('a'), c.count('b'), c.size]).toEqual([2, 1, 2]);
    c.remove('a');
    c.remove('b');
    expect([c.count('a'), c.count('b'), c.size]).toEqual([1, 0, 1]);
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('keys %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it('puts every address of one IPv6 /64 under one key, and neighbouring /64s apart', () => {
    expect(addressKey('2001:db8:aa:bb::1')).toBe(addressKey('2001:db8:aa:bb:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:aa:bb::1')).not.toBe(addressKey('2001:db8:aa:bc::1'));
  });
});

describe('clientAddress', () => {
  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('198.51.100.1', '203.0.113.7', 0)).toBe('198.51.100.1');
  });

  it('is the hop the trusted proxy appended, not what the client wrote before it', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '203.0.113.7', 1)).toBe('203.0.113.7');
  });

  it('walks one hop further left per trusted proxy', () => {
    expect(clientAddress('10.0.0.3', '6.6.6.6, 203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
  });

  it('takes the leftmost hop when there are fewer hops than trusted proxies', () => {
    expect(clientAddress('10.0.0.3', '203.0.113.7', 3)).toBe('203.0.113.7');
  });

  it('joins repeated headers and strips ports', () => {
    expect(clientAddress('10.0.0.2', ['6.6.6.6', '203.0.113.7:51234'], 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '[2001:db8::1]:443', 1)).toBe('2001:db8::1');
  });

  it('falls back to the socket address when the header is missing or the hop is not an address', () => {
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', 'unknown', 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '', 1)).toBe('10.0.0.2');
  });
});
