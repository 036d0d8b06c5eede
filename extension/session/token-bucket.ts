// A token bucket per key (a person): `burst` at once, then `perSecond` on
// average. Pure: the clock is an argument. Used where a person may do
// something often, but not flood everyone with it (reactions).

export interface BucketLimits {
  /** How many at once from a full bucket. */
  readonly burst: number;
  /** How fast the bucket refills, per second. */
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets<K> {
  readonly #limits: BucketLimits;
  readonly #buckets = new Map<K, Bucket>();

  constructor(limits: BucketLimits) {
    this.#limits = limits;
  }

  /** Takes one token for `key` at time `now` (ms); false, and nothing taken, if its bucket is empty. */
  take(key: K, now: number): boolean {
    const { burst, perSecond } = this.#limits;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    // A clock that went backwards refills nothing.
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) * perSecond) / 1000);
    bucket.at = Math.max(bucket.at, now);
    this.#buckets.set(key, bucket);
    // Refilled in small steps (0.1 ten times is 0.9999999999999999), a token due now is there now.
    if (bucket.tokens < 1 - 1e-9) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Drops `key`'s bucket (the person left). */
  forget(key: K): void {
    this.#buckets.delete(key);
  }
}
